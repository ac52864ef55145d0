package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.vdsoscope.elf.testing.HostTools;
import dev.vdsoscope.testing.DamagedCorpus;

/** headers --json writes ELF's unsigned 64-bit fields as non-negative numbers, as readelf prints them. */
class HeadersUnsignedJsonTest {
    @Test
    void anAlignmentOfTwoToThe63IsPositive(@TempDir Path dir) throws Exception {
        assumeTrue(HostTools.installed("readelf"), "readelf (binutils) is not installed");
        byte[] image = DamagedCorpus.change(
                Files.readAllBytes(Path.of("test-fixtures/vdso/x86_64-linux-6.12.117-vdso64.so")),
                "shdr .text sh_addralign=0x8000000000000000");
        Path file = Files.write(dir.resolve("align63.so"), image);
        String theirs = FileOracle.run(List.of("readelf", "-SW", file.toString())).stream()
                .filter(line -> line.contains(" .text ")).findFirst().orElseThrow();
        String readelfAlign = theirs.substring(theirs.lastIndexOf(' ') + 1);

        Cli.Result ours = Cli.run("headers", "--json", file.toString());
        assertThat(ours.exitCode()).as(ours.stderr()).isZero();
        JsonNode root = new ObjectMapper().enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS).readTree(ours.out());
        JsonNode text = null;
        for (JsonNode section : root.get("files").get(0).get("sections")) {
            if (section.get("name").asText().equals(".text")) {
                text = section;
            }
        }
        assertThat(text).isNotNull();
        assertThat(text.get("addralign").isNumber()).isTrue();
        assertThat(text.get("addralign").bigIntegerValue()).isEqualTo(new BigInteger(readelfAlign))
                .isEqualTo(BigInteger.ONE.shiftLeft(63));
    }
}
