package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.cli.LddPair.Answer;
import dev.vdsoscope.loader.LddOracle;

/**
 * ldd's whole output, not just its list: this machine's executables and libraries given to the real
 * ldd and to {@code vdsoscope ldd --style=ldd} with the same options, forty files to a run, standard
 * output (addresses masked), standard error and exit status compared; a run that differs is asked
 * again file by file to name the files. {@code -Dldd.sample=0} takes every file (the full sweep of
 * scripts/ldd-differential.sh), {@code -Dldd.modes} the option sets, separated by commas.
 */
class LddOutputSweepTest {
    private static final int SAMPLE = Integer.getInteger("ldd.sample", 120);
    private static final List<List<String>> MODES = Arrays.stream(System.getProperty("ldd.modes", ",-v").split(",", -1))
            .map(mode -> mode.isBlank() ? List.<String>of() : List.of(mode.strip().split(" +"))).toList();
    private static final int CHUNK = 40;

    @Test
    void sameOutputAsLdd() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ldd")), "needs glibc's ldd");
        // Started elsewhere than LddDifferentialTest's sample, so that the two compare different files.
        List<String> sample = LddOracle.systemSample(SAMPLE, 7);
        assumeTrue(sample.size() > 50, "too few ELF files here");
        StringBuilder report = new StringBuilder();
        List<Double> agreements = new ArrayList<>();
        for (List<String> mode : MODES) {
            List<String> differences = new ArrayList<>();
            for (int i = 0; i < sample.size(); i += CHUNK) {
                List<String> chunk = sample.subList(i, Math.min(sample.size(), i + CHUNK));
                if (!LddPair.ldd(Path.of("/"), mode, chunk).equals(LddPair.ours(mode, chunk))) {
                    for (String file : chunk) {
                        Answer expected = LddPair.ldd(Path.of("/"), mode, List.of(file));
                        Answer actual = LddPair.ours(mode, List.of(file));
                        if (!expected.equals(actual)) {
                            differences.add(file + "\n--- ldd " + String.join(" ", mode) + "\n" + expected
                                    + "\n+++ vdsoscope\n" + actual);
                        }
                    }
                }
            }
            double agreement = 100.0 * (sample.size() - differences.size()) / sample.size();
            agreements.add(agreement);
            String summary = String.format("ldd %s: %d files, %d differ, %.2f%% agree%n", String.join(" ", mode),
                    sample.size(), differences.size(), agreement);
            System.out.print(summary);
            report.append(summary);
            differences.forEach(d -> report.append(d).append('\n'));
        }
        Files.writeString(Path.of("cli/target/ldd-output-sweep.txt"), report);
        assertThat(agreements).as(report.toString()).allSatisfy(a -> assertThat(a).isGreaterThanOrEqualTo(99.5));
    }
}
