package dev.vdsoscope.cli;

import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.ProcessException;
import picocli.CommandLine.Option;

/** {@code --pid N}: the process to inspect; this tool's own process when absent. */
final class ProcessOptions {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID",
            description = "The process to inspect (default: vdsoscope's own).")
    Long pid;

    LinuxProcess process() throws ProcessException {
        return pid == null ? LinuxProcess.self() : LinuxProcess.of(pid);
    }
}
