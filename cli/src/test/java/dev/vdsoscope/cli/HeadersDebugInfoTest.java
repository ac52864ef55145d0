package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.vdsoscope.loader.GccAccess;

/**
 * A separate-debuginfo file (objcopy --only-keep-debug) keeps PT_DYNAMIC and a NOBITS .dynamic:
 * readelf says it has no dynamic section, and so does headers, in text and JSON.
 */
class HeadersDebugInfoTest {
    @TempDir
    Path dir;

    @Test
    void aDebugInfoFileHasNoDynamicTable() throws Exception {
        assumeTrue(GccAccess.available(), "needs gcc");
        Path program = GccAccess.compile(dir.resolve("prog"), "int main(void) { return 0; }\n", "-g");
        Path debug = dir.resolve("prog.debug");
        assumeTrue(Toolchain.works(dir, "objcopy", "--only-keep-debug", program.toString(), debug.toString()),
                "needs objcopy");
        Process readelf = new ProcessBuilder("readelf", "-d", debug.toString()).redirectErrorStream(true).start();
        String oracle = new String(readelf.getInputStream().readAllBytes());
        readelf.waitFor();
        assertThat(oracle).contains("There is no dynamic section in this file.");
        Cli.Result text = Cli.run("headers", debug.toString());
        assertThat(text.out()).contains("Dynamic table: none in this file").doesNotContain("Dynamic table at offset");
        var json = new ObjectMapper().readTree(Cli.run("headers", "--json", debug.toString()).stdout());
        assertThat(json.at("/files/0/dynamic")).isEmpty();
        assertThat(json.at("/files/0/dynamic").isArray()).isTrue();
        assertThat(Cli.run("headers", program.toString()).out()).contains("Dynamic table at offset");
    }
}
