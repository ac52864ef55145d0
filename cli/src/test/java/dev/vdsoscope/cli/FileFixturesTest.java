package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** (a) Every vDSO fixture: our line must be exactly what {@code file -b} prints. */
class FileFixturesTest {
    static final Path FIXTURES = Path.of("test-fixtures/vdso");

    static List<Path> fixtures() throws IOException {
        try (Stream<Path> files = Files.list(FIXTURES)) {
            return files.filter(p -> !p.getFileName().toString().endsWith(".md")).sorted().toList();
        }
    }

    @Test
    void everyFixtureAgreesWithFile() throws IOException {
        List<Path> fixtures = fixtures();
        assertThat(fixtures).hasSizeGreaterThanOrEqualTo(9);
        List<String> differences = FileOracle.differences(fixtures);
        System.out.println("file(1) agreement on fixtures: " + (fixtures.size() - differences.size()) + "/"
                + fixtures.size());
        assertThat(differences).as("fixtures where we differ from file -b").isEmpty();
    }

    @Test
    void briefOmitsTheName() throws IOException {
        Path fixture = fixtures().get(0);
        FileOracle.Run run = FileOracle.ours("file", "-b", fixture.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).containsExactly(FileOracle.theirs(fixture));
    }

    /** Without -b, every line is "NAME:" padded to the longest name, then the description, as file prints. */
    @Test
    void namesArePaddedLikeFile(@TempDir Path dir) throws IOException {
        FileOracle.assumeFile544();
        Path shortName = Files.copy(fixtures().get(1), dir.resolve("v.so"));
        List<String> names = List.of(fixtures().get(0).toString(), shortName.toString(), fixtures().get(2).toString());
        List<String> command = new java.util.ArrayList<>(List.of("file", "--"));
        command.addAll(names);
        List<String> args = new java.util.ArrayList<>(List.of("file"));
        args.addAll(names);
        assertThat(FileOracle.ours(args.toArray(String[]::new)).outLines()).isEqualTo(FileOracle.run(command));
        command.add(1, "-N");
        args.add(1, "-N");
        assertThat(FileOracle.ours(args.toArray(String[]::new)).outLines()).isEqualTo(FileOracle.run(command));
    }
}
