package dev.vdsoscope.elf.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Which of the host's tools a test can ask (gcc, objdump, pahole...): for its assumptions. */
public final class HostTools {
    private HostTools() {}

    /** Whether {@code tool --version} runs and succeeds here. */
    public static boolean installed(String tool) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** How a tool run ended: its exit code (-1 when it did not end within two minutes) and its two streams. */
    public record Run(int exitCode, String stdout, String stderr) {}

    /** Runs {@code command} in {@code dir} (null: the current directory) and waits for it, two minutes at most. */
    public static Run run(Path dir, String... command) throws IOException, InterruptedException {
        Path stderr = Files.createTempFile("host-tool", ".err");
        try {
            Process p = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile())
                    .redirectError(stderr.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean ended = p.waitFor(2, TimeUnit.MINUTES);
            if (!ended) {
                p.destroyForcibly();
            }
            return new Run(ended ? p.exitValue() : -1, out, Files.readString(stderr));
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
