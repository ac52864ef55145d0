package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.vdsoscope.compat.LdShowAuxv;
import dev.vdsoscope.proc.Auxv;
import dev.vdsoscope.proc.AuxvEntry;
import dev.vdsoscope.proc.AuxvType;
import dev.vdsoscope.proc.LinuxProcess;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "auxv", mixinStandardHelpOptions = true,
        description = {"Decode a process's ELF auxiliary vector (/proc/PID/auxv).",
                "--style=ld-show-auxv prints what glibc's LD_SHOW_AUXV=1 prints."})
final class AuxvCommand implements Callable<Integer> {
    enum Style { table, ld_show_auxv }

    @Mixin
    CommonOptions common;

    @Mixin
    ProcessOptions pidOption;

    @Parameters(arity = "0..1", paramLabel = "TARGET", description = "self (the default) or pid:N.")
    String argument;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "table", converter = StyleConverter.class,
            completionCandidates = StyleNames.class, description = "table (default) or ld-show-auxv.")
    Style style;

    /** A style as it is typed: its constant's name with '-' for '_'. */
    static final class StyleConverter implements picocli.CommandLine.ITypeConverter<Style> {
        @Override
        public Style convert(String value) {
            return Style.valueOf(value.replace('-', '_'));
        }
    }

    /** The styles as they are typed, for shell completion (the converter's inverse). */
    static final class StyleNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(Style.values()).map(s -> s.name().replace('_', '-')).iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        LinuxProcess process = Targets.process(argument, pidOption.pid);
        LinuxProcess.Abi abi = process.abi();
        Auxv auxv = process.auxv();
        if (common.json) {
            List<JsonEntry> entries = new ArrayList<>();
            for (AuxvEntry e : auxv.entries()) {
                entries.add(new JsonEntry(e.type().cName(), e.type().value(), e.value(), "0x" + Long.toHexString(e.value()),
                        e.string(), hwcaps(abi, e)));
            }
            Output.json(new JsonAuxv("auxv", 1, process.pid(), abi.wordSize() * 8, abi.machine().cName(), entries));
        } else if (style == Style.ld_show_auxv) {
            LdShowAuxv.print(Output.out(), auxv, abi.linux());
        } else {
            table(Output.out(), process, abi, auxv);
        }
        return ExitCode.OK;
    }

    private static List<String> hwcaps(LinuxProcess.Abi abi, AuxvEntry e) {
        List<String> names = hwcapNames(abi, e);
        return names.isEmpty() ? null : names;
    }

    /** The names of the set bits of AT_HWCAP or AT_HWCAP2; empty for other types and unknown ABIs. */
    private static List<String> hwcapNames(LinuxProcess.Abi abi, AuxvEntry e) {
        int word = e.type().equals(AuxvType.AT_HWCAP) ? 1 : e.type().equals(AuxvType.AT_HWCAP2) ? 2 : 0;
        return word == 0 || abi.linux().isEmpty() ? List.of() : abi.linux().get().decodeHwcap(word, e.value());
    }

    private static void table(PrintStream out, LinuxProcess process, LinuxProcess.Abi abi, Auxv auxv) {
        out.println("Auxiliary vector of pid " + process.pid() + " (" + abi.wordSize() * 8 + "-bit "
                + abi.machine().description() + ", " + auxv.entries().size() + " entries)");
        int width = abi.wordSize() * 2;
        for (AuxvEntry e : auxv.entries()) {
            String value = e.type().isAddress() || e.type().equals(AuxvType.AT_HWCAP) || e.type().equals(AuxvType.AT_HWCAP2)
                    ? "0x" + Hex.padded(e.value(), width) : Long.toUnsignedString(e.value());
            StringBuilder detail = new StringBuilder(e.type().meaning());
            if (e.string() != null) {
                detail.append(detail.isEmpty() ? "" : ": ").append('"').append(e.string()).append('"');
            }
            List<String> names = hwcapNames(abi, e);
            if (!names.isEmpty()) {
                detail.append(": ").append(String.join(" ", names));
            }
            out.printf("  %-22s %3d  %-" + (width + 2) + "s  %s%n", e.type().cName(), e.type().value(), value, detail);
        }
    }

    record JsonAuxv(String command, int schemaVersion, long pid, int bits, String machine, List<JsonEntry> entries) {}

    record JsonEntry(String name, long type, long value, String hex, String string, List<String> features) {}
}
