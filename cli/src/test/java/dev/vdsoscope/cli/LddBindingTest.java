package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.cli.LddPair.Answer;
import dev.vdsoscope.elf.testing.SectionBytes;
import dev.vdsoscope.loader.GccAccess;

/**
 * ldd -r and -d without running anything: gcc-built programs whose libraries are swapped for builds
 * that lack functions or data, change a copied object's size, define symbols in other versions or
 * none, are protected, bound now or symbolic, each traced by the real ldd (-r, -d, and -r -v) and
 * by {@code vdsoscope ldd --style=ldd}: the same bytes (addresses masked) and exit status.
 */
class LddBindingTest {
    private static final List<List<String>> MODES = List.of(List.of("-r"), List.of("-d"), List.of("-r", "-v"));

    @TempDir
    Path dir;

    @BeforeAll
    static void needsGccAndLdd() {
        LddPair.assumeGccAndLdd();
    }

    /** Every mode, each file alone and all together; returns ldd's answers to -r. */
    private Answer same(Path... files) throws Exception {
        Answer functions = null;
        for (List<String> mode : MODES) {
            Answer answer = LddPair.assertSame(dir, mode, files);
            if (mode.equals(List.of("-r"))) {
                functions = answer;
            }
        }
        return functions;
    }

    private Path library(String name, String source, String... flags) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("-shared", "-fPIC", "-Wl,-soname,libb.so"));
        arguments.addAll(List.of(flags));
        return GccAccess.compile(dir.resolve(name + "/libb.so"), source, arguments.toArray(String[]::new));
    }

    private void install(String name) throws IOException {
        Files.createDirectories(dir.resolve("lib"));
        Files.copy(dir.resolve(name + "/libb.so"), dir.resolve("lib/libb.so"), StandardCopyOption.REPLACE_EXISTING);
    }

    private Path program(String name, String source, String... flags) throws IOException {
        List<String> arguments = new ArrayList<>(List.of(dir.resolve("full/libb.so").toString(),
                "-Wl,--enable-new-dtags,-rpath," + dir.resolve("lib")));
        arguments.addAll(List.of(flags));
        return GccAccess.compile(dir.resolve(name), source, arguments.toArray(String[]::new));
    }

    private static final String FULL = """
            int foo(void) { return 1; }
            int bar(void) { return 2; }
            int data_a = 5;
            int data_b[4] = {1, 2, 3, 4};
            int data_c[4] = {1, 2, 3, 4};
            """;
    private static final String USES = """
            extern int data_a; extern int data_b[4]; extern int data_c[4];
            int foo(void); int bar(void);
            __attribute__((weak)) int weak_function(void);
            extern int weak_data __attribute__((weak));
            int main(void) {
                return foo() + bar() + data_a + data_b[1] + data_c[1] + (weak_function ? weak_function() : 0)
                        + (&weak_data ? 1 : 0);
            }
            """;

    /** The cases: functions and data missing (strong and weak), copied objects that grew and shrank. */
    @Test
    void missingFunctionsAndDataAndChangedSizes() throws Exception {
        library("full", FULL);
        library("part", "int foo(void) { return 1; }\nint data_b[8] = {1};\nint data_c[2] = {1};\n");
        Path pie = program("pie", USES);
        Path fixed = program("fixed", USES, "-no-pie", "-fno-pic");
        install("full");
        assertThat(same(pie, fixed).out()).doesNotContain("undefined");
        install("part");
        Answer answer = same(pie);
        assertThat(answer.out()).contains("undefined symbol: bar\t(" + pie + ")")
                .contains("undefined symbol: data_a\t(" + pie + ")")
                .contains(pie + ": Symbol `data_b' has different size in shared object, consider re-linking")
                .doesNotContain("weak_");
        assertThat(answer.exitCode()).as("ld.so goes on, and ldd with it").isZero();
        same(fixed);
        same(pie, fixed);
    }

    /** The program named by a relative path: ld.so names it, in its messages, as it was given. */
    @Test
    void theProgramByARelativePath() throws Exception {
        library("full", FULL);
        library("part", "int foo(void) { return 1; }\n");
        Path pie = program("pie", USES);
        install("part");
        Path here = Path.of("").toAbsolutePath();
        String relative = here.relativize(pie).toString();
        Answer expected = LddPair.ldd(here, List.of("-r"), List.of(relative));
        assertThat(LddPair.ours(List.of("-r"), List.of(relative))).isEqualTo(expected);
        assertThat(expected.out()).contains("\t(" + relative + ")");
    }

    /** Versioned references: a version that moved, a hidden old version, an unversioned program against versions. */
    @Test
    void symbolVersions() throws Exception {
        Files.writeString(dir.resolve("v1.map"), "VERS_1 { global: foo; bar; data_a; data_b; data_c; local: *; };\n");
        Files.writeString(dir.resolve("v2.map"), "VERS_1 { global: foo; data_a; data_b; data_c; local: *; };\n"
                + "VERS_2 { global: bar; } VERS_1;\n");
        library("full", FULL, "-Wl,--version-script=" + dir.resolve("v2.map"));
        library("old", FULL, "-Wl,--version-script=" + dir.resolve("v1.map"));
        // bar@VERS_1 kept hidden beside the default bar@@VERS_2, as glibc does when an interface changes.
        library("both", FULL.replace("int bar(void) { return 2; }", """
                int bar_old(void) { return 2; }
                int bar_new(void) { return 3; }
                __asm__(".symver bar_old, bar@VERS_1");
                __asm__(".symver bar_new, bar@@VERS_2");
                """), "-Wl,--version-script=" + dir.resolve("v2.map"));
        library("none", FULL);
        Path needsTwo = program("needs-two", USES);
        install("old");
        assertThat(same(needsTwo).out()).contains("undefined symbol: bar, version VERS_2\t(" + needsTwo + ")");
        install("both");
        same(needsTwo);
        Path unversioned = GccAccess.compile(dir.resolve("unversioned"), USES, dir.resolve("none/libb.so").toString(),
                "-Wl,--enable-new-dtags,-rpath," + dir.resolve("lib"));
        same(unversioned);
        install("old");
        same(unversioned);
    }

    /** A versioned reference into a library built without versions: ld.so's check_match asserts, and ldd fails. */
    @Test
    void aVersionedReferenceIntoALibraryWithoutVersions() throws Exception {
        Files.writeString(dir.resolve("v2.map"), "VERS_1 { global: foo; data_a; data_b; data_c; local: *; };\n"
                + "VERS_2 { global: bar; } VERS_1;\n");
        library("full", FULL, "-Wl,--version-script=" + dir.resolve("v2.map"));
        library("none", FULL);
        Path program = program("prog", USES, "-Wl,-z,now");
        install("none");
        Answer answer = same(program);
        assertThat(answer.out()).contains("Assertion `version->filename == NULL");
        assertThat(answer.exitCode()).isEqualTo(1);
    }

    /** -d leaves functions for their first call, except in an object linked with -z now. */
    @Test
    void bindingNowAndLazily() throws Exception {
        library("full", FULL);
        library("part", "int data_a = 1; int data_b[4]; int data_c[4];\n");
        Path lazy = program("lazy", USES);
        Path now = program("now", USES, "-Wl,-z,now");
        install("part");
        assertThat(LddPair.ldd(dir, List.of("-d"), List.of(lazy.toString())).out()).doesNotContain("undefined symbol: bar");
        assertThat(LddPair.ldd(dir, List.of("-d"), List.of(now.toString())).out()).contains("undefined symbol: bar");
        same(lazy, now);
    }

    /** A library without DT_NEEDED (ldd: "statically linked") is still relocated, alone. */
    @Test
    void aLibraryWithoutDependencies() throws Exception {
        Path plugin = GccAccess.compile(dir.resolve("plugin.so"), "int host_api(int); int entry(int x) { return host_api(x); }\n"
                + "extern int host_table[]; int *table(void) { return host_table; }\n", "-shared", "-fPIC", "-nostdlib");
        Answer answer = same(plugin);
        assertThat(answer.out()).startsWith("\tstatically linked\n").contains("undefined symbol: host_api");
    }

    /** Libraries that reference each other's symbols, one -Bsymbolic, one with DT_NEEDED of its own. */
    @Test
    void symbolicAndIndirectLibraries() throws Exception {
        Path inner = GccAccess.compile(dir.resolve("lib/libinner.so"),
                "int shared_name(void) { return 1; }\nint inner(void) { return 2; }\n", "-shared", "-fPIC",
                "-Wl,-soname,libinner.so");
        library("full", "int shared_name(void) { return 3; }\nint inner(void);\nint foo(void) { return shared_name() + inner(); }\n"
                + "int bar(void) { return 1; }\nint data_a, data_b[4], data_c[4];\n", "-Wl,-Bsymbolic", inner.toString(),
                "-Wl,-rpath," + dir.resolve("lib"));
        Path program = program("prog", USES);
        install("full");
        same(program);
        Files.delete(inner);
        GccAccess.compile(inner, "int shared_name(void) { return 1; }\n", "-shared", "-fPIC", "-Wl,-soname,libinner.so");
        assertThat(same(program).out()).contains("undefined symbol: inner\t(" + dir.resolve("lib/libb.so") + ")");
    }

    /** One undefined symbol referenced by several relocations in a row: ld.so's lookup cache says it once. */
    @Test
    void theSameSymbolInARow() throws Exception {
        library("full", FULL + "int gone = 1;\n");
        library("part", FULL);
        Path program = GccAccess.compile(dir.resolve("prog.so"), """
                extern int gone;
                int *first = &gone, *second = &gone, *third = &gone;
                int foo(void);
                int *again(void) { return foo() ? &gone : 0; }
                """, "-shared", "-fPIC", dir.resolve("full/libb.so").toString(), "-Wl,-rpath," + dir.resolve("lib"));
        install("part");
        Answer answer = same(program);
        assertThat(answer.out()).contains("undefined symbol: gone");
    }

    /**
     * glibc 2.36 warns where an executable copies protected data or takes a protected function's
     * address: the program is linked against a library where they were not protected yet (today's ld
     * refuses the copy outright).
     */
    @Test
    void protectedSymbols() throws Exception {
        String guarded = """
                VISIBILITY int guarded = 7;
                VISIBILITY int guarded_function(void) { return guarded; }
                """;
        library("full", FULL + guarded.replace("VISIBILITY ", ""));
        library("protected", FULL + guarded.replace("VISIBILITY", "__attribute__((visibility(\"protected\")))"));
        Path program = program("prog", """
                extern int guarded; int guarded_function(void);
                int (*pointer)(void) = guarded_function;
                int main(void) { return guarded + pointer(); }
                """, "-no-pie", "-fno-pic");
        install("protected");
        assertThat(same(program).out()).contains("warning: copy relocation against non-copyable protected symbol `guarded'");
    }

    /** C++'s STB_GNU_UNIQUE symbols (a static member of an inline function), defined in two libraries. */
    @Test
    void uniqueSymbols() throws Exception {
        assumeTrue(Toolchain.works(dir, "g++", "--version"), "needs g++");
        String unique = "inline int &counter() { static int c = 0; return c; }\n";
        Path one = dir.resolve("lib/libone.so");
        Files.createDirectories(one.getParent());
        Files.writeString(dir.resolve("one.cc"), unique + "int one() { return ++counter(); }\n");
        Files.writeString(dir.resolve("two.cc"), unique + "int two() { return ++counter(); }\n");
        Files.writeString(dir.resolve("main.cc"), "int one(); int two(); int main() { return one() + two(); }\n");
        Toolchain.run(dir, "g++", "-shared", "-fPIC", "-o", one.toString(), dir.resolve("one.cc").toString());
        Toolchain.run(dir, "g++", "-shared", "-fPIC", "-o", dir.resolve("lib/libtwo.so").toString(), dir.resolve("two.cc").toString());
        Path program = dir.resolve("prog");
        Toolchain.run(dir, "g++", "-o", program.toString(), dir.resolve("main.cc").toString(), one.toString(),
                dir.resolve("lib/libtwo.so").toString(), "-Wl,-rpath," + dir.resolve("lib"));
        same(program);
    }

    /** A relocation type ld.so does not know stops it, after what it said before (and -d: in the PLT). */
    @Test
    void anUnexpectedRelocationType() throws Exception {
        library("full", FULL + "int *pointer = &data_a;\nint puts(const char *); int hello(void) { return puts(\"x\"); }\n");
        Path program = program("prog", USES);
        byte[] bytes = Files.readAllBytes(dir.resolve("full/libb.so"));
        SectionBytes sections = new SectionBytes(bytes);
        ByteBuffer b = sections.buffer().order(ByteOrder.LITTLE_ENDIAN);
        SectionBytes.Section rela = sections.section(".rela.dyn");
        boolean patched = false;
        for (int at = rela.offset(); at < rela.offset() + rela.size(); at += 24) {
            if ((b.getLong(at + 8) & 0xffffffffL) == 1) { // R_X86_64_64 (the pointer)
                b.putLong(at + 8, (b.getLong(at + 8) & ~0xffffffffL) | 0x30);
                patched = true;
                break;
            }
        }
        assertThat(patched).as("an R_X86_64_64 to patch").isTrue();
        SectionBytes.Section plt = sections.section(".rela.plt");
        b.putLong(plt.offset() + 8, (b.getLong(plt.offset() + 8) & ~0xffffffffL) | 0x31);
        Files.createDirectories(dir.resolve("lib"));
        Files.write(dir.resolve("lib/libb.so"), bytes);
        Answer answer = same(program);
        assertThat(answer.out()).contains("unexpected reloc type 0x30");
        assertThat(answer.exitCode()).isEqualTo(1);

        byte[] pltOnly = Files.readAllBytes(dir.resolve("full/libb.so"));
        ByteBuffer p = ByteBuffer.wrap(pltOnly).order(ByteOrder.LITTLE_ENDIAN);
        p.putLong(plt.offset() + 8, (p.getLong(plt.offset() + 8) & ~0xffffffffL) | 0x31);
        Files.write(dir.resolve("lib/libb.so"), pltOnly);
        Answer lazily = LddPair.assertSame(dir, List.of("-d"), program);
        assertThat(lazily.out()).contains("unexpected PLT reloc type 0x31");
        assertThat(LddPair.assertSame(dir, List.of("-r"), program).out()).contains("unexpected reloc type 0x31");
    }

    /** The same for a 32-bit program, with the 32-bit ld.so's REL tables; skipped where gcc or the kernel cannot. */
    @Test
    void a32BitProgram() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/lib/ld-linux.so.2")), "no 32-bit ld.so (libc6-i386)");
        try {
            library("full", FULL, "-m32");
            library("part", "int foo(void) { return 1; }\nint data_b[8] = {1};\n", "-m32");
        } catch (IOException noMultilib) {
            assumeTrue(false, "gcc cannot build 32-bit programs here (gcc-multilib): " + noMultilib.getMessage());
        }
        Path pie = program("pie32", USES, "-m32");
        Path fixed = program("fixed32", USES, "-m32", "-no-pie", "-fno-pic");
        install("part");
        assertThat(same(pie, fixed).out()).contains("undefined symbol: bar");
    }

    /** The default view and --json say the same findings in their own words; undefined symbols are a finding. */
    @Test
    void theDefaultViewAndJson() throws Exception {
        library("full", FULL);
        library("part", "int foo(void) { return 1; }\nint data_b[8] = {1};\nint data_c[4];\n");
        Path pie = program("pie", USES);
        install("part");
        Cli.Result view = Cli.run("ldd", "--library-path=", "-r", pie.toString());
        assertThat(view.exitCode()).isEqualTo(1);
        assertThat(view.out()).contains("2 undefined symbols").contains("undefined symbol: bar, referenced by " + pie)
                .contains("size changed: data_b");
        JsonNode bindings = new ObjectMapper().readTree(Cli.run("ldd", "--library-path=", "-r", "--json",
                pie.toString()).out()).at("/files/0/bindings");
        assertThat(bindings.get("relocations").asText()).isEqualTo("functions");
        assertThat(bindings.get("problems").findValuesAsText("kind")).contains("undefined", "size-changed");
        assertThat(bindings.get("problems").get(0).get("message").asText()).startsWith("undefined symbol: ");
        assertThat(new ObjectMapper().readTree(Cli.run("ldd", "--json", pie.toString()).out()).at("/files/0/bindings")
                .isNull()).as("no bindings without -r or -d").isTrue();
    }

    /**
     * Over several files the default view ends with a packager's account, and --json with the same
     * counts: here one clean program, two whose symbols are missing, one whose library is missing, one
     * needing a glibc version from the future (and so missing puts at that version), a text file and a
     * directory.
     */
    @Test
    void aBatchEndsWithASummary() throws Exception {
        library("full", FULL);
        library("part", "int foo(void) { return 1; }\nint data_b[4]; int data_c[4];\n");
        Path clean = GccAccess.compile(dir.resolve("clean"), "int main(void) { return 0; }\n");
        Path pie = program("pie", USES);
        Path fixed = program("fixed", USES, "-no-pie", "-fno-pic");
        install("part");
        Path orphan = GccAccess.compile(dir.resolve("orphan"), "int foo(void); int main(void) { return foo(); }\n",
                dir.resolve("full/libb.so").toString());
        Path hello = GccAccess.compile(dir.resolve("hello"), "#include <stdio.h>\nint main(void) { puts(\"hi\"); }\n");
        byte[] bytes = Files.readAllBytes(hello);
        new SectionBytes(bytes).renameNeededVersion("GLIBC_2.2.5", "GLIBC_9.9.9");
        Path future = Files.write(dir.resolve("future"), bytes);
        Path text = Files.writeString(dir.resolve("notes.txt"), "not ELF\n");
        List<String> arguments = List.of("ldd", "--library-path=", "-r", clean.toString(), pie.toString(),
                fixed.toString(), orphan.toString(), future.toString(), text.toString(), dir.toString());
        Cli.Result view = Cli.run(arguments.toArray(String[]::new));
        String summary = view.out().substring(view.out().indexOf("\nSummary: ") + 1);
        assertThat(summary).startsWith("Summary: 5 ELF files (libraries, versions and all relocations checked)\n")
                .contains("\n  1 load and bind cleanly\n")
                .contains("\n  4 would fail to start or to run:\n")
                .contains("\n    1 miss a library: libb.so (1 file)\n")
                .contains("\n    1 need a version no library defines: GLIBC_9.9.9 of ")
                // (ld.so looks puts up at the version the program names, and finds none.)
                .contains("\n    4 have undefined symbols (6 references): bar (2 files), data_a (2 files), foo (1 file),"
                        + " puts@GLIBC_9.9.9 (1 file)\n")
                .endsWith("\n  2 other arguments not checked (see the errors)\n");
        assertThat(view.stderr()).contains(text.toString()).contains(dir.toString());
        ArrayList<String> json = new ArrayList<>(arguments);
        json.add(1, "--json");
        JsonNode document = new ObjectMapper().readTree(Cli.run(json.toArray(String[]::new)).out()).get("summary");
        assertThat(document.get("arguments").asInt()).isEqualTo(7);
        assertThat(document.get("files").asInt()).isEqualTo(5);
        assertThat(document.get("relocations").asText()).isEqualTo("functions");
        assertThat(document.get("clean").asInt()).isEqualTo(1);
        assertThat(document.get("failing").asInt()).isEqualTo(4);
        assertThat(document.get("missingLibrary").asInt()).isEqualTo(1);
        assertThat(document.get("missingVersion").asInt()).isEqualTo(1);
        assertThat(document.get("undefinedSymbols").asInt()).isEqualTo(4);
        assertThat(document.at("/libraries/0/name").asText()).isEqualTo("libb.so");
        assertThat(document.at("/symbols/0/name").asText()).isEqualTo("bar");
        assertThat(document.at("/symbols/0/files").asInt()).isEqualTo(2);
    }

    /**
     * A hostile SysV hash table: bucket words with the top bit set (negative as Java ints) must end
     * the chain, as an index past the table does, not index the symbols with a negative number.
     */
    @Test
    void aHashTableWithHugeBucketWordsIsNoCrash() throws Exception {
        library("full", FULL, "-Wl,--hash-style=sysv");
        Path pie = program("pie", USES);
        install("full");
        byte[] bytes = Files.readAllBytes(dir.resolve("lib/libb.so"));
        SectionBytes sections = new SectionBytes(bytes);
        SectionBytes.Section hash = sections.section(".hash");
        ByteBuffer table = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int buckets = table.getInt(hash.offset());
        for (int i = 0; i < buckets; i++) {
            table.putInt(hash.offset() + 8 + 4 * i, 0x8000_0001);
        }
        Files.write(dir.resolve("lib/libb.so"), bytes);
        Cli.Result r = Cli.run("ldd", "--library-path=", "-r", pie.toString());
        assertThat(r.stderr()).doesNotContain("internal error");
        assertThat(r.out()).contains("undefined symbol: foo");
    }
}
