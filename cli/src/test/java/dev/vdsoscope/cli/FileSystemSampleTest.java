package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * (c) A bounded, deterministic sample of the ELF files installed on this machine: every Nth regular
 * file (symbolic links are left out: file(1) would describe the link) that starts with \177ELF in
 * /usr/bin, /usr/sbin and /usr/lib/x86_64-linux-gnu, sorted by path, about 300 in all. Class, byte
 * order, machine, type, build-id, stripped and debug_info must agree on every file; the whole line on
 * at least 99% of them. Every difference is printed.
 */
class FileSystemSampleTest {
    private static final List<Path> ROOTS = List.of(Path.of("/usr/bin"), Path.of("/usr/sbin"),
            Path.of("/usr/lib/x86_64-linux-gnu"));
    private static final int SAMPLE = 300;

    static List<Path> sample() throws IOException {
        List<Path> elves = new ArrayList<>();
        for (Path root : ROOTS) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                        .filter(p -> !p.toString().contains(": "))
                        .filter(FileSystemSampleTest::startsWithElfMagic)
                        .forEach(elves::add);
            }
        }
        elves.sort(null);
        int step = Math.max(1, elves.size() / SAMPLE);
        List<Path> sample = new ArrayList<>();
        for (int i = 0; i < elves.size(); i += step) {
            sample.add(elves.get(i));
        }
        return sample;
    }

    private static boolean startsWithElfMagic(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            return Arrays.equals(in.readNBytes(4), new byte[] {0x7f, 'E', 'L', 'F'});
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void sampleOfInstalledFilesAgreesWithFile() throws IOException {
        List<Path> sample = sample();
        assertThat(sample).as("ELF files found to sample").hasSizeGreaterThan(50);
        List<String> theirs = FileOracle.theirs(sample);
        Map<Path, String> ours = FileOracle.ours(sample);
        List<String> lineDifferences = new ArrayList<>();
        List<String> factDifferences = new ArrayList<>();
        for (int i = 0; i < sample.size(); i++) {
            Path p = sample.get(i);
            String mine = ours.get(p);
            if (!theirs.get(i).equals(mine)) {
                lineDifferences.add(p + "\n  ours:   " + mine + "\n  file:   " + theirs.get(i));
            }
            FileLine expected = FileLine.parse(theirs.get(i));
            FileLine actual = FileLine.parse(mine);
            if (!expected.equals(actual)) {
                factDifferences.add(p + "\n  ours:   " + actual + "\n  file:   " + expected);
            }
            assertThat(expected.elfClass()).as("file(1) line of %s parsed", p).isNotNull();
        }
        int same = sample.size() - lineDifferences.size();
        System.out.printf("file(1) agreement on %d sampled system files: %d exact (%.2f%%)%n", sample.size(), same,
                100.0 * same / sample.size());
        lineDifferences.forEach(System.out::println);
        assertThat(factDifferences).as("files where class, byte order, machine, type, build-id, stripped or "
                + "debug_info differ").isEmpty();
        assertThat(same).as("exact lines: at least 99%% of %d", sample.size()).isGreaterThanOrEqualTo(
                (int) Math.ceil(sample.size() * 0.99));
    }
}
