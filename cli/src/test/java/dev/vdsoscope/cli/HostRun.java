package dev.vdsoscope.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A host program run to completion with no input: its exit code, standard output and standard error. */
record HostRun(int exitCode, String stdout, String stderr) {
    /** Runs {@code builder}'s command; a run that outlasts {@code timeout} is killed and fails the test. */
    static HostRun of(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("hostrun", ".out");
        Path err = Files.createTempFile("hostrun", ".err");
        try {
            Process process = builder.redirectInput(new File("/dev/null")).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(builder.command() + " did not finish in " + timeout);
            }
            return new HostRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static HostRun of(Duration timeout, String... command) throws IOException, InterruptedException {
        return of(new ProcessBuilder(command), timeout);
    }

    /** Whether a program of that name is on PATH (found the way a shell finds it). */
    static boolean onPath(String program) {
        return List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")).stream()
                .anyMatch(directory -> Files.isExecutable(Path.of(directory.isEmpty() ? "." : directory, program)));
    }
}
