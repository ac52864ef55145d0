package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every batch command's JSON has an entry per input, in order, the failed ones with an error object
 * (code, exit code, message as on standard error, offset), so a consumer of the JSON alone sees
 * every input: a missing file, a text file, a truncated ELF file, beside one that reads.
 */
class BatchJsonFailuresTest {
    @ParameterizedTest
    @ValueSource(strings = {"file", "headers", "symbols", "ldd"})
    void everyInputHasAnEntryAndTheFailedOnesAnErrorObject(String command, @TempDir Path dir) throws Exception {
        String missing = dir.resolve("missing").toString();
        Path text = Files.writeString(dir.resolve("notes.txt"), "not ELF\n");
        Path truncated = dir.resolve("truncated.so");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(Path.of("/bin/true")), 40));
        Cli.Result r = Cli.run(command, "--json", missing, "/bin/true", text.toString(), truncated.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        JsonNode files = new ObjectMapper().readTree(r.stdout()).get("files");
        assertThat(files).hasSize(4);
        assertThat(files.get(0).get("file").asText()).isEqualTo(missing);
        assertThat(files.get(0).get("error").get("code").asText()).isEqualTo("bad-input");
        assertThat(files.get(0).get("error").get("message").asText()).isEqualTo("no such file or directory");
        assertThat(files.get(0).get("error").get("offset").isNull()).isTrue();
        assertThat(files.get(1).has("error")).as("/bin/true reads").isFalse();
        assertThat(r.stderr()).contains("vdsoscope: " + missing + ": no such file or directory\n");
        if (command.equals("ldd")) {
            // ldd answers the text file and the cut one in its own words (verification, crash): one entry each.
            assertThat(files.get(2).get("file").asText()).isEqualTo(text.toString());
            assertThat(files.get(3).get("file").asText()).isEqualTo(truncated.toString());
            return;
        }
        assertThat(files.get(2).get("error").get("code").asText()).isEqualTo("not-elf");
        assertThat(files.get(2).get("error").get("offset").asText()).isEqualTo("0x0");
        if (command.equals("file")) {
            // file(1) describes a cut ELF header from its identification bytes: an answer, not an error.
            assertThat(files.get(3).get("description").asText()).startsWith("ELF 64-bit LSB");
            return;
        }
        JsonNode cut = files.get(3).get("error");
        assertThat(cut.get("exitCode").asInt()).isEqualTo(ExitCode.BAD_INPUT);
        // The message is the line on standard error, after "vdsoscope: FILE: ".
        assertThat(r.stderr()).contains("vdsoscope: " + truncated + ": " + cut.get("message").asText() + "\n");
    }
}
