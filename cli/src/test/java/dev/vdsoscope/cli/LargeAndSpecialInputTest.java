package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that would make a naive reader hang or exhaust memory: a 2 GiB sparse file (zeros, and a
 * real vDSO followed by a 2 GiB hole), /dev/zero and a FIFO with no writer. Every command that takes
 * files must answer them within seconds, with its one-line error where the input is not ELF.
 */
class LargeAndSpecialInputTest {
    private static final List<List<String>> COMMANDS = List.of(List.of("file"), List.of("headers"),
            List.of("symbols"), List.of("symbols", "--style=objdump"), List.of("symbols", "--all", "--json"),
            List.of("ldd"), List.of("disasm"), List.of("gate"));

    @TempDir
    Path dir;

    @Test
    void hugeSparseAndSpecialFilesAreAnsweredQuickly() throws Exception {
        Path zeros = dir.resolve("zeros-2g");
        try (RandomAccessFile f = new RandomAccessFile(zeros.toFile(), "rw")) {
            f.setLength(2L << 30);
        }
        Path paddedVdso = dir.resolve("vdso-then-hole");
        Files.copy(Path.of("test-fixtures/vdso/x86_64-linux-6.12.117-vdso64.so"), paddedVdso,
                StandardCopyOption.REPLACE_EXISTING);
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

        for (List<String> command : COMMANDS) {
            for (String input : List.of(zeros.toString(), "/dev/zero", fifo.toString())) {
                String[] args = java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of(input))
                        .toArray(String[]::new);
                Cli.Result result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run(args),
                        String.join(" ", args));
                assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCode.BAD_INPUT);
                assertThat(result.stderr().lines().toList()).as(String.join(" ", args)).hasSize(1);
                assertThat(result.stderr()).as(String.join(" ", args)).startsWith("vdsoscope: " + input + ": ");
            }
        }
        // 2 GiB, and just below it, where the JDK will no longer wrap a segment as a ByteBuffer
        // (from Integer.MAX_VALUE - 7 bytes) and where it still does: each size takes its own path.
        for (long size : new long[] {2L << 30, Integer.MAX_VALUE - 4, Integer.MAX_VALUE - 8}) {
            try (RandomAccessFile f = new RandomAccessFile(paddedVdso.toFile(), "rw")) {
                f.setLength(size);
            }
            for (List<String> command : COMMANDS) {
                String[] args = java.util.stream.Stream.concat(command.stream(),
                        java.util.stream.Stream.of(paddedVdso.toString())).toArray(String[]::new);
                String what = String.join(" ", args) + " (" + size + " bytes)";
                Cli.Result result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run(args), what);
                assertThat(result.stderr()).as(what).doesNotContain("Exception").doesNotContain("internal error");
                assertThat(result.exitCode()).as(what).isLessThanOrEqualTo(ExitCode.FINDINGS);
            }
        }
    }
}
