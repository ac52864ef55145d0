package dev.vdsoscope.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.vdsoscope.linux.Libc;

/**
 * Where a run of the command line writes. Each run binds its thread to one Output for its duration,
 * so that runs in different threads (the tests', for instance) each write to their own streams; the
 * process's own is a large buffer over standard output, flushed once at the end, and standard error.
 * (A thread-local bound and restored around the run, as a scoped value would be: ScopedValue is
 * still a preview API in the JDK 22 the tool supports.)
 */
public final class Output {
    private static final ThreadLocal<Output> CURRENT = new ThreadLocal<>();

    private final PrintStream out;
    private final PrintStream err;
    /** Standard output's own stream, which remembers a failed write; null for other streams. */
    private final CheckedStdout stdout;
    /** --debug: errors come with their stack trace. */
    volatile boolean debug;

    private Output(PrintStream out, PrintStream err, CheckedStdout stdout) {
        this.out = out;
        this.err = err;
        this.stdout = stdout;
    }

    /** The process's standard output and error. */
    private static final class Standard {
        static final Output INSTANCE = standard();

        private static Output standard() {
            CheckedStdout stdout = new CheckedStdout();
            return new Output(new PrintStream(new BufferedOutputStream(stdout, 1 << 16), false, StandardCharsets.UTF_8),
                    new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8), stdout);
        }
    }

    /** The process's standard output and error. */
    public static Output standard() {
        return Standard.INSTANCE;
    }

    /** Other streams: an embedding program's, or a test's. */
    public static Output of(PrintStream out, PrintStream err) {
        return new Output(out, err, null);
    }

    /** Runs {@code run} with this as the Output of the thread, then restores the one before. */
    public <T> T bind(Supplier<T> run) {
        Output before = CURRENT.get();
        CURRENT.set(this);
        try {
            return run.get();
        } finally {
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        }
    }

    /** The Output of this run: the one bound, else the process's standard streams. */
    static Output current() {
        Output bound = CURRENT.get();
        return bound != null ? bound : standard();
    }

    public static PrintStream out() {
        return current().out;
    }

    public static PrintStream err() {
        return current().err;
    }

    public static void flush() {
        current().out.flush();
    }

    /**
     * Whether this run's standard output is a terminal: only when it is the process's own standard
     * output and that is one. Streams an embedder or a test binds are never taken for a terminal,
     * whatever file descriptor 1 is.
     */
    static boolean outIsTerminal() {
        return current().isStandard() && Terminal.stdoutIsTerminal();
    }

    /** As {@link #outIsTerminal}, for standard error (where progress bars are drawn). */
    static boolean errIsTerminal() {
        return current().isStandard() && Terminal.stderrIsTerminal();
    }

    /** Whether these are the process's own standard streams (only those have a checked standard output). */
    private boolean isStandard() {
        return stdout != null;
    }

    /**
     * Why standard output could not be written, if it could not: PrintStream swallows the error, and
     * a full disk must not pass for success.
     */
    public static String writeFailure() {
        Output current = current();
        IOException failure = current.stdout == null ? null : current.stdout.failure;
        if (failure == null && current.stdout == null && current.out.checkError()) {
            return "write error";
        }
        return failure == null ? null : failure.getMessage();
    }

    /**
     * Standard output that remembers its first write error, and ends the process when its reader has
     * gone: the JVM ignores SIGPIPE, so without this a batch under {@code | head} would go on
     * reading every file for nobody. Halting (no shutdown hooks) is safe here: nothing the tool
     * writes to standard output has a file to clean up, and a hook could wait on a lock this
     * thread holds.
     */
    private static final class CheckedStdout extends FileOutputStream {
        /**
         * The JDK gives only strerror's text, which is translated in the user's locale ("Datenübergabe
         * unterbrochen (broken pipe)"), so it is compared with this process's own text for EPIPE.
         */
        private static boolean isBrokenPipe(IOException e) {
            String message = e.getMessage();
            return message != null && (message.equals("Broken pipe") || message.equals(Libc.strerror(Libc.EPIPE)));
        }

        private volatile IOException failure;

        CheckedStdout() {
            super(FileDescriptor.out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            try {
                super.write(bytes, offset, length);
            } catch (IOException e) {
                if (isBrokenPipe(e)) {
                    Progress.clearIfDrawn();
                    Runtime.getRuntime().halt(ExitCode.BROKEN_PIPE);
                }
                if (failure == null) {
                    failure = e;
                }
                throw e;
            }
        }
    }

    /**
     * Writes a JSON document on one line (field order as declared by the records) and flushes it: a
     * stream of these (JSON Lines) is what a watching command prints.
     */
    public static void jsonLine(Object document) {
        try {
            new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValue(out(), document);
            out().println();
            out().flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Writes a JSON document (pretty, stable field order as declared by the records) and a newline. */
    public static void json(Object document) {
        try {
            ObjectMapper mapper = new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            mapper.writeValue(out(), document);
            out().println();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
