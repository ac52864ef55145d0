package dev.vdsoscope.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * vdsoscope run in a child JVM inside a new time namespace ({@code unshare --time}, util-linux),
 * for the tests that check what the vDSO and its data look like there. A process cannot move itself
 * into a time namespace; only its children are born in one.
 */
public final class TimeNamespace {
    private TimeNamespace() {}

    /** What the child printed (standard output and error together) and how it exited. */
    public record Result(int exitCode, String output) {}

    /** Skips the calling test, visibly, where this machine cannot make a time namespace (no root, old kernel). */
    public static void assumeAvailable() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("unshare", "--time", "--fork", "true").redirectErrorStream(true).start();
        String why = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assumeTrue(probe.waitFor() == 0, "no time namespace here (unshare --time: " + why + ")");
    }

    /**
     * Runs {@code vdsoscope ARGS} from the test class path in a new time namespace whose CLOCK_MONOTONIC
     * and CLOCK_BOOTTIME are ahead by the given seconds.
     */
    public static Result run(long monotonicSeconds, long boottimeSeconds, String... args)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of("unshare", "--time", "--fork",
                "--monotonic=" + monotonicSeconds, "--boottime=" + boottimeSeconds, java,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.vdsoscope.cli.Main"));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(child.waitFor(), output);
    }
}
