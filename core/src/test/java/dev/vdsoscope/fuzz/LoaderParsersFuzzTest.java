package dev.vdsoscope.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.vdsoscope.loader.BindMode;
import dev.vdsoscope.loader.Bindings;
import dev.vdsoscope.loader.Hwcaps;
import dev.vdsoscope.loader.LdSoCache;
import dev.vdsoscope.loader.LdSoConf;
import dev.vdsoscope.loader.LoadFailure;
import dev.vdsoscope.loader.LoadResult;
import dev.vdsoscope.loader.Loader;
import dev.vdsoscope.loader.LoaderException;
import dev.vdsoscope.loader.LoaderOptions;
import dev.vdsoscope.loader.VersionProblem;

/**
 * Fuzzing of the static loader's parsers of untrusted files: ld.so.cache, ld.so.conf, and a program
 * and its library as the version check and the binding of ldd -r read them.
 */
class LoaderParsersFuzzTest {
    private static final Hwcaps HWCAPS = dev.vdsoscope.loader.HostHwcaps.plain("x86_64", java.util.List.of("x86-64-v3", "x86-64-v2"));

    @FuzzTest
    void ldSoCache(byte[] data) {
        try {
            LdSoCache cache = LdSoCache.parse(data);
            cache.size();
            cache.hwcapsNames();
            for (String name : new String[] {"libc.so.6", "libm.so.6", "libz.so.1", ""}) {
                for (int flags : new int[] {0x303, 0x3, 0x800, 0}) {
                    cache.lookup(name, flags, HWCAPS);
                }
            }
        } catch (LdSoCache.CorruptCacheException expected) {
            // A corrupt cache is reported, and the loader falls back to the directories.
        }
    }

    /** An ld.so.conf and two include files, all from fuzzer data, with globs and loops allowed. */
    @FuzzTest
    void ldSoConf(FuzzedDataProvider data) throws IOException {
        Path root = Files.createTempDirectory("ldsoconf");
        try {
            Path etc = Files.createDirectories(root.resolve("etc/ld.so.conf.d"));
            Files.writeString(root.resolve("etc/ld.so.conf"), data.consumeString(2000), StandardCharsets.UTF_8);
            Files.writeString(etc.resolve("a.conf"), data.consumeString(500), StandardCharsets.UTF_8);
            Files.writeString(etc.resolve("b.conf"), data.consumeRemainingAsString(), StandardCharsets.UTF_8);
            LdSoConf conf = LdSoConf.read(root);
            conf.directories();
            conf.warnings();
        } finally {
            try (var walk = Files.walk(root)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * A program and the library it needs, in a sysroot of their own (the first four bytes, little
     * endian, say how many of the rest are the program): both are mapped, their Verneed and Verdef
     * chains read, and the program's needs checked against the library's definitions.
     */
    @FuzzTest
    void versionTables(byte[] data) throws IOException {
        withProgramAndLibrary(data, (loader, program) -> {
            LoadResult result = loader.resolve(program);
            result.versions().problems().forEach(VersionProblem::message);
            result.versionRequirements().size();
        });
    }

    /**
     * The same pair bound as ldd -r and ldd -d would: relocation tables, symbol, hash and version
     * tables of both read from fuzzer data, every lookup and every complaint worked out.
     */
    @FuzzTest
    void bindings(byte[] data) throws IOException {
        withProgramAndLibrary(data, (loader, program) -> {
            LoadResult result = loader.resolve(program);
            for (BindMode mode : BindMode.values()) {
                Bindings bindings = loader.bind(result, mode);
                bindings.problems().forEach(problem -> problem.line(program));
                bindings.stop().ifPresent(LoadFailure::message);
            }
        });
    }

    private interface ProgramCheck {
        void run(Loader loader, String program) throws IOException;
    }

    /** Writes the program and libv.so to a fresh sysroot, runs the check there, and removes them. */
    private static void withProgramAndLibrary(byte[] data, ProgramCheck check) throws IOException {
        if (data.length < 4) {
            return;
        }
        int programLength = Math.floorMod(java.nio.ByteBuffer.wrap(data, 0, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(),
                data.length - 3);
        Path root = Files.createTempDirectory("pair");
        try {
            Path program = Files.write(root.resolve("prog"), java.util.Arrays.copyOfRange(data, 4, 4 + programLength));
            Files.write(Files.createDirectories(root.resolve("lib")).resolve("libv.so"),
                    java.util.Arrays.copyOfRange(data, 4 + programLength, data.length));
            Loader loader = new Loader(LoaderOptions.system().withRoot(root).withLibraryPath(Optional.empty()));
            try {
                check.run(loader, program.toString());
            } catch (LoaderException refused) {
                // A file the reader cannot follow is one message, never anything else.
            }
        } finally {
            try (var walk = Files.walk(root)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
