package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.cli.LddPair.Answer;
import dev.vdsoscope.elf.testing.SectionBytes;
import dev.vdsoscope.loader.GccAccess;

/**
 * Symbol versions as ld.so checks them when ldd traces a program: gcc-built programs whose library
 * is swapped for builds that define fewer versions, none, or records of another format, each
 * answered by the real ldd (with and without {@code -v}) and by {@code vdsoscope ldd --style=ldd}.
 */
class LddVersionsTest {
    private static final String LIBRARY = "int foo(void) { return 1; }\nint bar(void) { return 2; }\n";
    private static final String PROGRAM = "int foo(void); int bar(void); int main(void) { return foo() + bar(); }\n";

    @TempDir
    Path dir;
    private Path program;

    @BeforeAll
    static void needsGccAndLdd() {
        LddPair.assumeGccAndLdd();
    }

    /** libv.so in three builds (VERS_1 and VERS_2; VERS_1 only; no versions), and a program that needs VERS_2. */
    @BeforeEach
    void build() throws Exception {
        Files.writeString(dir.resolve("v1.map"), "VERS_1 { global: foo; bar; local: *; };\n");
        Files.writeString(dir.resolve("v2.map"), "VERS_1 { global: foo; local: *; };\nVERS_2 { global: bar; } VERS_1;\n");
        library("both", "-Wl,--version-script=" + dir.resolve("v2.map"));
        library("one", "-Wl,--version-script=" + dir.resolve("v1.map"));
        library("none");
        Files.createDirectories(dir.resolve("lib"));
        program = GccAccess.compile(dir.resolve("prog"), PROGRAM, dir.resolve("both/libv.so").toString(),
                "-Wl,--enable-new-dtags,-rpath," + dir.resolve("lib"));
    }

    private void library(String build, String... flags) throws Exception {
        String[] arguments = new String[flags.length + 3];
        arguments[0] = "-shared";
        arguments[1] = "-fPIC";
        arguments[2] = "-Wl,-soname,libv.so";
        System.arraycopy(flags, 0, arguments, 3, flags.length);
        GccAccess.compile(dir.resolve(build + "/libv.so"), LIBRARY, arguments);
    }

    private void install(String build) throws Exception {
        Files.copy(dir.resolve(build + "/libv.so"), dir.resolve("lib/libv.so"), StandardCopyOption.REPLACE_EXISTING);
    }

    private Answer same(List<String> options, Path... files) throws Exception {
        return LddPair.assertSame(dir, options, files);
    }

    @Test
    void everyNeededVersionDefined() throws Exception {
        install("both");
        assertThat(same(List.of(), program).out()).doesNotContain("version");
        Answer verbose = same(List.of("-v"), program);
        assertThat(verbose.out()).contains("\tVersion information:\n").contains("libv.so (VERS_2) => " + dir.resolve("lib/libv.so"));
        assertThat(verbose.exitCode()).isZero();
    }

    @Test
    void aVersionTheLibraryDoesNotDefine() throws Exception {
        install("one");
        Answer plain = same(List.of(), program);
        assertThat(plain.out()).startsWith(program + ": " + dir.resolve("lib/libv.so") + ": version `VERS_2' not found (required by "
                + program + ")\n");
        assertThat(same(List.of("-v"), program).out()).contains("libv.so (VERS_2) => not found");

        Cli.Result view = Cli.run("ldd", "--library-path=", "--why", program.toString());
        assertThat(view.exitCode()).as("a version missing is a finding").isEqualTo(1);
        assertThat(view.out()).contains("version missing: " + dir.resolve("lib/libv.so")).contains("it defines VERS_1")
                .contains("1 version missing");
        JsonNode problem = new ObjectMapper().readTree(Cli.run("ldd", "--library-path=", "--json", program.toString()).out())
                .at("/files/0/versionProblems/0");
        assertThat(problem.get("kind").asText()).isEqualTo("not-found");
        assertThat(problem.get("version").asText()).isEqualTo("VERS_2");
        assertThat(problem.get("requiredBy").asText()).isEqualTo(program.toString());
        assertThat(problem.get("defined").toString()).isEqualTo("[\"VERS_1\"]");
    }

