package dev.vdsoscope.cli;

import picocli.CommandLine.Option;

/**
 * {@code --pid N}: the process to inspect, the same as the target {@code pid:N}. Kept as written and
 * checked by {@link Targets} as {@code pid:N} is (ASCII digits, positive), so that the two say the same.
 */
final class ProcessOptions {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID",
            description = "The process to inspect, as the target pid:N (default: vdsoscope's own).")
    String pid;
}
