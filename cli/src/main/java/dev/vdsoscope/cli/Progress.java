package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * A one-line progress bar on standard error, shown only when the run's standard error is the
 * process's own and a terminal ({@link Output#errIsTerminal}: never into streams an embedder or a
 * test bound), and the batch is long enough to be worth watching (more than {@link #MIN_ITEMS}
 * subjects and half a second).
 */
final class Progress implements AutoCloseable {
    private static final int MIN_ITEMS = 50;
    private static final long SHOW_AFTER_NANOS = 500_000_000L;

    private final int total;
    /** Whether a long batch may draw; whether standard error is a terminal is asked only when it would. */
    private final boolean enabled;
    private final BooleanSupplier stderrIsTerminal;
    private final long showAfterNanos;
    private Boolean terminal;
    private final long start = System.nanoTime();
    private int done;
    private long lastDraw;
    private boolean drawn;
    /** The bar on the terminal now, if any: a process that halts must not leave it under the prompt. */
    private static volatile Progress onScreen;

    /** For tests: {@code stderrIsTerminal} is asked whether to draw, after {@code showAfterNanos}. */
    Progress(int total, boolean enabled, BooleanSupplier stderrIsTerminal, long showAfterNanos) {
        this.total = total;
        this.enabled = enabled;
        this.stderrIsTerminal = stderrIsTerminal;
        this.showAfterNanos = showAfterNanos;
    }

    static Progress start(int total) {
        return new Progress(total, total > MIN_ITEMS, Output::errIsTerminal, SHOW_AFTER_NANOS);
    }

    /** Never drawn: for work whose output is its own progress (a listing streamed as it is made). */
    static Progress hidden(int total) {
        return new Progress(total, false, () -> false, SHOW_AFTER_NANOS);
    }

    /** For a few long steps (measurements): shown on a terminal whatever the count. */
    static Progress startLongSteps(int total) {
        return new Progress(total, Output.errIsTerminal(), Output::errIsTerminal, SHOW_AFTER_NANOS);
    }

    void step(String subject) {
        done++;
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - start < showAfterNanos || (drawn && now - lastDraw < 100_000_000L)) {
            return;
        }
        if (terminal == null) {
            // Asked late: the first native call costs more than a short batch takes.
            terminal = stderrIsTerminal.getAsBoolean();
        }
        if (!terminal) {
            return;
        }
        lastDraw = now;
        drawn = true;
        onScreen = this;
        int width = 30;
        int filled = (int) ((long) width * done / total);
        String name = subject.length() > 40 ? "..." + subject.substring(subject.length() - 37) : subject;
        PrintStream err = Output.err();
        err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total + " " + name
                + "\033[K");
        err.flush();
    }

    @Override
    public void close() {
        if (drawn) {
            Output.err().print("\r\033[K");
            Output.err().flush();
            drawn = false;
        }
        onScreen = null;
    }

    /** Clears the bar on the terminal, if one is drawn; for a process about to halt. */
    static void clearIfDrawn() {
        Progress bar = onScreen;
        if (bar != null) {
            bar.close();
        }
    }
}
