package dev.vdsoscope.linux;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A short-lived child process that vdsoscope runs to learn what it cannot learn in its own address
 * space: the system's own ld.so describing itself, or whether this kernel runs programs of another
 * ABI at all. Never the file being analysed. The child reads nothing, writes its standard output to
 * a temporary file (kept up to a bound; standard error is dropped), and is killed when it outlives
 * its time. No thread is started for it: a child that never closes its output cannot block us.
 */
public final class ChildProcess {
    /** What a child left behind. */
    public record Result(int status, String out) {
        /** Whether it exited with status 0. */
        public boolean succeeded() {
            return status == 0;
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
     * A new file for the child's output, private to this user, made without Files.createTempFile:
     * its random names come from SecureRandom, whose start-up costs more than a child does. The name
     * is unique to this process and moment; CREATE_NEW refuses anything already there.
     */
    private static Path outputFile() throws IOException {
        Path directory = Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
        for (int attempt = 0; ; attempt++) {
            Path file = directory.resolve("vdsoscope-child-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            try {
                return Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /**
     * Runs {@code command} with this process's environment changed by {@code environment} (a null
     * value removes the variable) and waits at most {@code timeout}. The output is read as ISO-8859-1,
     * byte for character.
     */
    public static Result run(List<String> command, Map<String, String> environment, Duration timeout)
            throws ChildException {
        Path output = null;
        try {
            output = outputFile();
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(output.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            environment.forEach((name, value) -> {
                if (value == null) {
                    builder.environment().remove(name);
                } else {
                    builder.environment().put(name, value);
                }
            });
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new ChildException(command.getFirst() + " did not finish within " + timeout.toSeconds() + " s");
            }
            try (InputStream in = Files.newInputStream(output)) {
                return new Result(process.exitValue(), new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new ChildException("cannot run " + command.getFirst() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChildException(command.getFirst() + ": interrupted");
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException e) {
                    // A temporary file left behind is harmless.
                }
            }
        }
    }
}
