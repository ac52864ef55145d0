package dev.vdsoscope.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.vdsoscope.linux.Libc;

/** Where commands write: a large buffer over standard output, flushed once at the end. */
public final class Output {
    private static PrintStream out;
    private static PrintStream err;
    private static CheckedStdout stdout;

    private Output() {}

    public static synchronized PrintStream out() {
        if (out == null) {
            stdout = new CheckedStdout();
            out = new PrintStream(new BufferedOutputStream(stdout, 1 << 16), false, StandardCharsets.UTF_8);
        }
        return out;
    }

    public static synchronized PrintStream err() {
        if (err == null) {
            err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        }
        return err;
    }

    /** For tests: capture what the commands print. */
    public static synchronized void redirect(PrintStream newOut, PrintStream newErr) {
        out = newOut;
        err = newErr;
    }

    public static void flush() {
        if (out != null) {
            out.flush();
        }
    }

    /**
     * Why standard output could not be written, if it could not: PrintStream swallows the error, and
     * a full disk must not pass for success.
     */
    public static synchronized String writeFailure() {
        IOException failure = stdout == null ? null : stdout.failure;
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

        private IOException failure;

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
