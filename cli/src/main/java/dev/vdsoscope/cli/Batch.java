package dev.vdsoscope.cli;

import java.util.List;

/**
 * Runs one action per subject (file or pid), turning each failure into its one-line message so that
 * the rest of the batch is still done. The exit code is the most severe one met.
 */
final class Batch {
    interface Action {
        void run(String subject) throws Exception;
    }

    private int exitCode = ExitCode.OK;
    /** Told of every subject that failed (a JSON batch adds an entry for it); by default nothing. */
    private java.util.function.Consumer<Failure> onFailure = failure -> { };

    /**
     * Has a JSON batch keep an entry for every subject that failed, in the order of the subjects:
     * {@code entries} gets a {@link JsonFailedInput} for each.
     */
    Batch recordingFailuresIn(List<? super JsonFailedInput> entries) {
        onFailure = failure -> entries.add(JsonFailedInput.of(failure));
        return this;
    }

    int exitCode() {
        return exitCode;
    }

    void each(List<String> subjects, Action action) {
        try (Progress progress = Progress.start(subjects.size())) {
            for (String subject : subjects) {
                progress.step(subject);
                run(subject, action);
            }
        }
    }

    void run(String subject, Action action) {
        try {
            action.run(subject);
        } catch (Throwable t) {
            fail(Failure.of(subject, t));
        }
    }

    void fail(Failure failure) {
        onFailure.accept(failure);
        report(failure);
    }

    /**
     * A failure of a subject whose answer the batch's JSON already holds (ldd's entry for a file that
     * is no ELF file, or that ld.so would crash on): its line and exit code, and no second entry.
     */
    void failAnswered(Failure failure) {
        report(failure);
    }

    private void report(Failure failure) {
        Output.out().flush();
        Output.err().println(failure.line());
        if (Main.debug() && failure.getCause() != null) {
            failure.getCause().printStackTrace(Output.err());
        }
        exitCode = Math.max(exitCode, failure.exitCode());
    }

    /** Records a finding (exit 1) without a message. */
    void finding() {
        exitCode = Math.max(exitCode, ExitCode.FINDINGS);
    }

    /**
     * The warning lines one subject may print: a hostile file can raise one problem per table entry,
     * and the first few say what is wrong with it; the rest are counted.
     */
    static final int WARNING_LINES = 3;

    /** Prints a warning line for a partial answer: {@code vdsoscope: FILE: warning: ...}. */
    static void warn(String subject, String warning) {
        Output.out().flush();
        Output.err().println(Failure.oneLine("vdsoscope: " + subject + ": warning: " + warning));
    }

    /**
     * Prints all of one subject's warnings: the first {@link #WARNING_LINES} as lines of their own,
     * then one line with the number of the others ({@code warning: and 22 more}).
     */
    static void warn(String subject, List<String> warnings) {
        for (String warning : warnings.subList(0, Math.min(WARNING_LINES, warnings.size()))) {
            warn(subject, warning);
        }
        if (warnings.size() > WARNING_LINES) {
            warn(subject, "and " + (warnings.size() - WARNING_LINES) + " more");
        }
    }
}
