package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.cli.LddPair.Answer;
import dev.vdsoscope.loader.GccAccess;

/**
 * Trees built with gcc, each answered by the real ldd and by {@code vdsoscope ldd --style=ldd}:
 * standard output (load addresses masked), standard error and exit status must be the same, on
 * whatever machine runs the tests. The CPU decides which capability subdirectory wins, so the trees
 * hold a copy of the library in every subdirectory ld.so might try, and the test removes the copy
 * ldd chose and asks again until the directory itself answers: the whole order is compared without
 * knowing the CPU.
 */
class LddTreeTest {
    private static final Pattern CHOSEN = Pattern.compile("\tlibdep\\.so => (\\S+) ");
    private static final String MAIN = "int dep(void); int main(void) { return dep(); }\n";

    @TempDir
    Path dir;

    @BeforeAll
    static void needsGccAndLdd() {
        LddPair.assumeGccAndLdd();
        assumeTrue(Files.isExecutable(Path.of("/lib64/ld-linux-x86-64.so.2")), "needs the x86-64 ld.so");
    }

    private Answer assertSame(Path... files) throws Exception {
        return LddPair.assertSame(dir, List.of(), files);
    }

    @Test
    void everyCapabilitySubdirectoryIsTriedInLdSosOrder() throws Exception {
        Path lib = dir.resolve("lib");
        List<String> subdirectories = List.of("", "x86_64/", "haswell/", "xeon_phi/", "avx512_1/", "tls/",
                "tls/x86_64/", "tls/x86_64/x86_64/", "x86_64/x86_64/", "haswell/x86_64/", "tls/haswell/",
                "tls/haswell/x86_64/", "avx512_1/x86_64/", "haswell/avx512_1/", "haswell/avx512_1/x86_64/",
                "tls/haswell/avx512_1/x86_64/", "tls/avx512_1/", "xeon_phi/x86_64/", "tls/xeon_phi/x86_64/",
                "i686/", "sse2/", "glibc-hwcaps/x86-64-v2/", "glibc-hwcaps/x86-64-v3/", "glibc-hwcaps/x86-64-v4/");
        Path built = GccAccess.library(dir.resolve("build/libdep.so"), "libdep.so", "dep");
        for (String subdirectory : subdirectories) {
            Files.createDirectories(lib.resolve(subdirectory));
            Files.copy(built, lib.resolve(subdirectory + "libdep.so"));
        }
        Path program = GccAccess.compile(dir.resolve("prog"), MAIN, built.toString(),
                "-Wl,--enable-new-dtags,-rpath," + lib);
        List<String> chosen = takeEachChoiceAway(program, lib, subdirectories.size());
        System.out.println("ld.so's order here: " + chosen);
    }

    /**
     * Compares, removes the copy of libdep.so that ldd chose, and compares again, until the copy in
     * {@code lib} itself is chosen; returns the copies in the order ldd chose them.
     */
    private List<String> takeEachChoiceAway(Path program, Path lib, int copies) throws Exception {
        List<String> chosen = new ArrayList<>();
        for (int round = 0; round < copies; round++) {
            Answer answer = assertSame(program);
            Matcher matcher = CHOSEN.matcher(answer.out());
            assertThat(matcher.find()).as(answer.out()).isTrue();
            Path file = Path.of(matcher.group(1));
            chosen.add(lib.relativize(file).toString());
            if (file.equals(lib.resolve("libdep.so"))) {
                break;
            }
            Files.delete(file);
        }
        assertThat(chosen).as("the order ld.so took them in").endsWith("libdep.so");
        return chosen;
    }

