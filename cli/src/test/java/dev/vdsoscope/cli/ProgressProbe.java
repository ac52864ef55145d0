package dev.vdsoscope.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Run by {@link ProgressTest} in a child JVM whose standard streams are a terminal (under
 * script(1)): draws a progress bar once into a captured Output and once into the process's own, and
 * prints what each received, one {@code key=value} line each.
 */
public final class ProgressProbe {
    private ProgressProbe() {}

    public static void main(String[] args) {
        System.out.println("stderr-is-terminal=" + Terminal.stderrIsTerminal());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Output embedded = Output.of(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(captured, true, StandardCharsets.UTF_8));
        embedded.bind(() -> draw("captured"));
        System.out.println("captured-bytes=" + captured.size());
        System.out.println("captured-dump-refused=" + embedded.bind(Output::outIsTerminal));
        Output.standard().bind(() -> draw("standard"));
        System.out.println();
        System.out.println("standard-is-terminal=" + Output.standard().bind(Output::errIsTerminal));
    }

    /** One long batch's progress, shown at once rather than after half a second. */
    private static Void draw(String subject) {
        try (Progress progress = new Progress(100, true, Output::errIsTerminal, 0)) {
            progress.step(subject);
        }
        return null;
    }
}
