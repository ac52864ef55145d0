package dev.vdsoscope.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.vdsoscope.abi.CompatProbeProgram;
import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.abi.VdsoNames;
import dev.vdsoscope.compat.FileDescription;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.KernelVersion;
import dev.vdsoscope.elf.Symbol;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.linux.CompatProbe;
import dev.vdsoscope.measure.CompatGateBench;
import dev.vdsoscope.measure.Doctor;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.ProcessException;
import dev.vdsoscope.proc.PseudoMapping;
import dev.vdsoscope.vdso.ClockId;
import dev.vdsoscope.vdso.ImageTarget;
import dev.vdsoscope.vdso.Vdso;
import dev.vdsoscope.vdso.VdsoInspection;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"The whole investigation of one process's vDSO (the default command).",
                "Where it is, what it is, what it exports, how it enters the kernel, its kernel",
                "neighbours, and whether its time calls are fast. TARGET is " + Targets.SYNTAX + ";",
                "for a FILE, the parts an image holds: what it is, its exports and its gate.",
                Targets.SHADOWED})
final class ReportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ProcessOptions pidOption;

    @Parameters(arity = "0..1", paramLabel = "TARGET", description = Targets.SYNTAX + ".")
    String argument;

    /** One exported function as the report shows it. */
    record JsonFunction(String address, long size, List<String> names, String version) {
        static JsonFunction of(Vdso.ExportedFunction f) {
            return new JsonFunction("0x" + Long.toHexString(f.address()), f.size(), f.names(), f.version());
        }
    }

    @Override
    public Integer call() throws Exception {
        ImageTarget target = Targets.of(argument, pidOption.pid);
        if (target instanceof ImageTarget.File file) {
            return imageReport(file);
        }
        if (target instanceof ImageTarget.CompatI386) {
            try (CompatProbe probe = startProbe()) {
                return processReport(LinuxProcess.of(probe.pid()), " (a 32-bit process vdsoscope started)");
            }
        }
        return processReport(target.process().orElseThrow(), "");
    }

    private static CompatProbe startProbe() {
        try {
            return ImageTarget.startProbe();
        } catch (ImageTarget.CompatUnavailableException e) {
            throw Targets.compatUnavailable(e);
        }
    }

    private int processReport(LinuxProcess inspected, String who) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            VdsoInspection inspection = VdsoInspection.of(inspected, arena);
            if (common.json) {
                Output.json(json(inspection));
            } else {
                text(Output.out(), inspection, who);
            }
            Batch.warn(ImageTarget.PID_PREFIX + inspected.pid(), inspection.warnings());
        }
        return ExitCode.OK;
    }

    /**
     * The report of an image file: what a process's report says of its image, as linked. Built whole
     * before anything is printed, so that a damaged image gives its one-line error and no half report.
     */
    private int imageReport(ImageTarget.File file) throws Exception {
        try (ImageTarget.Opened opened = Targets.open(file)) {
            ElfFile image = opened.elf();
            Object json = null;
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            try {
                Vdso vdso = imageVdso(file, image);
                if (common.json) {
                    json = new JsonReport("report", 2, file.label(), null, image.header().elfClass().bits(),
                            image.machine().cName(), null, null, null, null, vdso.soname(), identity(image),
                            KernelVersion.of(image).map(KernelVersion::toString).orElse(null),
                            vdso.abi().map(LinuxAbi::displayName).orElse(null),
                            vdso.exportedFunctions().stream().map(JsonFunction::of).toList(), null,
                            GateView.reportJson(image, false), null, null, image.warnings());
                } else {
                    PrintStream out = new PrintStream(text, false, StandardCharsets.UTF_8);
                    out.println("vDSO image " + file.label() + ", " + vdso.abi().map(LinuxAbi::displayName)
                            .orElse(image.machine().description()) + " (" + image.header().elfClass().bits()
                            + "-bit), as linked");
                    out.println();
                    whatItIs(out, vdso, image.input().size());
                    exports(out, vdso);
                    GateView.reportSection(out, image, false);
                    out.flush();
                }
            } catch (ElfFormatException e) {
                throw Failure.of(file.label(), e);
            }
            if (json != null) {
                Output.json(json);
            } else {
                text.writeTo(Output.out());
            }
            Batch.warn(file.label(), image.warnings());
        }
        return ExitCode.OK;
    }

    /** The image's vDSO, or the one-line failure saying why the file is not a vDSO image. */
    private static Vdso imageVdso(ImageTarget.File file, ElfFile image) {
        Vdso vdso;
        try {
            vdso = Vdso.of(image, 0);
        } catch (IllegalArgumentException e) {
            throw new Failure(file.label(), "not a vDSO image: " + e.getMessage().replaceFirst("^.*?: ", ""),
                    ExitCode.BAD_INPUT);
        }
        if (!vdso.isKernelVdso()) {
            throw new Failure(file.label(), "not a vDSO image: no vDSO soname and no vDSO function of "
                    + vdso.abi().map(LinuxAbi::displayName).orElse("its machine"), ExitCode.BAD_INPUT);
        }
        return vdso;
    }

    /** What `file` would say of the image, had it been dumped (a mapped vDSO has no permission bits). */
    private static String identity(ElfFile image) {
        return FileDescription.of(image, 0).text();
    }


    private static void text(PrintStream out, VdsoInspection r, String who) {
        LinuxProcess.Abi abi = r.abi();
        Vdso vdso = r.vdso();
        int width = abi.wordSize() * 2;
        String self = r.process().isSelf() ? " (vdsoscope itself)" : who;
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
        whatItIs(out, vdso, r.mapping().size());
        out.println("  ldd lists it as \"" + vdso.soname() + " (0x" + Hex.padded(r.mapping().start(), width)
                + ")\" with no path: no file holds it.");
        out.println("  The kernel maps it into every process and names it in AT_SYSINFO_EHDR; ld.so adds it to its");
        out.println("  list of loaded objects, and ldd prints that list, with this load address (random per process).");
        out.println();
        exports(out, vdso);
        out.println("Kernel mappings next to it");
        VvarView.Decoded decoded = r.process().isSelf() ? VvarView.decodeSelf() : null;
        for (VdsoInspection.Neighbour n : r.neighbours()) {
            out.println("  " + n.mapping().path() + " 0x" + Hex.padded(n.mapping().start(), width) + " "
                    + n.mapping().perms() + " (" + n.mapping().size() / 1024 + " KiB): " + n.kind().explanation());
            out.println("      " + (n.readable() ? "readable" : n.readResult()));
            if (!isVvar(n)) {
                continue;
            }
            if (decoded == null) {
                out.println("      (vdsoscope vvar decodes these pages as vdsoscope's own process sees them)");
            } else if (decoded.unavailable() != null) {
                out.println("      not decoded: " + decoded.unavailable());
            } else {
                out.println("      decoded by the kernel's BTF (vdsoscope vvar shows every field):");
                decoded.pages().stream().filter(p -> p.mapping().equals(n.mapping().path())).forEach(p -> out.println(
                        "        page " + p.index() + "  " + p.role() + ": " + p.now()));
            }
        }
        out.println();
        GateView.reportSection(out, vdso.image(), true);
        out.println("Speed of time calls: " + speedLine(r));
        if (r.process().isSelf()) {
            // After the timing, which the JIT compiling this section's code would disturb.
            vdso.abi().flatMap(LinuxAbi::compatProbe).ifPresent(compat -> compatVdso(out, compat));
        }
    }

    /**
     * On an x86-64 kernel, 32-bit processes get linux-gate.so.1 and AT_SYSINFO, which no 64-bit
     * process shows: a short account of one, from a 32-bit process started for it (the compat probe)
     * and ended at once, or one line saying why none can run here.
     */
    /**
     * The compat section's facts, from a probe started for it and ended at once; {@code unavailable}
     * says why there are none. Shared by the text (below) and the JSON ({@code compat}).
     */
    record JsonCompat(String abi, String soname, Long pid, String start, String atSysinfo, String entry, String gate,
            Double int80GetpidNs, Double vsyscallGetpidNs, Double vdsoClockGettimeNs, String unavailable) {}

    private static JsonCompat compatFacts(LinuxAbi compat) {
        String soname = compat.vdso().map(VdsoNames::soname).orElse(null);
        int bits = compat.elfClass().wordSize() * 8;
        try (CompatProbe probe = ImageTarget.startProbe(); Arena arena = Arena.ofConfined()) {
            VdsoInspection seen = VdsoInspection.of(LinuxProcess.of(probe.pid()), arena);
            Vdso gate = seen.vdso();
            String entry = seen.sysinfoEntry().stream().mapToObj(e -> symbolAt(gate, e - gate.base())).findFirst()
                    .orElse(null);
            String story = GateView.entryStory(gate.image(), true).orElse(null);
            CompatGateBench.Result speed = CompatGateBench.run(probe, seen, REPORT_COMPAT_SAMPLES);
            return new JsonCompat(compat.displayName(), gate.soname(), probe.pid(),
                    "0x" + Long.toHexString(seen.mapping().start()),
                    seen.sysinfoEntry().stream().mapToObj(a -> "0x" + Long.toHexString(a)).findFirst().orElse(null),
                    entry, story, tenth(speed.median(CompatProbeProgram.Loop.INT80_GETPID)),
                    tenth(speed.median(CompatProbeProgram.Loop.VSYSCALL_GETPID)),
                    tenth(speed.median(CompatProbeProgram.Loop.VDSO_CLOCK_GETTIME)), null);
        } catch (ImageTarget.CompatUnavailableException e) {
            return new JsonCompat(compat.displayName(), soname, null, null, null, null, null, null, null, null,
                    e.getMessage());
        } catch (ProcessException | java.io.IOException | RuntimeException e) {
            return new JsonCompat(compat.displayName(), soname, null, null, null, null, null, null, null, null,
                    "the " + bits + "-bit process could not be read (" + e.getMessage() + ")");
        }
    }

    private static double tenth(double nanos) {
        return Math.round(nanos * 10) / 10.0;
    }

    private static void compatVdso(PrintStream out, LinuxAbi compat) {
        JsonCompat c = compatFacts(compat);
        int bits = compat.elfClass().wordSize() * 8;
        int width = compat.elfClass().wordSize() * 2;
        out.println();
        out.println((c.soname() == null ? "The compat vDSO" : c.soname()) + " (the vDSO of " + bits
                + "-bit processes on this kernel)");
        if (c.unavailable() != null) {
            out.println("  not shown: " + c.unavailable());
            return;
        }
        out.println("  seen in a " + bits + "-bit process vdsoscope started (pid " + c.pid() + ", ended since): "
                + c.soname() + " at 0x" + Hex.padded(Long.decode(c.start()), width));
        if (c.atSysinfo() != null) {
            out.println("  auxv AT_SYSINFO 0x" + Hex.padded(Long.decode(c.atSysinfo()), width) + " " + c.entry()
                    + ": where " + bits + "-bit code calls to enter the kernel");
        }
        if (c.gate() != null) {
            out.println("  " + c.gate());
        }
        double times = c.vsyscallGetpidNs() > 0 ? c.int80GetpidNs() / c.vsyscallGetpidNs() : Double.NaN;
        out.printf(Locale.ROOT, "  Speed: a system call costs %.0f ns through int $0x80 and %.0f ns through"
                + " __kernel_vsyscall%s; clock_gettime %.0f ns through the vDSO (medians of %d samples;"
                + " `vdsoscope bench compat:i386` for more).%n", c.int80GetpidNs(), c.vsyscallGetpidNs(),
                Double.isFinite(times) ? String.format(Locale.ROOT, ", %.0f times less", times) : "",
                c.vdsoClockGettimeNs(), REPORT_COMPAT_SAMPLES);
        out.println("  `vdsoscope " + ImageTarget.COMPAT_I386 + "` gives its whole report.");
    }

    /** Few samples: the report's line is an order of magnitude, the bench gives the spread. */
    private static final int REPORT_COMPAT_SAMPLES = 5;

    /** "What it is": soname, size, what file(1) says, the kernel version. */
    private static void whatItIs(PrintStream out, Vdso vdso, long size) {
        out.println("What it is");
        out.println("  soname    " + vdso.soname());
        out.println("  image     " + size + " bytes; file(1) would say:");
        out.println("            " + identity(vdso.image()));
        KernelVersion.of(vdso.image()).ifPresent(k -> out.println("  kernel    Linux kernel version " + k
                + " (from its \"Linux\" note)"));
    }

    private static void exports(PrintStream out, Vdso vdso) {
        List<Vdso.ExportedFunction> functions = vdso.exportedFunctions();
        String version = vdso.names().map(VdsoNames::version).orElse("");
        out.println("Exported functions (" + functions.size() + (version.isEmpty() ? "" : ", version " + version) + ")");
        for (Vdso.ExportedFunction f : functions) {
            out.printf("  %-10s %5d bytes  %s%s%n", "0x" + Long.toHexString(f.address()), f.size(),
                    String.join(" = ", f.names()), f.version().isEmpty() || f.version().equals(version) ? ""
                            : "  @" + f.version());
        }
        out.println();
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

    record JsonReport(String command, int schemaVersion, String target, Long pid, int bits, String machine,
            String auxvSysinfoEhdr, String auxvSysinfo, JsonMapping vdso, Boolean locationsAgree, String soname,
            String identity, String kernelVersion, String abi, List<JsonFunction> functions,
            List<JsonNeighbour> neighbours, GateView.ReportGate gate, JsonSpeed speed, JsonCompat compat,
            List<String> warnings) {}

    record JsonMapping(String start, String end, long size, String perms) {}

    /**
     * A kernel mapping; for [vvar] and [vvar_vclock] of vdsoscope itself, its pages decoded
     * ({@code pages}) or why they are not ({@code notDecoded}).
     */
    record JsonNeighbour(String name, String start, String perms, long size, boolean readable, String readResult,
            String explanation, List<VvarView.PageLine> pages, String notDecoded) {}

    private static boolean isVvar(VdsoInspection.Neighbour n) {
        return n.kind() == PseudoMapping.VVAR || n.kind() == PseudoMapping.VVAR_VCLOCK;
    }

    /** The speed hook: a quick doctor verdict for CLOCK_MONOTONIC (vdsoscope's own calls only). */
    record JsonSpeed(String clock, String verdict, double vdsoNs, double syscallNs, double ratio, boolean steady,
            String method) {}

    /** Under 0.3 s in all: two paths, each warmed and timed for at most {@link #SPEED_PER_PATH} and 70 % of it. */
    private static final Duration SPEED_PER_PATH = Duration.ofMillis(70);

    private static Optional<Doctor.ClockVerdict> speed(VdsoInspection r) {
        return r.process().isSelf() ? Optional.of(Doctor.quick(ClockId.CLOCK_MONOTONIC, SPEED_PER_PATH))
                : Optional.empty();
    }

    /**
     * The verdict, always, where seccomp can prove it; the costs when their timing settled. Without
     * seccomp, timing alone decides, and an unsettled timing says so.
     */
    private static String speedLine(VdsoInspection r) {
        return speed(r).map(v -> {
            String what = v.verdict() == Doctor.Verdict.VDSO ? "served by the vDSO" : "a system call (the vDSO falls back)";
            String costs = String.format(Locale.ROOT, "%.0f ns a call against %.0f ns by system call", v.vdsoNs().median(),
                    v.syscallNs().median());
            if (v.method() == Doctor.Method.SECCOMP) {
                return "CLOCK_MONOTONIC is " + what + " (" + v.method().description() + "); " + (v.steady() ? costs
                        : "its cost had not settled within the report's 0.3 s") + " (`vdsoscope doctor` for every clock).";
            }
            return v.steady() ? "CLOCK_MONOTONIC is " + what + " (" + v.method().description() + "): " + costs
                    + " (`vdsoscope doctor` for every clock)."
                    : "not settled: the JIT had not finished within the report's 0.3 s (`vdsoscope doctor` takes its time).";
        }).orElse("not measured: only vdsoscope's own calls can be timed (`vdsoscope doctor`).");
    }

    /** An unsettled measurement (interpreted code) says nothing about the vDSO, so its verdict is "unsettled". */
    private static JsonSpeed jsonSpeed(VdsoInspection r) {
        return speed(r).map(v -> new JsonSpeed(v.clock().name(),
                v.steady() || v.method() == Doctor.Method.SECCOMP ? v.verdict().name().toLowerCase(Locale.ROOT)
                        : "unsettled",
                v.vdsoNs().median(), v.syscallNs().median(), Math.round(v.ratio() * 1000) / 1000.0, v.steady(),
                v.method().name().toLowerCase(Locale.ROOT)))
                .orElse(null);
    }

    private static JsonReport json(VdsoInspection r) {
        List<JsonNeighbour> neighbours = new ArrayList<>();
        VvarView.Decoded decoded = r.process().isSelf() ? VvarView.decodeSelf() : null;
        for (VdsoInspection.Neighbour n : r.neighbours()) {
            boolean shown = decoded != null && isVvar(n);
            neighbours.add(new JsonNeighbour(n.mapping().path(), "0x" + Long.toHexString(n.mapping().start()),
                    n.mapping().perms(), n.mapping().size(), n.readable(), n.readResult(), n.kind().explanation(),
                    shown && decoded.unavailable() == null ? decoded.pages().stream()
                            .filter(p -> p.mapping().equals(n.mapping().path())).toList() : null,
                    shown ? decoded.unavailable() : null));
        }
        Vdso vdso = r.vdso();
        String target = r.process().isSelf() ? ImageTarget.SELF : ImageTarget.PID_PREFIX + r.process().pid();
        return new JsonReport("report", 2, target, r.process().pid(), r.abi().wordSize() * 8, r.abi().machine().cName(),
                r.auxvBase().stream().mapToObj(a -> "0x" + Long.toHexString(a)).findFirst().orElse(null),
                r.sysinfoEntry().stream().mapToObj(a -> "0x" + Long.toHexString(a)).findFirst().orElse(null),
                new JsonMapping("0x" + Long.toHexString(r.mapping().start()), "0x" + Long.toHexString(r.mapping().end()),
                        r.mapping().size(), r.mapping().perms()),
                r.auxvBase().isPresent() && r.auxvBase().getAsLong() == r.mapping().start(), vdso.soname(),
                identity(vdso.image()), KernelVersion.of(vdso.image()).map(KernelVersion::toString).orElse(null),
                vdso.abi().map(LinuxAbi::displayName).orElse(null),
                vdso.exportedFunctions().stream().map(JsonFunction::of).toList(), neighbours,
                GateView.reportJson(vdso.image(), true), jsonSpeed(r),
                r.process().isSelf() ? vdso.abi().flatMap(LinuxAbi::compatProbe).map(ReportCommand::compatFacts)
                        .orElse(null) : null,
                r.warnings());
    }
}
