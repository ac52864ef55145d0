package dev.vdsoscope.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs the command line in this JVM, bound to an {@link Output} of its own, and captures what it
 * prints: the one way tests (of any package) run vdsoscope in-process.
 */
public final class Cli {
    /** One run: its exit code, the bytes of standard output, and standard error. */
    public record Result(int exitCode, byte[] stdout, String stderr) {
        /** Standard output as UTF-8 text. */
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private Cli() {}

    public static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(Output.of(new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), args);
        return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }
}
