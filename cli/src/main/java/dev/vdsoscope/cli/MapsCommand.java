package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.proc.Maps;
import dev.vdsoscope.proc.PseudoMapping;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "maps", mixinStandardHelpOptions = true,
        description = "Show a process's memory map (/proc/PID/maps), with the kernel's own mappings explained.")
final class MapsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ProcessOptions pidOption;

    @Parameters(arity = "0..1", paramLabel = "TARGET", description = "self (the default) or pid:N.")
    String argument;

    @Option(names = "--vdso-only", description = "Only [vdso] and its kernel-provided neighbours.")
    boolean vdsoOnly;

    @Override
    public Integer call() throws Exception {
        LinuxProcess process = Targets.process(argument, pidOption.pid);
        Maps maps = process.maps();
        List<Mapping> shown = new ArrayList<>();
        for (Mapping m : maps.mappings()) {
            PseudoMapping pseudo = m.pseudo();
            if (!vdsoOnly || (pseudo != null && pseudo.kernelProvided())) {
                shown.add(m);
            }
        }
        if (common.json) {
            List<JsonMapping> list = new ArrayList<>();
            for (Mapping m : shown) {
                PseudoMapping p = m.pseudo();
                list.add(new JsonMapping("0x" + Long.toHexString(m.start()), "0x" + Long.toHexString(m.end()), m.size(),
                        m.perms(), m.offset(), m.device(), m.inode(), m.path(),
                        p == null ? null : p.name().toLowerCase(), p != null && p.kernelProvided(),
                        p == null ? null : p.explanation()));
            }
            Output.json(new JsonMaps("maps", 1, process.pid(), list));
            return ExitCode.OK;
        }
        PrintStream out = Output.out();
        int width = shown.stream().anyMatch(m -> m.end() > 0xffffffffL || m.end() < 0) ? 16 : 8;
        for (Mapping m : shown) {
            String range = Hex.padded(m.start(), width) + "-" + Hex.padded(m.end(), width);
            PseudoMapping p = m.pseudo();
            String note = p != null && p.kernelProvided() ? "   <- " + p.explanation() : "";
            out.printf("%s %s %08x %-5s %-8d %7s  %s%s%n", range, m.perms(), m.offset(), m.device(), m.inode(),
                    human(m.size()), m.path(), note);
        }
        if (vdsoOnly && shown.isEmpty()) {
            out.println("pid " + process.pid() + " has no kernel-provided mappings (no vDSO): a kernel thread, or the"
                    + " vDSO was disabled (vdso=0) or removed");
        }
        return ExitCode.OK;
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return (bytes >> 30) + "G";
        }
        if (bytes >= 1L << 20) {
            return (bytes >> 20) + "M";
        }
        return (bytes >> 10) + "K";
    }

    record JsonMaps(String command, int schemaVersion, long pid, List<JsonMapping> mappings) {}

    record JsonMapping(String start, String end, long size, String perms, long offset, String device, long inode,
            String path, String kind, boolean kernelProvided, String explanation) {}
}
