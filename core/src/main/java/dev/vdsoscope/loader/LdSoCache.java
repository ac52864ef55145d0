package dev.vdsoscope.loader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A reader for /etc/ld.so.cache as glibc 2.36's elf/dl-cache.c reads it: the
 * "glibc-ld.so.cache1.1" format (with its extension directory and the glibc-hwcaps section), the
 * old "ld.so-1.7.0" format, and the old format with the new one appended. Lookups follow
 * {@code search_cache}: a binary search with ldconfig's digit-aware order, then among the entries of
 * that name the best supported glibc-hwcaps entry, else the first plain entry for the ABI.
 */
public final class LdSoCache {
    /** The file is not a usable cache; ld.so then searches the directories alone. */
    public static final class CorruptCacheException extends Exception {
        CorruptCacheException(String message) {
            super(message);
        }
    }

    private static final byte[] MAGIC_NEW = "glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC_OLD = "ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII);
    private static final int NEW_HEADER = 48;
    private static final int NEW_ENTRY = 24;
    private static final int OLD_HEADER = 16;
    private static final int OLD_ENTRY = 12;
    private static final int EXTENSION_MAGIC = 0xeaa42174;
    private static final int TAG_GLIBC_HWCAPS = 1;
    private static final long HWCAP_EXTENSION = 1L << 62;
    private static final int ISA_LEVEL_MASK = (1 << 10) - 1;
    /** _DL_HWCAP_TLS_MASK: the bit ldconfig sets for a library in a tls/ subdirectory. */
    private static final long TLS_HWCAP = 1L << 63;

    private final ByteBuffer bytes;
    private final int entriesAt;
    private final int entrySize;
    private final int count;
    private final int stringsAt;
    private final List<String> hwcapsNames;

    private LdSoCache(ByteBuffer bytes, int entriesAt, int entrySize, int count, int stringsAt, List<String> hwcapsNames) {
        this.bytes = bytes;
        this.entriesAt = entriesAt;
        this.entrySize = entrySize;
        this.count = count;
        this.stringsAt = stringsAt;
        this.hwcapsNames = hwcapsNames;
    }

    public static LdSoCache read(Path file) throws IOException, CorruptCacheException {
        return parse(Files.readAllBytes(file));
    }

    public static LdSoCache parse(byte[] data) throws CorruptCacheException {
        ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (startsWith(data, 0, MAGIC_NEW)) {
            return parseNew(buffer, 0);
        }
        if (!startsWith(data, 0, MAGIC_OLD)) {
            throw new CorruptCacheException("not an ld.so.cache (unknown magic)");
        }
        if (data.length < OLD_HEADER) {
            throw new CorruptCacheException("truncated header");
        }
        long nlibs = Integer.toUnsignedLong(buffer.getInt(12));
        if ((data.length - OLD_HEADER) / OLD_ENTRY < nlibs) {
            throw new CorruptCacheException("entry count " + nlibs + " does not fit in the file");
        }
        int afterOld = OLD_HEADER + (int) nlibs * OLD_ENTRY;
        int newAt = (afterOld + 7) & ~7;
        if (data.length >= newAt + NEW_HEADER && startsWith(data, newAt, MAGIC_NEW)) {
            return parseNew(buffer, newAt);
        }
        return new LdSoCache(buffer, OLD_HEADER, OLD_ENTRY, (int) nlibs, afterOld, List.of());
    }

    private static LdSoCache parseNew(ByteBuffer buffer, int base) throws CorruptCacheException {
        int size = buffer.capacity() - base;
        if (size <= NEW_HEADER) {
            throw new CorruptCacheException("truncated header");
        }
        int flags = buffer.get(base + 28) & 0xff;
        if (flags == 1) {
            throw new CorruptCacheException("marked invalid by ldconfig");
        }
        if ((flags & 3) == 3) {
            buffer.order(ByteOrder.BIG_ENDIAN);
        }
        if (ByteOrder.nativeOrder() != buffer.order() && flags != 0) {
            throw new CorruptCacheException("written for the other byte order");
        }
        long nlibs = Integer.toUnsignedLong(buffer.getInt(base + 20));
        if ((size - NEW_HEADER) / NEW_ENTRY < nlibs) {
            throw new CorruptCacheException("entry count " + nlibs + " does not fit in the file");
        }
        return new LdSoCache(buffer, base + NEW_HEADER, NEW_ENTRY, (int) nlibs, base,
                hwcapsSection(buffer, Integer.toUnsignedLong(buffer.getInt(base + 32))));
    }

    /**
     * The glibc-hwcaps names of the extension directory; empty when it is absent or damaged, as in
     * glibc. Offsets here count from the start of the file.
     */
    private static List<String> hwcapsSection(ByteBuffer bytes, long extensionOffset) {
        long size = bytes.capacity();
        if (extensionOffset == 0 || extensionOffset % 4 != 0 || extensionOffset + 8 > size
                || bytes.getInt((int) extensionOffset) != EXTENSION_MAGIC) {
            return List.of();
        }
        int at = (int) extensionOffset;
        long sections = Integer.toUnsignedLong(bytes.getInt(at + 4));
        if (extensionOffset + 8 + sections * 16 > size) {
            return List.of();
        }
        for (int i = 0; i < sections; i++) {
            int section = at + 8 + i * 16;
            long offset = Integer.toUnsignedLong(bytes.getInt(section + 8));
            long length = Integer.toUnsignedLong(bytes.getInt(section + 12));
            if (bytes.getInt(section) != TAG_GLIBC_HWCAPS || offset + length > size || length == 0
                    || offset % 4 != 0 || length % 4 != 0) {
                continue;
            }
            List<String> names = new ArrayList<>();
            for (int j = 0; j < length / 4; j++) {
                long nameOffset = Integer.toUnsignedLong(bytes.getInt((int) offset + j * 4));
                names.add(nameOffset < size ? cString(bytes, (int) nameOffset) : "");
            }
            return List.copyOf(names);
        }
        return List.of();
    }

    /** The number of entries, of every ABI. */
    public int size() {
        return count;
    }

    /** The glibc-hwcaps subdirectory names the cache knows about. */
    public List<String> hwcapsNames() {
        return hwcapsNames;
    }

    /**
     * The path the cache gives for a name, for an ABI whose {@code _DL_CACHE_DEFAULT_ID} is
     * {@code abiFlags}, with this CPU's glibc-hwcaps subdirectories.
     */
    public Optional<String> lookup(String name, int abiFlags, Hwcaps hwcaps) {
        return lookup(name, abiFlags, () -> hwcaps);
    }

    /**
     * The same, asking for the capabilities only when an entry needs them (one from a glibc-hwcaps
     * or legacy subdirectory): most entries have none, and working the CPU out costs start-up time.
     */
    public Optional<String> lookup(String name, int abiFlags, Supplier<Hwcaps> capabilities) {
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        int left = 0;
        int right = count - 1;
        while (left <= right) {
            int middle = (left + right) >>> 1;
            int cmp = compare(key, keyOffset(middle));
            if (cmp == 0) {
                int first = middle;
                while (first > 0 && compare(key, keyOffset(first - 1)) == 0) {
                    first--;
                }
                return best(key, first, abiFlags, capabilities);
            }
            // ldconfig sorts the entries in descending order.
            if (cmp < 0) {
                left = middle + 1;
            } else {
                right = middle - 1;
            }
        }
        return Optional.empty();
    }

    private Optional<String> best(byte[] key, int first, int abiFlags, Supplier<Hwcaps> capabilities) {
        String best = null;
        int bestPriority = 0;
        for (int i = first; i < count && compare(key, keyOffset(i)) == 0; i++) {
            int at = entriesAt + i * entrySize;
            int flags = bytes.getInt(at);
            long value = Integer.toUnsignedLong(bytes.getInt(at + 8));
            if (!flagsMatch(flags, abiFlags) || value >= bytes.capacity() - stringsAt) {
                continue;
            }
            int priority = 0;
            if (entrySize == NEW_ENTRY) {
                long hwcap = bytes.getLong(at + 16);
                Hwcaps hwcaps = hwcap == 0 ? null : capabilities.get();
                boolean named = ((hwcap >>> 32) & ~ISA_LEVEL_MASK) == (HWCAP_EXTENSION >>> 32);
                if (named && hwcaps.isa1().isPresent()) {
                    // dl_cache_hwcap_isa_level_compatible (x86 only): the entry's level, as a bit of isa_1.
                    int level = 1 << (int) ((hwcap >>> 32) & ISA_LEVEL_MASK & 31);
                    if ((level & hwcaps.isa1().getAsInt()) != level) {
                        continue;
                    }
                }
                if (!named && best != null) {
                    // Entries of named subdirectories come first; the best of them wins.
                    break;
                }
                // A legacy entry (from a tls/, platform or hwcap subdirectory ldconfig scanned) needs
                // every bit it has among the ones this CPU and the hwcap mask allow, and its platform
                // bits must be this platform's.
                if (!named && hwcaps != null) {
                    long allowed = hwcaps.cacheHwcap() | hwcaps.cachePlatformMask() | TLS_HWCAP;
                    long entryPlatform = hwcap & hwcaps.cachePlatformMask();
                    if ((hwcap & ~allowed) != 0 || (entryPlatform != 0 && entryPlatform != hwcaps.cachePlatform())) {
                        continue;
                    }
                }
                if (named) {
                    priority = priority((int) hwcap, hwcaps);
                    if (priority == 0 || (best != null && priority >= bestPriority)) {
                        continue;
                    }
                    bestPriority = priority;
                }
            }
            best = string((int) value);
            if (priority == 0 && flags == abiFlags) {
                break;
            }
        }
        return Optional.ofNullable(best);
    }

    /** glibc's _dl_cache_check_flags: x86-64 and most 64-bit ABIs accept only their own flags. */
    private static boolean flagsMatch(int flags, int abiFlags) {
        return flags == abiFlags || (abiFlags == 3 && flags == 1);
    }

    /** 1 for the best supported subdirectory, higher for worse ones, 0 for unsupported. */
    private int priority(int index, Hwcaps hwcaps) {
        if (index < 0 || index >= hwcapsNames.size()) {
            return 0;
        }
        int position = hwcaps.glibcHwcaps().indexOf(hwcapsNames.get(index));
        return position + 1;
    }

    private int keyOffset(int index) {
        return bytes.getInt(entriesAt + index * entrySize + 4);
    }

    private String string(int offset) {
        return cString(bytes, stringsAt + offset);
    }

    private static String cString(ByteBuffer bytes, int start) {
        int end = start;
        while (end < bytes.capacity() && bytes.get(end) != 0) {
            end++;
        }
        byte[] text = new byte[end - start];
        bytes.get(start, text);
        return new String(text, StandardCharsets.UTF_8);
    }

    /** ldconfig's order (_dl_cache_libcmp): runs of digits compare as numbers. */
    private int compare(byte[] name, int keyOffset) {
        long limit = bytes.capacity();
        long q = stringsAt + Integer.toUnsignedLong(keyOffset);
        if (q >= limit) {
            return -1;
        }
        int p = 0;
        while (p < name.length) {
            int c1 = name[p] & 0xff;
            int c2 = q < limit ? bytes.get((int) q) & 0xff : 0;
            if (isDigit(c1)) {
                if (!isDigit(c2)) {
                    return 1;
                }
                long v1 = 0;
                while (p < name.length && isDigit(name[p] & 0xff)) {
                    v1 = v1 * 10 + (name[p++] - '0');
                }
                long v2 = 0;
                while (q < limit && isDigit(bytes.get((int) q) & 0xff)) {
                    v2 = v2 * 10 + (bytes.get((int) q++) - '0');
                }
                if (v1 != v2) {
                    return Long.compare(v1, v2);
                }
            } else if (isDigit(c2)) {
                return -1;
            } else if (c1 != c2) {
                return c1 - c2;
            } else {
                p++;
                q++;
            }
        }
        return q < limit ? -(bytes.get((int) q) & 0xff) : 0;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        if (data.length < at + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
