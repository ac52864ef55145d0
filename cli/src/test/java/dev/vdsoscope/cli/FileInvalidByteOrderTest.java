package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An ELF file whose byte order is neither LSB nor MSB, of every kind of class: file(1) describes it
 * from the identification bytes, and so does vdsoscope, byte for byte (file(1) is the oracle).
 */
class FileInvalidByteOrderTest {
    @TempDir
    Path dir;

    @Test
    void describedAsFileDescribesIt() throws Exception {
        byte[] original = Files.readAllBytes(Path.of("test-fixtures/vdso/x86_64-linux-6.1-vdso64.so"));
        for (int elfClass : new int[] {0, 1, 2, 5}) {
            for (int data : new int[] {0, 3, 0x80}) {
                byte[] bytes = original.clone();
                bytes[4] = (byte) elfClass;
                bytes[5] = (byte) data;
                Path file = Files.write(dir.resolve("class" + elfClass + "-data" + data), bytes);
                String theirs = FileOracle.theirs(file);
                Cli.Result ours = Cli.run("file", "-b", file.toString());
                assertThat(ours.exitCode()).as(ours.stderr()).isZero();
                assertThat(ours.out().strip()).as("class %d, byte order %d", elfClass, data).isEqualTo(theirs);
            }
        }
        Path one = dir.resolve("class2-data3");
        var json = new ObjectMapper().readTree(Cli.run("file", "--json", one.toString()).stdout()).at("/files/0");
        assertThat(json.get("description").asText()).isEqualTo("ELF 64-bit (SYSV)");
        assertThat(json.get("warnings").get(0).asText()).contains("byte order");
    }
}
