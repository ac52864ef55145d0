package dev.vdsoscope.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * vdsoscope run in a child JVM inside a new time namespace ({@code unshare --time}, util-linux),
 * for the tests that check what the vDSO and its data look like there. A process cannot move itself
 * into a time namespace; only its children are born in one.
 */
public final class TimeNamespace {
    private TimeNamespace() {}

    /** As root, then as this user in a user namespace where it is root (unprivileged time namespaces). */
    private static final List<List<String>> UNSHARE = List.of(List.of("unshare", "--time", "--fork"),
            List.of("unshare", "--user", "--map-root-user", "--time", "--fork"));

    /** The first way of UNSHARE that works here, or why none does. */
    private record Way(List<String> unshare, String why) {}

    private static Way way() throws IOException, InterruptedException {
        String why = "";
        for (List<String> unshare : UNSHARE) {
            List<String> command = new ArrayList<>(unshare);
            command.add("true");
            Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
            why = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (probe.waitFor() == 0) {
                return new Way(unshare, null);
            }
        }
        return new Way(null, why);
    }

    /**
     * Skips the calling test, visibly, where this machine cannot make a time namespace: neither as
     * root nor inside a user namespace of this user's (an old kernel, user namespaces disabled).
     */
    public static void assumeAvailable() throws IOException, InterruptedException {
        Way way = way();
        assumeTrue(way.unshare() != null, "no time namespace here (unshare --time: " + way.why() + ")");
    }

    /**
     * Runs {@code vdsoscope ARGS} from the test class path in a new time namespace whose CLOCK_MONOTONIC
     * and CLOCK_BOOTTIME are ahead by the given seconds.
     */
    public static ChildVdsoscope.Result run(long monotonicSeconds, long boottimeSeconds, String... args)
            throws IOException, InterruptedException {
        Way way = way();
        List<String> prefix = new ArrayList<>(way.unshare() != null ? way.unshare() : UNSHARE.get(0));
        prefix.addAll(List.of("--monotonic=" + monotonicSeconds, "--boottime=" + boottimeSeconds));
        return ChildVdsoscope.run(prefix, List.of(), args);
    }
}
