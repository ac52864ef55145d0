package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.loader.GccAccess;

class DiffCommandTest {
    static final String FIXTURES = "test-fixtures/vdso/";

    @Test
    void getrandomArrivesBetween61And612() throws Exception {
        Cli.Result r = Cli.run("diff", "--json", FIXTURES + "x86_64-linux-6.1-vdso64.so",
                FIXTURES + "x86_64-linux-6.12.117-vdso64.so");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(ExitCode.FINDINGS);
        JsonNode d = new ObjectMapper().readTree(r.stdout());
        assertThat(d.path("symbols").path("added").valueStream().map(JsonNode::asText))
                .containsExactly("__vdso_getrandom", "getrandom");
        assertThat(d.path("symbols").path("removed")).isEmpty();
        assertThat(d.path("a").path("buildId").asText()).isNotEqualTo(d.path("b").path("buildId").asText());
        JsonNode time = d.path("functions").valueStream().filter(f -> f.path("name").asText().endsWith("time")
                && !f.path("name").asText().contains("clock")).findFirst().orElseThrow();
        // 6.12 adds endbr64 and reads another vdso_data offset: 3 of 11 instructions differ, as objdump shows.
        assertThat(time.path("verdict").asText()).isEqualTo("changed");
        assertThat(time.path("changed").asInt()).isEqualTo(3);
        assertThat(time.path("compared").asInt()).isEqualTo(11);
        Cli.Result text = Cli.run("diff", FIXTURES + "x86_64-linux-6.1-vdso64.so",
                FIXTURES + "x86_64-linux-6.12.117-vdso64.so");
        assertThat(text.out()).contains("added    __vdso_getrandom, getrandom")
                .contains("moved    __vdso_time = time  0x930 -> 0xbb0");
        // --code shows those three: the endbr64, and the load from the other offset (objdump -d of both).
        Cli.Result code = Cli.run("diff", "--code", FIXTURES + "x86_64-linux-6.1-vdso64.so",
                FIXTURES + "x86_64-linux-6.12.117-vdso64.so");
        String timeCode = code.out().substring(code.out().indexOf("  __vdso_time "));
        assertThat(timeCode).contains("\n      + endbr64\n").contains("\n      - movq 0x20(%rax), %rax\n")
                .contains("\n      + movq 0x28(%rax), %rax\n").contains("\n        testq %rdi, %rdi\n");
        assertThat(time.path("changes").size()).isEqualTo(13);
    }

    @Test
    void anImageEqualsItself() {
        Cli.Result r = Cli.run("diff", FIXTURES + "aarch64-linux-6.12.117-vdso.so",
                FIXTURES + "aarch64-linux-6.12.117-vdso.so");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out()).contains("__kernel_clock_gettime       identical bytes").doesNotContain("changed");
    }

    @Test
    void movedCodeWithTheSameInstructionsIsNotAChange() {
        // The x32 image of a kernel holds the x86-64 code linked 0x280 lower: only rip-relative
        // displacements and branch targets differ.
        Cli.Result r = Cli.run("diff", FIXTURES + "x86_64-linux-6.12.117-vdso64.so",
                FIXTURES + "x32-linux-6.12.117-vdsox32.so");
        assertThat(r.out()).contains("__vdso_clock_gettime         same instructions (only relative displacements differ)")
                .doesNotContain("changed ");
    }

    @Test
    void exportedDataInBssIsNotCompared(@TempDir Path dir) throws Exception {
        // Zero-initialised exported data has no bytes in the file: only the function's code is compared.
        assumeTrue(GccAccess.available(), "needs gcc");
        String source = "int counter; int bump(void) { return ++counter + %d; }\n";
        Path a = GccAccess.compile(dir.resolve("a.so"), source.formatted(1), "-shared", "-fPIC");
        Path b = GccAccess.compile(dir.resolve("b.so"), source.formatted(2), "-shared", "-fPIC");
        Cli.Result r = Cli.run("diff", a.toString(), b.toString());
        assertThat(r.stderr()).isEmpty();
        assertThat(r.out()).contains("Code of the functions in both").containsPattern("\\n  bump +")
                .doesNotContainPattern("\\n  counter ");
    }

    /** A damage found deep in the comparison (a function's code outside the image) names the image it is in. */
    @Test
    void aDamagedImageIsNamed(@TempDir Path dir) throws Exception {
        Path good = Path.of(FIXTURES + "x86_64-linux-6.1-vdso64.so");
        byte[] bytes = java.nio.file.Files.readAllBytes(good);
        try (dev.vdsoscope.elf.ElfFile elf = dev.vdsoscope.elf.ElfFile.open(good)) {
            var symbols = elf.dynamicSymbols().orElseThrow();
            long dynsym = elf.section(".dynsym").orElseThrow().offset();
            for (int i = 1; i < symbols.size(); i++) {
                if (symbols.get(i).name().equals("__vdso_time")) {
                    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                            .putLong((int) dynsym + 24 * i + 8, 0x7fff_0000L); // st_value far outside the image
                }
            }
        }
        Path damaged = java.nio.file.Files.write(dir.resolve("damaged.so"), bytes);
        Cli.Result r = Cli.run("diff", good.toString(), damaged.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.stderr()).startsWith("vdsoscope: " + damaged + ": ").doesNotContain(" or ");
    }
}
