package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.vdsoscope.measure.KernelEntryProof;

/**
 * The report's time section ends with an answer on every run, however busy the machine (the suite
 * runs other tests beside this one): the seccomp proof decides, and the text and JSON say so.
 */
class ReportVerdictTest {
    @Test
    void everyRunEndsWithAVerdictAndNamesTheMethod() throws Exception {
        Optional<String> why = KernelEntryProof.unavailable();
        assumeTrue(why.isEmpty(), () -> "seccomp cannot be used here, so timing decides: " + why.orElse(""));
        for (int run = 0; run < 10; run++) {
            String speed = Cli.run().out().lines().filter(l -> l.startsWith("Speed of time calls: ")).findFirst()
                    .orElseThrow();
            assertThat(speed).as("run %d", run).startsWith("Speed of time calls: CLOCK_MONOTONIC is ")
                    .contains("(proved with a seccomp filter that marks the system call)");
        }
        var json = new ObjectMapper().readTree(Cli.run("report", "--json").stdout()).get("speed");
        assertThat(json.get("method").asText()).isEqualTo("seccomp");
        assertThat(json.get("verdict").asText()).isIn("vdso", "syscall");
    }
}
