package dev.vdsoscope.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The model against the real ldd on a deterministic sample of this machine's executables and
 * libraries (every k-th file of the sorted list); scripts/ldd-differential.sh runs the full sweep.
 */
class LddDifferentialTest {
    /** -Dldd.sample=0 compares every file (the full sweep of scripts/ldd-differential.sh). */
    private static final int SAMPLE = Integer.getInteger("ldd.sample", 300);

    @Test
    void agreesWithLddOnASampleOfThisMachine() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ldd")), "needs glibc's ldd");
        List<String> sample = LddOracle.systemSample(SAMPLE, 0);
        assumeTrue(sample.size() > 50, "too few ELF files here");
        Map<String, List<String>> expected = LddOracle.run(sample);
        Loader loader = new Loader(LoaderOptions.system().withLibraryPath(Optional.empty()));
        List<String> differences = new ArrayList<>();
        int compared = 0;
        for (String file : sample) {
            if (!expected.containsKey(file)) {
                continue;
            }
            compared++;
            List<String> actual = lines(loader, file);
            if (!actual.equals(expected.get(file))) {
                differences.add(file + "\n  ldd:   " + expected.get(file) + "\n  model: " + actual);
            }
        }
        double agreement = 100.0 * (compared - differences.size()) / compared;
        System.out.printf("ldd differential sample: %d files, %d differ, %.2f%% agree%n", compared,
                differences.size(), agreement);
        differences.forEach(System.out::println);
        Files.writeString(Path.of("core/target/ldd-differential.txt"), String.format("%d files, %d differ, %.2f%%%n%s%n",
                compared, differences.size(), agreement, String.join("\n", differences)));
        assertThat(compared).isGreaterThan(Math.min(sample.size(), SAMPLE) / 2);
        assertThat(agreement).as(String.join("\n", differences)).isGreaterThanOrEqualTo(99.5);
    }

    /** The model's answer in the oracle's normal form. */
    static List<String> lines(Loader loader, String file) {
        try {
            LoadResult result = loader.resolve(file);
            return switch (result.verification()) {
                case NOT_DYNAMIC, REFUSED, NOT_ELF, NO_LOADER -> List.of("not a dynamic executable");
                case STATICALLY_LINKED -> List.of("statically linked");
                case CRASHES -> List.of("crash: " + result.crash().orElseThrow().describe());
                case DYNAMIC -> result.failure().isPresent()
                        ? List.of(result.failure().get().line(file.contains("/") ? file : "./" + file))
                        : result.listing().stream().map(LddDifferentialTest::line).toList();
            };
        } catch (Exception e) {
            return List.of("error: " + e);
        }
    }

    private static String line(LoadedLibrary library) {
        if (library.kind() == LoadedLibrary.Kind.NOT_FOUND) {
            return library.name() + " => not found";
        }
        String path = library.path().orElse(library.name());
        return path.equals(library.name()) ? library.name() : library.name() + " => " + path;
    }
}
