package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * (b) Files built here with gcc, binutils and as, each compared in full with {@code file -b}: every
 * kind of link (PIE, non-PIE, static, static-pie, shared, relocatable), debug info, stripping, each
 * build-id style, -m32 when gcc-multilib is installed, and objects holding every note file(1) reads.
 */
class FileGccTest {
    @TempDir
    static Path dir;

    /** Assembler sources of objects that each carry one kind of note file(1) has words for. */
    private static final Map<String, String> NOTES = new LinkedHashMap<>();

    private static void note(String name, String owner, int type, String desc) {
        NOTES.put(name, "\t.section .note.t,\"a\",@note\n\t.balign 4\n\t.long " + (owner.length() + 1)
                + "\n\t.long 2f-1f\n\t.long " + type + "\n\t.asciz \"" + owner + "\"\n\t.balign 4\n1:\t" + desc
                + "\n2:\t.balign 4\n\t.text\n\t.globl f\nf:\tret\n");
    }

    static {
        note("n_abi_linux", "GNU", 1, ".long 0, 2, 6, 32");
        note("n_abi_hurd", "GNU", 1, ".long 1, 0, 0, 1");
        note("n_abi_other", "GNU", 1, ".long 9, 1, 2, 3");
        note("n_bid20", "GNU", 3, ".byte 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20");
        note("n_suse", "SuSE", 1, ".byte 10, 2");
        note("n_netbsd", "NetBSD", 1, ".long 905000000");
        note("n_netbsd10", "NetBSD", 1, ".long 1000010100");
        note("n_netbsd_old", "NetBSD", 1, ".long 199905");
        note("n_netbsd_march", "NetBSD", 5, ".ascii \"earmv7hf\"");
        note("n_netbsd_other", "NetBSD", 9, ".long 3");
        note("n_freebsd", "FreeBSD", 1, ".long 1302001");
        note("n_freebsd_old", "FreeBSD", 1, ".long 460002");
        note("n_openbsd", "OpenBSD", 1, ".long 0");
        note("n_dragonfly", "DragonFly", 1, ".long 400000");
        note("n_pax", "PaX", 3, ".long 0x15");
        note("n_core_name", "CORE", 1, ".long 7");
        note("n_android", "Android", 1, ".long 30");
        // Go writes namesz 4 for "Go\0" padded; as writes the same with .long 4.
        NOTES.put("n_go", "\t.section .note.go.buildid,\"a\",@note\n\t.balign 4\n\t.long 4\n\t.long 12\n\t.long 4\n"
                + "\t.asciz \"Go\"\n\t.balign 4\n\t.ascii \"abc/def-ghij\"\n\t.balign 4\n\t.text\nf:\tret\n");
        StringBuilder many = new StringBuilder("\t.section .note.t,\"a\",@note\n\t.balign 4\n");
        for (int i = 0; i < 257; i++) {
            many.append("\t.long 4, 4, 99\n\t.asciz \"XYZ\"\n\t.long ").append(i).append('\n');
        }
        NOTES.put("n_257", many + "\t.text\n\t.globl f\nf:\tret\n");
        StringBuilder exactly = new StringBuilder("\t.section .note.t,\"a\",@note\n\t.balign 4\n");
        for (int i = 0; i < 255; i++) {
            exactly.append("\t.long 4, 4, 99\n\t.asciz \"XYZ\"\n\t.long ").append(i).append('\n');
        }
        NOTES.put("n_255", exactly + "\t.text\n\t.globl f\nf:\tret\n");
    }

    /** Name of the built file, and the commands that build it (run in order in the temp dir). */
    private static final Map<String, List<String[]>> BUILDS = new LinkedHashMap<>();

    private static void build(String name, String[]... commands) {
        BUILDS.put(name, List.of(commands));
    }

    private static String[] gcc(String... args) {
        List<String> command = new ArrayList<>(List.of("gcc"));
        command.addAll(List.of(args));
        return command.toArray(String[]::new);
    }

    static {
        build("pie", gcc("-o", "pie", "hello.c"));
        build("nopie", gcc("-no-pie", "-o", "nopie", "hello.c"));
        build("static", gcc("-static", "-o", "static", "hello.c"));
        build("staticpie", gcc("-static-pie", "-o", "staticpie", "hello.c"));
        build("hello.o", gcc("-c", "-o", "hello.o", "hello.c"));
        build("hellog.o", gcc("-g", "-c", "-o", "hellog.o", "hello.c"));
        build("pieg", gcc("-g", "-o", "pieg", "hello.c"));
        build("pie_stripped", gcc("-o", "pie_stripped", "hello.c"), new String[] {"strip", "pie_stripped"});
        build("static_stripped", gcc("-static", "-s", "-o", "static_stripped", "hello.c"));
        build("pieg_stripdebug", gcc("-g", "-o", "pieg_stripdebug", "hello.c"),
                new String[] {"strip", "--strip-debug", "pieg_stripdebug"});
        build("pieg_onlykeepdebug", gcc("-g", "-o", "pieg_full", "hello.c"),
                new String[] {"objcopy", "--only-keep-debug", "pieg_full", "pieg_onlykeepdebug"});
        build("pieg_dbgonly", gcc("-g", "-o", "pieg_dbgonly", "hello.c"),
                new String[] {"objcopy", "--strip-all", "--keep-section=.debug_info", "pieg_dbgonly"});
        build("pieg_z", gcc("-g", "-gz", "-o", "pieg_z", "hello.c"));
        build("lib.so", gcc("-shared", "-fPIC", "-o", "lib.so", "lib.c"));
        build("lib_now.so", gcc("-shared", "-fPIC", "-Wl,-z,now", "-o", "lib_now.so", "lib.c"));
        build("lib_libc.so", gcc("-shared", "-fPIC", "-o", "lib_libc.so", "libc_user.c"));
        build("nopie_now", gcc("-no-pie", "-Wl,-z,now", "-o", "nopie_now", "hello.c"));
        build("bid_md5", gcc("-Wl,--build-id=md5", "-o", "bid_md5", "hello.c"));
        build("bid_sha1", gcc("-Wl,--build-id=sha1", "-o", "bid_sha1", "hello.c"));
        build("bid_uuid", gcc("-Wl,--build-id=uuid", "-o", "bid_uuid", "hello.c"));
        build("bid_none", gcc("-Wl,--build-id=none", "-o", "bid_none", "hello.c"));
        build("bid_xxhash_length", gcc("-Wl,--build-id=0x0102030405060708", "-o", "bid_xxhash_length", "hello.c"));
        build("bid_4", gcc("-Wl,--build-id=0x01020304", "-o", "bid_4", "hello.c"));
        build("bid_3", gcc("-Wl,--build-id=0x010203", "-o", "bid_3", "hello.c"));
        build("bid_21", gcc("-Wl,--build-id=0x0102030405060708090a0b0c0d0e0f101112131415", "-o", "bid_21", "hello.c"));
        for (String note : NOTES.keySet()) {
            build(note + ".o", gcc("-c", "-o", note + ".o", note + ".s"));
        }
    }

