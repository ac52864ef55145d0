package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files whose machine some glibc ld.so here runs, with a class or byte order wrong for it: ld.so
 * --verify refuses them, so ldd says "not a dynamic executable" (the --style=ldd side is checked
 * against the real ldd), and the default view is a "refused" finding (exit 1) with the reason of
 * the ld.so that took the file up. The reasons are glibc 2.36's open_verify (elf/dl-load.c), checked
 * in its order: the class first (passed over), then the machine as that ld.so reads it, then the byte
 * order (refused). Inputs are fixtures with one header byte changed, so the answers do not depend
 * on this machine.
 */
class LddWrongClassOrByteOrderTest {
    private static final Path FIXTURES = Path.of("test-fixtures/vdso");

    @TempDir
    Path dir;

    /** A fixture with e_machine (little-endian, at 18) or EI_DATA (at 5) changed. */
    private Path patched(String fixture, String name, int machine, int data) throws Exception {
        byte[] image = Files.readAllBytes(FIXTURES.resolve(fixture));
        if (machine >= 0) {
            ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putShort(18, (short) machine);
        }
        if (data >= 0) {
            image[5] = (byte) data;
        }
        return Files.write(dir.resolve(name), image);
    }

    private record Case(Path file, String view) {}

    private List<Case> cases() throws Exception {
        String x8664 = "x86_64-linux-6.1-vdso64.so";
        return List.of(
                new Case(patched(x8664, "arm-in-elf64.so", 40, -1),
                        "not a dynamic executable (arm, no ld.so takes it: wrong ELF class: ELFCLASS64)"),
                new Case(patched(x8664, "i386-in-elf64.so", 3, -1),
                        "not a dynamic executable (i386, no ld.so takes it: wrong ELF class: ELFCLASS64)"),
                new Case(patched("armcompat-linux-6.12.117-vdso32.so", "aarch64-in-elf32.so", 183, -1),
                        "not a dynamic executable (aarch64, no ld.so takes it: wrong ELF class: ELFCLASS32)"),
                // EI_DATA says big-endian; e_machine, read little-endian as the x86 ld.so reads it, is its own.
                new Case(patched(x8664, "x86-64-big-endian.so", -1, 2),
                        "not a dynamic executable (x86-64, ld.so refuses it: ELF file data encoding not little-endian)"),
                new Case(patched("i386-linux-6.1-686-vdso32.so", "i386-big-endian.so", -1, 2),
                        "not a dynamic executable (i386, ld.so refuses it: ELF file data encoding not little-endian)"));
    }

    @Test
    void theDefaultViewIsARefusedFindingWithTheReason() throws Exception {
        for (Case c : cases()) {
            Cli.Result r = Cli.run("ldd", c.file().toString());
            assertThat(r.out()).as(c.file().toString()).isEqualTo(c.file() + ": " + c.view() + "\n");
            assertThat(r.stderr()).as(c.file().toString()).isEmpty();
            assertThat(r.exitCode()).as(c.file().toString()).isEqualTo(ExitCode.FINDINGS);
            JsonNode json = new ObjectMapper().readTree(Cli.run("ldd", "--json", c.file().toString()).out())
                    .get("files").get(0);
            assertThat(json.get("linkage").asText()).isEqualTo("refused");
            assertThat(c.view()).contains("(" + json.get("abi").asText() + ", " + json.get("reason").asText() + ")");
        }
    }

    @Test
    void lddStyleIsWhatLddSays() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ldd")), "glibc's ldd is the oracle");
        for (Case c : cases()) {
            LddPair.Answer ldd = LddPair.assertSame(dir, List.of(), c.file());
            assertThat(ldd.out()).isEmpty();
            assertThat(ldd.err()).isEqualTo("\tnot a dynamic executable\n");
            assertThat(ldd.exitCode()).isEqualTo(1);
        }
    }

    /** A machine no ld.so here runs, in either byte order, is bad input, and the message gives the class and byte order. */
    @Test
    void noLoaderForTheMachineSaysClassAndByteOrder() throws Exception {
        Path file = patched("x86_64-linux-6.1-vdso64.so", "unknown-machine.so", 0x1234, 2);
        Cli.Result r = Cli.run("ldd", file.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        // EI_DATA says big-endian: e_machine's bytes 34 12 read so are 0x3412.
        assertThat(r.stderr()).isEqualTo("vdsoscope: " + file + ": no loader model for machine EM_13330"
                + " (ELFCLASS64, ELFDATA2MSB)\n");
        assertThat(r.out()).isEmpty();
    }
}
