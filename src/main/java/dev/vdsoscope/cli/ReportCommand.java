package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.Note;
import dev.vdsoscope.elf.SectionIndex;
import dev.vdsoscope.elf.Symbol;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.elf.SymbolType;
import dev.vdsoscope.elf.SymbolVersions;
import dev.vdsoscope.measure.Doctor;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.vdso.ClockId;
import dev.vdsoscope.vdso.Vdso;
import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.abi.VdsoNames;
import dev.vdsoscope.vdso.VdsoInspection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"The whole investigation of one process's vDSO (the default command).",
                "Where it is, what it is, what it exports, how it enters the kernel, its kernel",
                "neighbours, and whether its time calls are fast."})
final class ReportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ProcessOptions target;

    /** One exported function: every name bound to one address (e.g. clock_gettime and __vdso_clock_gettime). */
    record ExportedFunction(String address, long size, List<String> names, String version) {}

    @Override
    public Integer call() throws Exception {
        LinuxProcess process = target.process();
        try (Arena arena = Arena.ofConfined()) {
            VdsoInspection inspection = VdsoInspection.of(process, arena);
            List<ExportedFunction> functions = exportedFunctions(inspection.vdso());
            if (common.json) {
                Output.json(json(inspection, functions));
            } else {
                text(Output.out(), inspection, functions);
            }
            for (String warning : inspection.warnings()) {
                Batch.warn("pid " + process.pid(), warning);
            }
        }
        return ExitCode.OK;
    }

    static List<ExportedFunction> exportedFunctions(Vdso vdso) {
        SymbolTable symbols = vdso.symbols();
        SymbolVersions versions = vdso.versions();
        Map<Long, List<Symbol>> byAddress = new LinkedHashMap<>();
        for (int i = 1; i < symbols.size(); i++) {
            Symbol s = symbols.get(i);
            boolean code = s.type().equals(SymbolType.STT_FUNC) || s.type().equals(SymbolType.STT_NOTYPE);
            if (code && s.shndx() != SectionIndex.SHN_UNDEF && s.shndx() != SectionIndex.SHN_ABS) {
                byAddress.computeIfAbsent(s.value(), k -> new ArrayList<>()).add(s);
            }
        }
        List<ExportedFunction> list = new ArrayList<>();
        byAddress.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            List<String> names = e.getValue().stream().map(Symbol::name).sorted((a, b) -> a.length() - b.length()).toList();
            String version = versions.of(e.getValue().getFirst().index()).map(SymbolVersions.Version::name).orElse("");
            list.add(new ExportedFunction("0x" + Long.toHexString(e.getKey()), e.getValue().getFirst().size(), names,
                    version));
        });
        return list;
    }

    /** What `file` would say of the image, had it been dumped (a mapped vDSO has no permission bits). */
    private static String identity(ElfFile image) {
        return FileDescription.of(image, 0).text();
    }

    private static Optional<String> kernelVersion(ElfFile image) {
        return image.notes().stream().filter(n -> n.owner().equals("Linux") && n.type() == Note.LINUX_VERSION_CODE)
                .findFirst().map(n -> n.describe(image.header()));
    }

    private static void text(PrintStream out, VdsoInspection r, List<ExportedFunction> functions) {
        LinuxProcess.Abi abi = r.abi();
        Vdso vdso = r.vdso();
        int width = abi.wordSize() * 2;
        String self = r.process().isSelf() ? " (vdsoscope itself)" : "";
        out.println("vDSO of pid " + r.process().pid() + self + ", a " + abi.wordSize() * 8 + "-bit "
                + vdso.abi().map(LinuxAbi::displayName).orElse(abi.machine().description()) + " process");
        out.println();
        out.println("Where it is");
        out.println("  auxv AT_SYSINFO_EHDR   " + r.auxvBase().stream().mapToObj(a -> "0x" + Hex.padded(a, width))
                .findFirst().orElse("absent"));
        out.println("  maps [vdso]            0x" + Hex.padded(r.mapping().start(), width) + "-0x"
                + Hex.padded(r.mapping().end(), width) + " " + r.mapping().perms() + " (" + r.mapping().size() / 1024
                + " KiB)");
        boolean agree = r.auxvBase().isPresent() && r.auxvBase().getAsLong() == r.mapping().start();
        out.println("  " + (agree ? "The two agree: the kernel announced the vDSO in the auxiliary vector and mapped it there."
                : "The two DISAGREE: see the warning below."));
        r.sysinfoEntry().ifPresent(entry -> out.println("  auxv AT_SYSINFO        0x" + Hex.padded(entry, width)
                + "  the i386 system-call entry point " + symbolAt(vdso, entry - vdso.base())));
        out.println();
        String soname = vdso.soname();
        out.println("What it is");
        out.println("  soname    " + soname);
        out.println("  image     " + r.mapping().size() + " bytes; file(1) would say:");
        out.println("            " + identity(vdso.image()));
        kernelVersion(vdso.image()).ifPresent(k -> out.println("  kernel    " + k + " (from its \"Linux\" note)"));
        out.println("  ldd lists it as \"" + soname + " (0x" + Long.toHexString(r.mapping().start()) + ")\" with no path:"
                + " no file holds it.");
        out.println("  The kernel maps it into every process and names it in AT_SYSINFO_EHDR; ld.so adds it to its");
        out.println("  list of loaded objects, and ldd prints that list, with this load address (random per process).");
        out.println();
        String version = vdso.names().map(VdsoNames::version).orElse("");
        out.println("Exported functions (" + functions.size() + (version.isEmpty() ? "" : ", version " + version) + ")");
        for (ExportedFunction f : functions) {
            out.printf("  %-10s %5d bytes  %s%s%n", f.address(), f.size(), String.join(" = ", f.names()),
                    f.version().isEmpty() || f.version().equals(version) ? "" : "  @" + f.version());
        }
        out.println();
        out.println("Kernel mappings next to it");
        for (VdsoInspection.Neighbour n : r.neighbours()) {
            out.println("  " + n.mapping().path() + " 0x" + Hex.padded(n.mapping().start(), width) + " "
                    + n.mapping().perms() + " (" + n.mapping().size() / 1024 + " KiB): " + n.kind().explanation());
            out.println("      " + (n.readable() ? "readable" : n.readResult()));
        }
        out.println();
        GateCommand.reportSection(out, vdso.image());
        out.println("Speed of time calls: " + speedLine(r));
    }

    /** The exported symbol at an offset into the image, as "(name)". */
    private static String symbolAt(Vdso vdso, long offset) {
        SymbolTable symbols = vdso.symbols();
        for (int i = 1; i < symbols.size(); i++) {
            Symbol s = symbols.get(i);
            if (s.value() == offset + vdso.image().segments().getFirst().vaddr()) {
                return "(" + s.name() + ")";
            }
        }
        return "";
    }

    record JsonReport(String command, int schemaVersion, long pid, int bits, String machine, String auxvSysinfoEhdr,
            String auxvSysinfo, JsonMapping vdso, boolean locationsAgree, String soname, String identity,
            String kernelVersion, String abi, List<ExportedFunction> functions, List<JsonNeighbour> neighbours,
            Object gate, JsonSpeed speed, List<String> warnings) {}

    record JsonMapping(String start, String end, long size, String perms) {}

    record JsonNeighbour(String name, String start, String perms, long size, boolean readable, String readResult,
            String explanation) {}

    /** The speed hook: a quick doctor verdict for CLOCK_MONOTONIC (vdsoscope's own calls only). */
    record JsonSpeed(String clock, String verdict, double vdsoNs, double syscallNs, double ratio, boolean steady) {}

    /** Under 0.3 s in all: two paths, each warmed and timed for at most {@link #SPEED_PER_PATH} and 70 % of it. */
    private static final Duration SPEED_PER_PATH = Duration.ofMillis(70);

    private static Optional<Doctor.ClockVerdict> speed(VdsoInspection r) {
        return r.process().isSelf() ? Optional.of(Doctor.quick(ClockId.CLOCK_MONOTONIC, SPEED_PER_PATH))
                : Optional.empty();
    }

    private static String speedLine(VdsoInspection r) {
        return speed(r).map(v -> v.steady() ? String.format(Locale.ROOT,
                "CLOCK_MONOTONIC is %s: %.0f ns a call against %.0f ns by system call (`vdsoscope doctor` for every clock).",
                v.verdict() == Doctor.Verdict.VDSO ? "served by the vDSO" : "a system call (the vDSO falls back)",
                v.vdsoNs().median(), v.syscallNs().median())
                : "not settled: the JIT had not finished within the report's 0.3 s (`vdsoscope doctor` takes its time).")
                .orElse("not measured: only vdsoscope's own calls can be timed (`vdsoscope doctor`).");
    }

    /** An unsettled measurement (interpreted code) says nothing about the vDSO, so its verdict is "unsettled". */
    private static JsonSpeed jsonSpeed(VdsoInspection r) {
        return speed(r).map(v -> new JsonSpeed(v.clock().name(),
                v.steady() ? v.verdict().name().toLowerCase(Locale.ROOT) : "unsettled",
                v.vdsoNs().median(), v.syscallNs().median(), Math.round(v.ratio() * 1000) / 1000.0, v.steady()))
                .orElse(null);
    }

    private static JsonReport json(VdsoInspection r, List<ExportedFunction> functions) {
        List<JsonNeighbour> neighbours = new ArrayList<>();
        for (VdsoInspection.Neighbour n : r.neighbours()) {
            neighbours.add(new JsonNeighbour(n.mapping().path(), "0x" + Long.toHexString(n.mapping().start()),
                    n.mapping().perms(), n.mapping().size(), n.readable(), n.readResult(), n.kind().explanation()));
        }
        Vdso vdso = r.vdso();
        return new JsonReport("report", 2, r.process().pid(), r.abi().wordSize() * 8, r.abi().machine().cName(),
                r.auxvBase().stream().mapToObj(a -> "0x" + Long.toHexString(a)).findFirst().orElse(null),
                r.sysinfoEntry().stream().mapToObj(a -> "0x" + Long.toHexString(a)).findFirst().orElse(null),
                new JsonMapping("0x" + Long.toHexString(r.mapping().start()), "0x" + Long.toHexString(r.mapping().end()),
                        r.mapping().size(), r.mapping().perms()),
                r.auxvBase().isPresent() && r.auxvBase().getAsLong() == r.mapping().start(), vdso.soname(),
                identity(vdso.image()), kernelVersion(vdso.image()).orElse(null),
                vdso.abi().map(LinuxAbi::displayName).orElse(null), functions, neighbours,
                GateCommand.reportJson(vdso.image()), jsonSpeed(r), r.warnings());
    }
}
