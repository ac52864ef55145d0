package dev.vdsoscope.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.vdsoscope.loader.Hwcaps;
import dev.vdsoscope.loader.LdSoCache;
import dev.vdsoscope.loader.LdSoConf;

/** Fuzzing of the static loader's parsers of untrusted system files: ld.so.cache and ld.so.conf. */
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
}
