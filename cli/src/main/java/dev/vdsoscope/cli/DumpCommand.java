package dev.vdsoscope.cli;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.proc.ProcessException;
import dev.vdsoscope.proc.PseudoMapping;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Write the exact bytes of a process's [vdso] mapping, read from /proc/PID/mem.",
                "The file is written atomically and an existing one is kept unless --force."})
final class DumpCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ProcessOptions pidOption;

    @Parameters(arity = "0..1", paramLabel = "TARGET", description = "self (the default) or pid:N.")
    String argument;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Where to write; '-' for standard output (default: standard output unless it is a terminal).")
    String output;

    @Option(names = {"-f", "--force"}, description = "Replace FILE if it exists.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        LinuxProcess process = Targets.process(argument, pidOption.pid);
        Mapping vdso = process.maps().find(PseudoMapping.VDSO).orElseThrow(() -> new ProcessException(
                process.pid(), ProcessException.Kind.NO_VDSO, "has no [vdso] mapping"));
        String destination = output == null ? "-" : output;
        if (destination.equals("-") && !common.json && Output.outIsTerminal()) {
            throw new Failure(null, "refusing to write a binary image to a terminal; use -o FILE or a pipe",
                    ExitCode.BAD_INPUT);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = process.read(vdso.start(), vdso.size(), arena);
            if (destination.equals("-")) {
                if (common.json) {
                    Output.json(new JsonDump("dump", 1, process.pid(), "0x" + Long.toHexString(vdso.start()),
                            vdso.size(), null));
                } else {
                    Output.flush();
                    WritableByteChannel out = Channels.newChannel(Output.out());
                    out.write(bytes.asByteBuffer());
                }
            } else {
                try {
                    AtomicOutput.write(Path.of(destination), bytes.asByteBuffer(), force);
                } catch (IOException | InvalidPathException e) {
                    throw Failure.of(destination, e);
                }
                if (common.json) {
                    Output.json(new JsonDump("dump", 1, process.pid(), "0x" + Long.toHexString(vdso.start()),
                            vdso.size(), destination));
                } else {
                    Output.out().println("wrote " + vdso.size() + " bytes of pid " + process.pid()
                            + "'s [vdso] (0x" + Long.toHexString(vdso.start()) + ") to " + destination);
                }
            }
        }
        return ExitCode.OK;
    }

    record JsonDump(String command, int schemaVersion, long pid, String start, long size, String file) {}
}
