package dev.vdsoscope.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The README's sample outputs are still what the tool prints: each sample's command is run again
 * and its output compared with the README's, addresses, numbers and column widths masked. On the
 * machine the samples were recorded on every line must match; elsewhere (another kernel, another
 * CPU: other exports, other alternatives, other clocks) the headings must, in order, and the test
 * says so. The 32-bit sample is skipped, visibly, where the kernel runs no 32-bit x86 program.
 */
@Isolated // the report in the samples times calls
class ReadmeSamplesTest {
    private static Optional<String> whyNoI386;

    @BeforeAll
    static void askForI386() {
        whyNoI386 = ReadmeSamples.whyNoI386();
    }

    @TestFactory
    Stream<DynamicTest> everySampleMatchesTheTool() throws Exception {
        String readme = Files.readString(ReadmeSamples.README);
        List<ReadmeSamples.Sample> samples = ReadmeSamples.samples(readme);
        assertThat(samples).as("samples in README.md").hasSizeGreaterThanOrEqualTo(5);
        boolean sameMachine = ReadmeSamples.recordedOn(readme).equals(ReadmeSamples.thisMachine());
        if (!sameMachine) {
            System.out.println("README samples were recorded on " + ReadmeSamples.recordedOn(readme) + "; this is "
                    + ReadmeSamples.thisMachine() + ": their headings are compared, not every line");
        }
        return samples.stream().map(sample -> DynamicTest.dynamicTest("./vdsoscope " + sample.arguments(), () -> {
            if (sample.needsI386()) {
                assumeTrue(whyNoI386.isEmpty(), () -> "needs a 32-bit x86 process: " + whyNoI386.orElse(""));
            }
            String fresh = ReadmeSamples.run(sample.args());
            List<String> expected = lines(sample.output(), !sameMachine);
            List<String> actual = lines(fresh, !sameMachine);
            assertThat(actual).as("./vdsoscope " + sample.arguments() + " (README.md; scripts/readme-samples"
                    + " records them again)").isEqualTo(expected);
        }));
    }

    /** The masked lines of an output; with {@code headingsOnly}, those that start at the margin. */
    private static List<String> lines(String output, boolean headingsOnly) {
        List<String> lines = new ArrayList<>();
        for (String line : output.lines().toList()) {
            if (!headingsOnly || (!line.isBlank() && !Character.isWhitespace(line.charAt(0)))) {
                lines.add(ReadmeSamples.masked(line));
            }
        }
        return lines;
    }
}
