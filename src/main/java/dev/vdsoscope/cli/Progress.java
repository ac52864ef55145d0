package dev.vdsoscope.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar on standard error, shown only when standard error is a terminal and the
 * batch is long enough to be worth watching (more than {@link #MIN_ITEMS} subjects and half a second).
 */
final class Progress implements AutoCloseable {
    private static final int MIN_ITEMS = 50;
    private static final long SHOW_AFTER_NANOS = 500_000_000L;

    private final int total;
    /** Whether a long batch may draw; whether standard error is a terminal is asked only when it would. */
    private final boolean enabled;
    private Boolean terminal;
    private final long start = System.nanoTime();
    private int done;
    private long lastDraw;
    private boolean drawn;
    /** The bar on the terminal now, if any: a process that halts must not leave it under the prompt. */
    private static volatile Progress onScreen;

    private Progress(int total, boolean enabled) {
        this.total = total;
        this.enabled = enabled;
    }

    static Progress start(int total) {
        return new Progress(total, total > MIN_ITEMS);
    }

    /** For a few long steps (measurements): shown on a terminal whatever the count. */
    static Progress startLongSteps(int total) {
        return new Progress(total, Terminal.stderrIsTerminal());
    }

    void step(String subject) {
        done++;
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - start < SHOW_AFTER_NANOS || now - lastDraw < 100_000_000L) {
            return;
        }
        if (terminal == null) {
            // Asked late: the first native call costs more than a short batch takes.
            terminal = Terminal.stderrIsTerminal();
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
