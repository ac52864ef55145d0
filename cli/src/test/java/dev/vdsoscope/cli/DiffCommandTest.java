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

    /**
     * Two builds of one library, one function changed: the diff names that function, and only it, as
     * changed; the others (moved by the new code or not) are unchanged. The changed instruction is
     * the constant objdump -d shows in each build.
     */
    @Test
    void twoBuildsWithOneFunctionChangedShowExactlyThatFunction(@TempDir Path dir) throws Exception {
        assumeTrue(GccAccess.available(), "needs gcc");
        assumeTrue(dev.vdsoscope.disasm.CapstoneLibrary.find().isPresent(), "needs Capstone (libcapstone4)");
        String source = """
                int scale(int x) { return x * %d; }
                int twice(int x) { return scale(x) + scale(x); }
                int negate(int x) { return -x; }
                """;
        Path a = GccAccess.compile(dir.resolve("liba.so"), source.formatted(3), "-shared", "-fPIC", "-O1");
        Path b = GccAccess.compile(dir.resolve("libb.so"), source.formatted(5), "-shared", "-fPIC", "-O1");
        Cli.Result r = Cli.run("diff", "--json", a.toString(), b.toString());
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(ExitCode.FINDINGS);
        JsonNode d = new ObjectMapper().readTree(r.stdout());
        assertThat(d.path("codeCompared").asBoolean()).isTrue();
        assertThat(d.path("functions").valueStream().filter(f -> f.path("verdict").asText().equals("changed"))
                .map(f -> f.path("name").asText())).containsExactly("scale");
        assertThat(d.path("functions").valueStream().map(f -> f.path("name").asText()))
                .contains("twice", "negate");
        Cli.Result code = Cli.run("diff", "--code", a.toString(), b.toString());
        String scale = code.out().substring(code.out().indexOf("\n  scale ") + 1);
        assertThat(scale.lines().skip(1).takeWhile(l -> l.startsWith("      "))
                .filter(l -> l.startsWith("      - ") || l.startsWith("      + ")))
                .as("the edit script of scale: %s", scale).isNotEmpty()
                .allSatisfy(l -> assertThat(l).containsAnyOf("0x3", "0x5", "lea", "add", "imul", "shl", "sal"));
    }

    /** ls and cat: exported data in .bss (__progname and the like) moves, nothing fails. */
    @Test
    void lsAgainstCat() {
        Path ls = Path.of("/bin/ls");
        Path cat = Path.of("/bin/cat");
        assumeTrue(java.nio.file.Files.isRegularFile(ls) && java.nio.file.Files.isRegularFile(cat), "no /bin/ls or /bin/cat");
        Cli.Result r = Cli.run("diff", ls.toString(), cat.toString());
        assertThat(r.stderr()).isEmpty();
        assertThat(r.exitCode()).isEqualTo(ExitCode.FINDINGS);
        assertThat(r.out()).contains("Symbols").contains("Sections").contains("Code of the functions in both");
    }

    /**
     * libc against /usr/lib32's: two instruction sets. Symbols, versions and sections are compared
     * (the symbols added and removed are those objdump -T lists in one file only); addresses and code
     * are not, and a note says so.
     */
    @Test
    void libcAgainstLib32Libc() throws Exception {
        Path libc64 = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
        Path libc32 = Path.of("/usr/lib32/libc.so.6");
        assumeTrue(java.nio.file.Files.isRegularFile(libc64), "no /lib/x86_64-linux-gnu/libc.so.6");
        assumeTrue(java.nio.file.Files.isRegularFile(libc32), "no /usr/lib32/libc.so.6 (gcc-multilib)");
        assumeTrue(dev.vdsoscope.testing.Objdump.available(), "objdump 2.40 is not installed");
        Cli.Result r = Cli.run("diff", "--json", libc64.toString(), libc32.toString());
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(ExitCode.FINDINGS);
        JsonNode d = new ObjectMapper().readTree(r.stdout());
        assertThat(d.path("codeCompared").asBoolean()).isFalse();
        assertThat(d.path("functions")).isEmpty();
        assertThat(d.path("symbols").path("moved")).isEmpty();
        assertThat(d.path("notes").valueStream().map(JsonNode::asText))
                .anySatisfy(n -> assertThat(n).contains("different instruction sets"));
        java.util.Set<String> in64 = definedDynamicNames(libc64);
        java.util.Set<String> in32 = definedDynamicNames(libc32);
        java.util.Set<String> added = new java.util.TreeSet<>(in32);
        added.removeAll(in64);
        java.util.Set<String> removed = new java.util.TreeSet<>(in64);
        removed.removeAll(in32);
        assertThat(d.path("symbols").path("added").valueStream().map(JsonNode::asText)).containsExactlyElementsOf(added);
        assertThat(d.path("symbols").path("removed").valueStream().map(JsonNode::asText))
                .containsExactlyElementsOf(removed);
        Cli.Result text = Cli.run("diff", libc64.toString(), libc32.toString());
        assertThat(text.out()).contains("not compared: the two images are of different instruction sets");
    }

    /**
     * The names objdump -T lists as defined functions, objects or untyped symbols, not IFUNCs, TLS,
     * section or file symbols: the exports diff compares. A line is "VALUE FLAGS SECTION\tSIZE
     * [VERSION] NAME" with seven flag characters, the fifth 'i' for an IFUNC, the seventh F, O or blank.
     */
    private static java.util.Set<String> definedDynamicNames(Path file) throws Exception {
        dev.vdsoscope.testing.Objdump.Run run = dev.vdsoscope.testing.Objdump.objdump(java.util.List.of(file.toString()));
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("^[0-9a-f]{8,16} (.{7}) (\\S+)\t.* (\\S+)$");
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String text : new String(run.stdout(), java.nio.charset.StandardCharsets.ISO_8859_1).lines().toList()) {
            java.util.regex.Matcher m = line.matcher(text);
            if (!m.matches()) {
                continue;
            }
            String flags = m.group(1);
            String section = m.group(2);
            boolean export = "FO ".indexOf(flags.charAt(6)) >= 0 && flags.charAt(4) != 'i' && flags.charAt(5) != 'd'
                    && !section.equals("*UND*") && !section.equals("*ABS*") && !section.startsWith(".tdata")
                    && !section.startsWith(".tbss");
            if (export) {
                names.add(m.group(3));
            }
        }
        return names;
    }
}
