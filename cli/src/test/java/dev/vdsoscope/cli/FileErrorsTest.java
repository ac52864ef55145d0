package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input that is not an ELF file gets the one-line error of docs/FILE-COMPAT.md on standard error and
 * exit code 2, and the other files of the batch are still described. A FIFO is never opened, so
 * nothing blocks.
 */
class FileErrorsTest {
    @TempDir
    Path dir;

    @Test
    void badInputsFailOneLineEachAndTheBatchGoesOn() throws IOException {
        Path elf = FileFixturesTest.fixtures().get(0);
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        Path empty = Files.createFile(dir.resolve("empty"));
        Path directory = Files.createDirectory(dir.resolve("a-directory"));
        Path fifo = dir.resolve("fifo");
        Toolchain.run(dir, "mkfifo", fifo.toString());
        Path missing = dir.resolve("missing");
        Path zero = Path.of("/dev/zero");
        List<Path> inputs = List.of(text, elf, empty, directory, fifo, zero, missing, elf);

        FileOracle.Run run = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> FileOracle.ours(prepend("file", inputs)));

        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        String line = FileOracle.theirs(elf);
        assertThat(run.outLines()).hasSize(2).allSatisfy(out -> {
            assertThat(out).startsWith(elf + ":");
            assertThat(out.substring(elf.toString().length() + 1).stripLeading()).isEqualTo(line);
        });
        List<String> errors = run.errLines();
        assertThat(errors).hasSize(6);
        assertThat(errors.get(0)).startsWith("vdsoscope: " + text + ": not an ELF file").endsWith("(at offset 0x0)");
        assertThat(errors.get(1)).isEqualTo("vdsoscope: " + empty + ": empty file");
        assertThat(errors.get(2)).isEqualTo("vdsoscope: " + directory + ": is a directory");
        assertThat(errors.get(3)).isEqualTo("vdsoscope: " + fifo + ": not a regular file");
        assertThat(errors.get(4)).isEqualTo("vdsoscope: " + zero + ": not a regular file");
        assertThat(errors.get(5)).isEqualTo("vdsoscope: " + missing + ": no such file or directory");
    }

    @Test
    void jsonListsEveryFileTheUnreadableWithTheirError() throws IOException {
        Path elf = FileFixturesTest.fixtures().get(0);
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        FileOracle.Run run = FileOracle.ours("file", "--json", text.toString(), elf.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.out()).contains("\"file\" : \"" + elf + "\"").contains("\"file\" : \"" + text + "\"")
                .contains("\"message\" : \"not an ELF file");
        assertThat(run.errLines()).hasSize(1);
    }

    private static String[] prepend(String first, List<Path> rest) {
        String[] args = new String[rest.size() + 1];
        args[0] = first;
        for (int i = 0; i < rest.size(); i++) {
            args[i + 1] = rest.get(i).toString();
        }
        return args;
    }
}
