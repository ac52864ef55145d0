package dev.vdsoscope.linux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A short-lived child process that vdsoscope runs to learn what it cannot learn in its own address
 * space: the system's own ld.so describing itself, or whether this kernel runs programs of another
 * ABI at all. Never the file being analysed. The child gets no standard input, its output is kept up
 * to a bound, and it is killed when it outlives its time.
 */
public final class ChildProcess {
    /** What a child left behind. */
    public record Result(int status, byte[] out, byte[] err) {
        /** Whether it exited with status 0. */
        public boolean succeeded() {
            return status == 0;
        }

        public String outText() {
            return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /** A child that could not be started, or that did not finish in time. */
    public static final class ChildException extends Exception {
        public ChildException(String message) {
            super(message);
        }
    }

    private static final int MAX_OUTPUT = 4 * 1024 * 1024;

    private ChildProcess() {}

    /**
     * Runs {@code command} with this process's environment changed by {@code environment} (a null
     * value removes the variable) and waits at most {@code timeout}.
     */
    public static Result run(List<String> command, Map<String, String> environment, Duration timeout)
            throws ChildException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null")));
        environment.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ChildException("cannot run " + command.getFirst() + ": " + e.getMessage());
        }
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new ChildException(command.getFirst() + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(process.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ChildException(command.getFirst() + ": interrupted");
        } catch (ExecutionException e) {
            throw new ChildException(command.getFirst() + ": " + e.getCause().getMessage());
        }
    }

    /** Reads a stream to its end, keeping at most MAX_OUTPUT bytes (the rest is read and dropped). */
    private static byte[] drain(InputStream in) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                kept.write(buffer, 0, Math.min(n, Math.max(0, MAX_OUTPUT - kept.size())));
            }
        } catch (IOException e) {
            // The child went away: what was read stands.
        }
        return kept.toByteArray();
    }
}