    @Test
    void aLibraryBuiltWithoutVersions() throws Exception {
        install("none");
        assertThat(same(List.of(), program).out()).contains(": no version information available (required by " + program + ")");
        same(List.of("-v"), program);
        assertThat(Cli.run("ldd", "--library-path=", program.toString()).exitCode()).as("only a warning").isZero();
    }

    @Test
    void aWeakVersionNotDefined() throws Exception {
        install("one");
        byte[] bytes = Files.readAllBytes(program);
        SectionBytes sections = new SectionBytes(bytes);
        int aux = sections.vernaux("VERS_2");
        sections.buffer().putShort(aux + 4, (short) (sections.buffer().getShort(aux + 4) | 0x2)); // VER_FLG_WEAK
        Path weak = Files.write(dir.resolve("weak"), bytes);
        weak.toFile().setExecutable(true);
        assertThat(same(List.of(), weak).out()).contains(": weak version `VERS_2' not found (required by " + weak + ")");
        assertThat(same(List.of("-v"), weak).out()).contains("libv.so (VERS_2) [WEAK] => not found");
    }

    /** The issue's own example: a program built against a newer glibc than the one installed. */
    @Test
    void aGlibcVersionFromTheFuture() throws Exception {
        Path plain = GccAccess.compile(dir.resolve("hello"), "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n");
        byte[] bytes = Files.readAllBytes(plain);
        new SectionBytes(bytes).renameNeededVersion("GLIBC_2.2.5", "GLIBC_9.9.9");
        Path future = Files.write(dir.resolve("future"), bytes);
        Answer answer = same(List.of(), future);
        assertThat(answer.out()).contains("libc.so.6: version `GLIBC_9.9.9' not found (required by " + future + ")");
        same(List.of("-v"), future);
        assertThat(Cli.run("ldd", "--why", future.toString()).out()).contains("versions, the last ");
    }

    @Test
    void aVerneedRecordOfAnotherFormatStopsLdSo() throws Exception {
        install("both");
        byte[] bytes = Files.readAllBytes(program);
        SectionBytes sections = new SectionBytes(bytes);
        sections.buffer().putShort(sections.firstVerneed(), (short) 0);
        Path odd = Files.write(dir.resolve("odd"), bytes);
        assertThat(same(List.of(), odd).out()).contains("unsupported version 0 of Verneed record");
        same(List.of("-v"), odd);
    }

    @Test
    void aVerdefRecordOfAnotherFormat() throws Exception {
        byte[] bytes = Files.readAllBytes(dir.resolve("both/libv.so"));
        SectionBytes sections = new SectionBytes(bytes);
        sections.buffer().putShort(sections.firstVerdef(), (short) 2);
        Files.write(dir.resolve("lib/libv.so"), bytes);
        assertThat(same(List.of(), program).out()).contains("unsupported version 2 of Verdef record");
        same(List.of("-v"), program);
    }

    /** A library not found has no versions to check; the others still are, and several files keep their order. */
    @Test
    void severalFilesOneMissingLibrary() throws Exception {
        install("one");
        Path elsewhere = GccAccess.compile(dir.resolve("elsewhere/prog"), PROGRAM, dir.resolve("both/libv.so").toString(),
                "-Wl,--enable-new-dtags,-rpath,$ORIGIN/lib");
        Answer answer = same(List.of(), program, elsewhere, Path.of("/usr/bin/true"));
        assertThat(answer.out()).contains("libv.so => not found").contains("version `VERS_2' not found");
        same(List.of("-v"), program, elsewhere, Path.of("/usr/bin/true"));
    }
}
