package dev.vdsoscope.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LdSoCacheTest {
    private static final int X86_64 = 0x0303;
    private static final Pattern LDCONFIG_LINE = Pattern.compile("^\\t(\\S+) \\(libc6,x86-64\\) => (\\S+)$");

    @TempDir
    Path dir;

    @Test
    void everyEntryLdconfigPrintsIsFound() throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("/etc/ld.so.cache")));
        Gcc.Result listing = Gcc.run(Map.of(), "/sbin/ldconfig", "-p");
        Map<String, String> expected = new LinkedHashMap<>();
        for (String line : listing.output().split("\n")) {
            Matcher m = LDCONFIG_LINE.matcher(line);
            if (m.matches()) {
                expected.putIfAbsent(m.group(1), m.group(2));
            }
        }
        assertThat(expected).hasSizeGreaterThan(20);
        LdSoCache cache = LdSoCache.read(Path.of("/etc/ld.so.cache"));
        expected.forEach((name, path) ->
                assertThat(cache.lookup(name, X86_64, HostHwcaps.forX86_64())).as(name).contains(path));
        assertThat(cache.lookup("libdoes-not-exist.so.9", X86_64, HostHwcaps.forX86_64())).isEmpty();
        // Another ABI's flags do not match the x86-64 entries.
        assertThat(cache.lookup("libc.so.6", 0x0a03, HostHwcaps.forX86_64())).isEmpty();
    }

    @Test
    void glibcHwcapsEntriesWrittenByLdconfigAreChosenByPriority() throws Exception {
        assumeTrue(Gcc.available() && HostHwcaps.forX86_64().glibcHwcaps().contains("x86-64-v2"));
        Path lib = dir.resolve("lib");
        Gcc.library(lib.resolve("libhw.so.1"), "libhw.so.1", "hw");
        Gcc.library(lib.resolve("glibc-hwcaps/x86-64-v2/libhw.so.1"), "libhw.so.1", "hw");
        Path conf = Files.writeString(dir.resolve("ld.so.conf"), lib + "\n");
        Path cacheFile = dir.resolve("ld.so.cache");
        Gcc.Result built = Gcc.run(Map.of(), "/sbin/ldconfig", "-X", "-C", cacheFile.toString(), "-f", conf.toString());
        assertThat(built.exitCode()).as(built.output()).isZero();

        LdSoCache cache = LdSoCache.read(cacheFile);
        assertThat(cache.hwcapsNames()).contains("x86-64-v2");
        assertThat(cache.lookup("libhw.so.1", X86_64, HostHwcaps.forX86_64()))
                .contains(lib + "/glibc-hwcaps/x86-64-v2/libhw.so.1");
        assertThat(cache.lookup("libhw.so.1", X86_64, HostHwcaps.forX86_64().withGlibcHwcaps(List.of())))
                .contains(lib + "/libhw.so.1");
    }

    @Test
    void theOldFormatIsRead() throws Exception {
        // ld.so-1.7.0: header, then (flags, key, value) triples, then the strings; sorted descending.
        byte[] strings = "libz.so.1\0/lib/libz.so.1\0liba.so.2\0/lib/liba.so.2\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer header = ByteBuffer.allocate(16 + 2 * 12).order(ByteOrder.LITTLE_ENDIAN);
        header.put("ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        header.putInt(2);
        header.putInt(3).putInt(0).putInt(10);
        header.putInt(1).putInt(25).putInt(35);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(header.array());
        file.write(strings);
        LdSoCache cache = LdSoCache.parse(file.toByteArray());
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.lookup("libz.so.1", 3, HostHwcaps.plain("i686", List.of()))).contains("/lib/libz.so.1");
        assertThat(cache.lookup("liba.so.2", 3, HostHwcaps.plain("i686", List.of()))).contains("/lib/liba.so.2");
        assertThat(cache.lookup("liba.so.2", X86_64, HostHwcaps.plain("i686", List.of()))).isEmpty();
    }

    @Test
    void corruptCachesAreRefused() throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("/etc/ld.so.cache")));
        byte[] real = Files.readAllBytes(Path.of("/etc/ld.so.cache"));
        assertThatThrownBy(() -> LdSoCache.parse(Arrays.copyOf(real, 100)))
                .isInstanceOf(LdSoCache.CorruptCacheException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> LdSoCache.parse("garbage, not a cache".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(LdSoCache.CorruptCacheException.class).hasMessageContaining("magic");
        assertThatThrownBy(() -> LdSoCache.parse(new byte[0])).isInstanceOf(LdSoCache.CorruptCacheException.class);
    }
}