    @BeforeAll
    static void buildAll() throws IOException {
        FileOracle.assumeFile544();
        Assumptions.assumeTrue(Toolchain.works(dir, "gcc", "--version"), "gcc is not installed");
        Files.writeString(dir.resolve("hello.c"), "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n");
        Files.writeString(dir.resolve("lib.c"), "int inc(int x) { return x + 1; }\n");
        Files.writeString(dir.resolve("libc_user.c"), "#include <string.h>\nsize_t len(const char *s) { return strlen(s); }\n");
        for (Map.Entry<String, String> note : NOTES.entrySet()) {
            Files.writeString(dir.resolve(note.getKey() + ".s"), note.getValue());
        }
        for (List<String[]> commands : BUILDS.values()) {
            for (String[] command : commands) {
                Toolchain.run(dir, command);
            }
        }
        // The same PIE with other permissions: without a dynamic table the mode would decide.
        Path pie = dir.resolve("pie");
        Files.copy(pie, dir.resolve("pie_0644"));
        Files.setPosixFilePermissions(dir.resolve("pie_0644"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.copy(pie, dir.resolve("pie_setuid"));
        Toolchain.run(dir, "chmod", "7755", "pie_setuid");
        Files.copy(dir.resolve("lib.so"), dir.resolve("lib_0755.so"));
        Files.setPosixFilePermissions(dir.resolve("lib_0755.so"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static List<Path> built() {
        List<Path> files = new ArrayList<>();
        BUILDS.keySet().forEach(name -> files.add(dir.resolve(name)));
        List.of("pie_0644", "pie_setuid", "lib_0755.so").forEach(name -> files.add(dir.resolve(name)));
        return files;
    }

    @TestFactory
    Stream<DynamicTest> eachBuiltFileAgreesWithFile() {
        return agreement("gcc/as-built files", built());
    }

    /** One test per file: our line must equal file's; the count of agreeing files is printed. */
    private static Stream<DynamicTest> agreement(String what, List<Path> files) {
        List<String> theirs = FileOracle.theirs(files);
        Map<Path, String> ours = FileOracle.ours(files);
        long same = files.stream().filter(f -> theirs.get(files.indexOf(f)).equals(ours.get(f))).count();
        System.out.println("file(1) agreement on " + what + ": " + same + "/" + files.size());
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
                () -> assertThat(ours.get(f)).as("vdsoscope file %s", f).isEqualTo(theirs.get(files.indexOf(f)))));
    }

    @TestFactory
    Stream<DynamicTest> thirtyTwoBitBuildsAgreeWithFile() throws IOException {
        Files.writeString(dir.resolve("hello32.c"), "int main(void) { return 0; }\n");
        Assumptions.assumeTrue(Toolchain.works(dir, "gcc", "-m32", "-o", "probe32", "hello32.c"),
                "gcc -m32 does not work here (gcc-multilib is not installed)");
        Map<String, String[]> builds = new LinkedHashMap<>();
        builds.put("pie32", gcc("-m32", "-o", "pie32", "hello32.c"));
        builds.put("nopie32", gcc("-m32", "-no-pie", "-o", "nopie32", "hello32.c"));
        builds.put("hello32.o", gcc("-m32", "-g", "-c", "-o", "hello32.o", "hello32.c"));
        builds.put("lib32.so", gcc("-m32", "-shared", "-fPIC", "-o", "lib32.so", "lib.c"));
        builds.put("static32", gcc("-m32", "-static", "-o", "static32", "hello32.c"));
        builds.put("staticpie32", gcc("-m32", "-static-pie", "-o", "staticpie32", "hello32.c"));
        builds.put("x32", gcc("-mx32", "-o", "x32", "hello32.c"));
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String[]> build : builds.entrySet()) {
            // -static needs the i386 libc.a and -mx32 the x32 libc: use what this machine has.
            if (Toolchain.works(dir, build.getValue())) {
                files.add(dir.resolve(build.getKey()));
            }
        }
        return agreement("gcc -m32/-mx32 builds", files);
    }
}