    /**
     * The same for a 32-bit program, traced by the 32-bit ld.so with its own rules (i686 or i586 as
     * the platform, sse2 as the only capability bit); where gcc cannot build 32-bit programs or the
     * kernel cannot run them, skipped with the reason.
     */
    @Test
    void everyCapabilitySubdirectoryOfA32BitProgram() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/lib/ld-linux.so.2")), "no 32-bit ld.so (libc6-i386)");
        Path built;
        Path program;
        try {
            built = GccAccess.library(dir.resolve("build/libdep.so"), "libdep.so", "dep", "-m32");
            program = GccAccess.compile(dir.resolve("prog32"), MAIN, "-m32", built.toString(),
                    "-Wl,--enable-new-dtags,-rpath," + dir.resolve("lib"));
        } catch (IOException noMultilib) {
            assumeTrue(false, "gcc cannot build 32-bit programs here (gcc-multilib): " + noMultilib.getMessage());
            return;
        }
        Process run = new ProcessBuilder("/lib/ld-linux.so.2", "--version").redirectErrorStream(true).start();
        run.getInputStream().readAllBytes();
        assumeTrue(run.waitFor() == 0, "this kernel does not run 32-bit programs (no IA32 emulation)");
        Path lib = dir.resolve("lib");
        List<String> subdirectories = List.of("", "i686/", "i586/", "sse2/", "tls/", "tls/i686/", "tls/i686/sse2/",
                "i686/sse2/", "tls/sse2/", "x86_64/", "glibc-hwcaps/x86-64-v2/");
        for (String subdirectory : subdirectories) {
            Files.createDirectories(lib.resolve(subdirectory));
            Files.copy(built, lib.resolve(subdirectory + "libdep.so"));
        }
        List<String> chosen = takeEachChoiceAway(program, lib, subdirectories.size());
        assertThat(chosen).hasSizeGreaterThan(1);
        System.out.println("the 32-bit ld.so's order here: " + chosen);
    }

    @Test
    void platformAndOriginTokens() throws Exception {
        Path built = GccAccess.library(dir.resolve("build/libdep.so"), "libdep.so", "dep");
        for (String platform : List.of("x86_64", "haswell", "xeon_phi", "i686")) {
            Files.createDirectories(dir.resolve("bin/p/" + platform));
            Files.copy(built, dir.resolve("bin/p/" + platform + "/libdep.so"));
        }
        Path program = GccAccess.compile(dir.resolve("bin/prog"), MAIN, built.toString(),
                "-Wl,--enable-new-dtags,-rpath,$ORIGIN/p/$PLATFORM:$ORIGIN/../nowhere");
        assertThat(assertSame(program).out()).contains("/bin/p/");
    }

    /** Each kind of bad candidate, ahead of a good copy in the RUNPATH, and what ld.so makes of it. */
    @Test
    void badCandidatesEarlierInThePath() throws Exception {
        Path good = GccAccess.library(dir.resolve("good/libdep.so"), "libdep.so", "dep");
        Path program = GccAccess.compile(dir.resolve("prog"), MAIN, good.toString(),
                "-Wl,--enable-new-dtags,-rpath," + dir.resolve("bad") + ":" + dir.resolve("good"));
        byte[] library = Files.readAllBytes(good);
        Map<String, Candidate> kinds = new LinkedHashMap<>();
        kinds.put("a short GNU ld script", file("INPUT(-lc)\n".getBytes(StandardCharsets.US_ASCII)));
        kinds.put("a long GNU ld script", file(("/* GNU ld script */\n" + "#".repeat(100) + "\nINPUT(-lc)\n")
                .getBytes(StandardCharsets.US_ASCII)));
        kinds.put("an empty file", file(new byte[0]));
        kinds.put("ELF cut to 100 bytes", file(java.util.Arrays.copyOf(library, 100)));
        kinds.put("ELF cut to 40 bytes", file(java.util.Arrays.copyOf(library, 40)));
        kinds.put("a directory", (bad) -> Files.createDirectories(bad));
        kinds.put("another ELF class", patched(library, b -> b.put(4, (byte) 1)));
        kinds.put("another machine", patched(library, b -> b.putShort(18, (short) 183)));
        kinds.put("big-endian data", patched(library, b -> b.put(5, (byte) 2)));
        kinds.put("a bad ident version", patched(library, b -> b.put(6, (byte) 2)));
        kinds.put("the FreeBSD OS ABI", patched(library, b -> b.put(7, (byte) 9)));
        kinds.put("the GNU OS ABI, ABI version 1", patched(library, b -> b.put(7, (byte) 3).put(8, (byte) 1)));
        kinds.put("the GNU OS ABI, ABI version 9", patched(library, b -> b.put(7, (byte) 3).put(8, (byte) 9)));
        kinds.put("the SYSV OS ABI, ABI version 1", patched(library, b -> b.put(8, (byte) 1)));
        kinds.put("nonzero padding", patched(library, b -> b.put(12, (byte) 1)));
        kinds.put("a bad e_version", patched(library, b -> b.putInt(20, 2)));
        kinds.put("a relocatable object", patched(library, b -> b.putShort(16, (short) 1)));
        kinds.put("a core file type", patched(library, b -> b.putShort(16, (short) 4)));
        kinds.put("a bad e_phentsize", patched(library, b -> b.putShort(54, (short) 48)));
        kinds.put("program headers past the end", patched(library, b -> b.putLong(32, library.length - 10)));
        kinds.put("program headers at an offset off_t cannot hold", patched(library, b -> b.putLong(32, 0xffffffffffff0000L)));
        kinds.put("program headers whose end off_t cannot hold", patched(library, b -> b.putLong(32, 0x7fffffffffffff00L)));
        kinds.put("a dynamic table past the end of the file (ld.so dies)", file(java.util.Arrays.copyOf(library,
                (int) (dynamicOffset(library) & -4096))));
        kinds.put("no program headers", patched(library, b -> b.putShort(56, (short) 0)));
        kinds.put("a misaligned PT_LOAD", patched(library, b -> firstLoad(b, (at) -> b.putLong(at + 8, b.getLong(at + 8) + 1))));
        kinds.put("an empty PT_DYNAMIC", patched(library, b -> segment(b, 2, (at) -> b.putLong(at + 32, 0))));
        kinds.put("a position-independent executable", built(program.getParent().resolve("pie"), "-pie", "-fPIE"));
        kinds.put("an executable", built(program.getParent().resolve("exec"), "-no-pie"));
        kinds.put("a symbolic-link loop", (bad) -> {
            Files.createSymbolicLink(bad, bad.getFileName());
        });
        for (Map.Entry<String, Candidate> kind : kinds.entrySet()) {
            Path bad = dir.resolve("bad/libdep.so");
            deleteTree(dir.resolve("bad"));
            Files.createDirectories(dir.resolve("bad"));
            kind.getValue().make(bad);
            Answer expected = LddPair.ldd(dir, List.of(), List.of(program.toString()));
            assertThat(LddPair.ours(List.of(), List.of(program.toString()))).as(kind.getKey()).isEqualTo(expected);
        }
    }

    /** The same bad candidates in a glibc-hwcaps subdirectory ahead of the directory itself, when searched. */
    @Test
    void aBadCandidateInACapabilitySubdirectory() throws Exception {
        Path good = GccAccess.library(dir.resolve("lib/libdep.so"), "libdep.so", "dep");
        Path program = GccAccess.compile(dir.resolve("prog"), MAIN, good.toString(),
                "-Wl,--enable-new-dtags,-rpath," + dir.resolve("lib"));
        for (String subdirectory : List.of("glibc-hwcaps/x86-64-v2", "x86_64", "tls")) {
            Path bad = dir.resolve("lib/" + subdirectory + "/libdep.so");
            Files.createDirectories(bad.getParent());
            Files.writeString(bad, "INPUT(-lc)\n");
            assertSame(program);
            Files.delete(bad);
            Files.createSymbolicLink(bad, bad.getFileName());
            assertSame(program);
            Files.delete(bad);
        }
    }

    /** The program itself: static, static-pie, refused by ld.so, not ELF, missing, and a batch of all. */
    @Test
    void programsLddDoesNotTrace() throws Exception {
        Path lib = GccAccess.library(dir.resolve("lib/libdep.so"), "libdep.so", "dep");
        Path program = GccAccess.compile(dir.resolve("prog"), MAIN, lib.toString(), "-Wl,-rpath," + dir.resolve("lib"));
        byte[] bytes = Files.readAllBytes(program);
        Path freebsd = Files.write(dir.resolve("freebsd"), patchedBytes(bytes, b -> b.put(7, (byte) 9)));
        Path relocatable = Files.write(dir.resolve("object.o"), patchedBytes(bytes, b -> b.putShort(16, (short) 1)));
        Path debuginfo = dir.resolve("debuginfo");
        Path dynamicByAddress = Files.write(dir.resolve("dynamic-by-address"),
                patchedBytes(bytes, b -> segment(b, 2, (at) -> b.putLong(at + 8, 0))));
        ProcessBuilder objcopy = new ProcessBuilder("objcopy", "--only-keep-debug", program.toString(), debuginfo.toString());
        assumeTrue(objcopy.start().waitFor() == 0, "objcopy");
        Path script = Files.writeString(dir.resolve("script"), "#!/bin/sh\n");
        Path[] statics = GccAccess.staticPrograms(dir);
        Path missingLibrary = GccAccess.compile(dir.resolve("needs-missing"), MAIN, lib.toString());
        for (Path file : List.of(program, freebsd, relocatable, debuginfo, dynamicByAddress, script, statics[0], statics[1],
                missingLibrary, dir.resolve("nonexistent"), dir)) {
            assertSame(file);
        }
        assertSame(program, freebsd, statics[0], statics[1], missingLibrary, dir.resolve("nonexistent"), script);
    }

    /**
     * ld.so compares file identities only with libraries it opened: the program ldd names and ld.so
     * itself are loaded again when a search finds their files (a library without a soname in a cycle,
     * a library that is a link to the PIE that needs it, DT_NEEDED naming ld.so by another path).
     */
    @Test
    void theProgramAndLdSoAreNotKnownByTheirFiles() throws Exception {
        Path c = dir.resolve("c");
        String rpath = "-Wl,--enable-new-dtags,-rpath," + c;
        GccAccess.compile(c.resolve("libb.so"), "int b(void) { return 1; }\n", "-shared", "-fPIC");
        Path liba = GccAccess.compile(c.resolve("liba.so"), "int b(void); int a(void) { return b(); }\n", "-shared",
                "-fPIC", "-L" + c, "-lb", rpath);
        GccAccess.compile(c.resolve("libb.so"), "int a(void); int b(void) { return a(); }\n", "-shared", "-fPIC",
                "-L" + c, "-la", rpath);
        assertThat(assertSame(liba).out()).contains("liba.so => " + liba);

        Path q = dir.resolve("q");
        GccAccess.compile(q.resolve("libq.so"), "int q(void) { return 0; }\n", "-shared", "-fPIC");
        Path pie = GccAccess.compile(dir.resolve("pie"), "int q(void); int main(void) { return q(); }\n", "-fPIE",
                "-pie", "-L" + q, "-lq", "-Wl,--enable-new-dtags,-rpath," + q);
        Files.delete(q.resolve("libq.so"));
        Files.createSymbolicLink(q.resolve("libq.so"), pie);
        assertThat(assertSame(pie).out()).contains("cannot dynamically load position-independent executable");

        Path realLdSo = Path.of("/lib64/ld-linux-x86-64.so.2").toRealPath();
        Path stub = GccAccess.compile(dir.resolve("stub/libs.so"), "int s(void) { return 0; }\n", "-shared", "-fPIC",
                "-Wl,-soname," + realLdSo);
        Path program = GccAccess.compile(dir.resolve("needs-ld-so"), "int s(void); int main(void) { return s(); }\n",
                stub.toString());
        assertThat(assertSame(program).out()).contains("\t" + realLdSo + " (ADDR)");
    }

    /** A directory that is itself a loop of symbolic links counts as missing: the search goes on. */
    @Test
    void aSearchDirectoryThatIsASymbolicLinkLoopIsPassed() throws Exception {
        Path good = GccAccess.library(dir.resolve("good/libdep.so"), "libdep.so", "dep");
        Files.createSymbolicLink(dir.resolve("loop"), dir.resolve("loop").getFileName());
        Path program = GccAccess.compile(dir.resolve("prog"), MAIN, good.toString(),
                "-Wl,--disable-new-dtags,-rpath," + dir.resolve("loop") + ":" + dir.resolve("good"));
        assertThat(assertSame(program).out()).contains("libdep.so => " + good);
    }

    /**
     * ld.so reads the dynamic table up to DT_NULL, whatever PT_DYNAMIC's sizes say, and keeps the
     * last entry of each tag (here a second DT_RPATH naming only a directory without the library).
     */
    @Test
    void theDynamicTableAsLdSoReadsIt() throws Exception {
        Path good = GccAccess.library(dir.resolve("d/libdep.so"), "libdep.so", "dep");
        Files.createDirectories(dir.resolve("e"));
        String rpath = dir.resolve("d") + ":" + dir.resolve("e");
        Path program = GccAccess.compile(dir.resolve("prog"), MAIN, good.toString(),
                "-Wl,--disable-new-dtags,-rpath," + rpath);
        byte[] bytes = Files.readAllBytes(program);
        Path small = Files.write(dir.resolve("small-pt-dynamic"), patchedBytes(bytes,
                b -> segment(b, 2, (at) -> b.putLong(at + 32, 16).putLong(at + 40, 16))));
        assertThat(assertSame(small).out()).contains("libdep.so => " + good);
        Path twoRpaths = Files.write(dir.resolve("two-rpaths"), patchedBytes(bytes, b -> {
            int rpathEntry = dynamicEntry(b, 15);
            int debugEntry = dynamicEntry(b, 21);
            assertThat(debugEntry).as("DT_DEBUG after DT_RPATH").isGreaterThan(rpathEntry);
            long secondHalf = b.getLong(rpathEntry + 8) + (dir.resolve("d") + ":").length();
            b.putLong(debugEntry, 15).putLong(debugEntry + 8, secondHalf);
        }));
        assertThat(assertSame(twoRpaths).out()).contains("libdep.so => not found");
    }

    /**
     * ld.so dying on the program under --verify: ldd tries the next ld.so of its list, and gives up
     * the whole run ("exited with unknown exit code") when none replaces the status; on a library,
     * it prints nothing for that program. Alone and in batches.
     */
    @Test
    void ldSoDyingOnAProgramOrALibrary() throws Exception {
        Path good = GccAccess.library(dir.resolve("d/libdep.so"), "libdep.so", "dep");
        Path program = GccAccess.compile(dir.resolve("prog"), MAIN, good.toString(), "-Wl,-rpath," + dir.resolve("d"));
        byte[] bytes = Files.readAllBytes(program);
        Path cut = Files.write(dir.resolve("cut"), java.util.Arrays.copyOf(bytes, (int) (dynamicOffset(bytes) & -4096)));
        assertSame(cut);
        assertSame(cut, program);
        assertSame(program, cut, program);

        byte[] library = Files.readAllBytes(good);
        Path cutLibrary = dir.resolve("cut-lib/libdep.so");
        Files.createDirectories(cutLibrary.getParent());
        Files.write(cutLibrary, java.util.Arrays.copyOf(library, (int) (dynamicOffset(library) & -4096)));
        Path needsCut = GccAccess.compile(dir.resolve("needs-cut"), MAIN, good.toString(),
                "-Wl,-rpath," + cutLibrary.getParent());
        assertSame(needsCut);
        assertSame(needsCut, program);
    }

    /** The same for a 32-bit program cut short: the 32-bit ld.so dies, the 64-bit one answers 1. */
    @Test
    void ldSoDyingOnA32BitProgram() throws Exception {
        Path program;
        try {
            program = GccAccess.compile(dir.resolve("prog32"), "int main(void) { return 0; }\n", "-m32");
        } catch (IOException noMultilib) {
            assumeTrue(false, "gcc cannot build 32-bit programs here (gcc-multilib): " + noMultilib.getMessage());
            return;
        }
        byte[] bytes = Files.readAllBytes(program);
        ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long dynamic = -1;
        for (int i = 0; i < (header.getShort(44) & 0xffff); i++) {
            int at = header.getInt(28) + 32 * i;
            if (header.getInt(at) == 2) {
                dynamic = header.getInt(at + 4) & 0xffffffffL;
            }
        }
        assertThat(dynamic).isPositive();
        Path cut = Files.write(dir.resolve("cut32"), java.util.Arrays.copyOf(bytes, (int) (dynamic & -4096)));
        assertSame(cut);
        assertSame(cut, program);
    }

    /** Tokens in a DT_NEEDED name are expanded first, and the object is named by the result. */
    @Test
    void tokensInANeededName() throws Exception {
        Path library = GccAccess.compile(dir.resolve("bin/pl/x86_64/libplat.so"), "int dep(void) { return 0; }\n",
                "-shared", "-fPIC", "-Wl,-soname,$ORIGIN/pl/$PLATFORM/libplat.so");
        for (String platform : List.of("haswell", "xeon_phi")) {
            Files.createDirectories(dir.resolve("bin/pl/" + platform));
            Files.copy(library, dir.resolve("bin/pl/" + platform + "/libplat.so"));
        }
        Path program = GccAccess.compile(dir.resolve("bin/prog"), MAIN, library.toString());
        assertThat(assertSame(program).out()).contains("/bin/pl/");
        Path moved = Files.copy(program, dir.resolve("prog-elsewhere"));
        assertThat(assertSame(moved).out()).contains("/pl/").contains("=> not found");
    }

    /** The file offset of PT_DYNAMIC of an ELF64 file. */
    private static long dynamicOffset(byte[] elf) {
        long[] offset = {-1};
        segment(ByteBuffer.wrap(elf.clone()).order(ByteOrder.LITTLE_ENDIAN), 2, at -> offset[0] =
                ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).getLong(at + 8));
        return offset[0];
    }

    /** The buffer position of the first dynamic entry with this tag (ELF64, table found through PT_DYNAMIC). */
    private static int dynamicEntry(ByteBuffer b, long tag) {
        int[] found = {-1};
        segment(b, 2, at -> {
            for (int entry = (int) b.getLong(at + 8); b.getLong(entry) != 0; entry += 16) {
                if (b.getLong(entry) == tag) {
                    found[0] = entry;
                    return;
                }
            }
        });
        assertThat(found[0]).as("dynamic tag " + tag).isNotNegative();
        return found[0];
    }

    @FunctionalInterface
    interface Candidate {
        void make(Path bad) throws Exception;
    }

    private static Candidate file(byte[] contents) {
        return bad -> Files.write(bad, contents);
    }

    private static Candidate patched(byte[] original, java.util.function.Consumer<ByteBuffer> patch) {
        return bad -> Files.write(bad, patchedBytes(original, patch));
    }

    private static byte[] patchedBytes(byte[] original, java.util.function.Consumer<ByteBuffer> patch) {
        ByteBuffer buffer = ByteBuffer.wrap(original.clone()).order(ByteOrder.LITTLE_ENDIAN);
        patch.accept(buffer);
        return buffer.array();
    }

    private Candidate built(Path output, String... flags) {
        return bad -> {
            List<String> arguments = new ArrayList<>(List.of(flags));
            arguments.add(dir.resolve("good/libdep.so").toString());
            GccAccess.compile(output, MAIN, arguments.toArray(String[]::new));
            Files.copy(output, bad);
        };
    }

    /** Calls {@code action} with the offset of the first program header of this type (ELF64). */
    private static void segment(ByteBuffer b, int type, java.util.function.IntConsumer action) {
        long phoff = b.getLong(32);
        int phnum = b.getShort(56) & 0xffff;
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + 56L * i);
            if (b.getInt(at) == type) {
                action.accept(at);
                return;
            }
        }
        throw new AssertionError("no program header of type " + type);
    }

    private static void firstLoad(ByteBuffer b, java.util.function.IntConsumer action) {
        segment(b, 1, action);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
