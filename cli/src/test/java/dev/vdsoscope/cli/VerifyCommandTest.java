package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.vdsoscope.testing.ChildVdsoscope;
import dev.vdsoscope.testing.TimeNamespace;

/**
 * verify on this machine's vDSO passes; with a stale clock injected it fails, saying which and how;
 * in a time namespace (unshare --time, where the kernel and this user allow one) it passes too,
 * the offsets applied by both sides.
 */
@ResourceLock(VerifyCommand.INJECT_PROPERTY)
class VerifyCommandTest {
    @Test
    void thisMachinesVdsoPasses() throws Exception {
        Cli.Result r = Cli.run("verify", "--duration", "0.3");
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.out()).containsPattern("PASS  clock_gettime order +CLOCK_MONOTONIC ")
                .containsPattern("PASS  the pinned CPU +getcpu ")
                .containsPattern("PASS  bad pointer: vDSO faults, system call EFAULT +clock_gettime ")
                .containsPattern("PASS  bad pointer: vDSO faults, system call EFAULT +gettimeofday ")
                .endsWith("Verdict: every check passed.\n");
        // (Regular files only: the working directory, the repository's root, has the module directory core/.)
        assertThat(java.nio.file.Files.list(java.nio.file.Path.of(".")).filter(java.nio.file.Files::isRegularFile)
                .map(p -> p.getFileName().toString())
                .filter(name -> name.startsWith("hs_err") || name.startsWith("core"))).as("the faulting children leave no file")
                .isEmpty();
        JsonNode json = new ObjectMapper().readTree(Cli.run("verify", "--json", "--no-faults", "--duration", "0.2").stdout());
        assertThat(json.get("passed").asBoolean()).isTrue();
        assertThat(json.get("checks").size()).isGreaterThan(20);
    }

    @Test
    void aStaleClockFailsWithOneClearLine() {
        System.setProperty(VerifyCommand.INJECT_PROPERTY, "stale:CLOCK_MONOTONIC");
        try {
            Cli.Result r = Cli.run("verify", "--no-faults", "--duration", "0.2");
            assertThat(r.exitCode()).isEqualTo(ExitCode.FINDINGS);
            assertThat(r.out()).containsPattern("FAIL  clock_gettime order +CLOCK_MONOTONIC +1 round: system call"
                    + " \\d+\\.\\d{9}, vDSO \\d+\\.\\d{9}, system call \\d+\\.\\d{9}: the vDSO's answer is before the first")
                    .containsPattern("PASS  clock_gettime order +CLOCK_REALTIME ")
                    .endsWith("Verdict: 1 check failed.\n");
        } finally {
            System.clearProperty(VerifyCommand.INJECT_PROPERTY);
        }
    }

    @Test
    void aTimeNamespacePasses() throws Exception {
        TimeNamespace.assumeAvailable();
        ChildVdsoscope.Result verify = TimeNamespace.run(86400, 3600, "verify", "--duration", "0.3");
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).contains("Verdict: every check passed.");
    }
}
