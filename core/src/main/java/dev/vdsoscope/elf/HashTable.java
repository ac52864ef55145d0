package dev.vdsoscope.elf;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A dynamic symbol hash table: the loader's index from a name to a symbol, and the only place that
 * says how many dynamic symbols there are when a file has no section headers.
 */
public sealed interface HashTable permits SysvHashTable, GnuHashTable {
    /** The number of entries of the dynamic symbol table this hash table covers. */
    long symbolCount();

    /** The index of the dynamic symbol with this name, found the loader's way. */
    OptionalInt lookup(String name, SymbolTable symbols);

    /** The file offset of the table. */
    long offset();

    static Optional<HashTable> read(ElfFile elf) {
        Optional<DynamicTable> dynamic = elf.dynamic();
        if (dynamic.isPresent()) {
            DynamicTable d = dynamic.get();
            if (d.has(DynamicTag.DT_GNU_HASH)) {
                return Optional.of(new GnuHashTable(elf, elf.offsetOf(d.value(DynamicTag.DT_GNU_HASH).getAsLong(),
                        "DT_GNU_HASH")));
            }
            if (d.has(DynamicTag.DT_HASH)) {
                return Optional.of(new SysvHashTable(elf, elf.offsetOf(d.value(DynamicTag.DT_HASH).getAsLong(),
                        "DT_HASH")));
            }
        }
        Optional<Section> gnu = elf.section(SectionType.SHT_GNU_HASH);
        if (gnu.isPresent()) {
            return Optional.of(new GnuHashTable(elf, gnu.get().offset()));
        }
        return elf.section(SectionType.SHT_HASH).map(s -> new SysvHashTable(elf, s.offset()));
    }

    /** The System V ELF hash of a name (gABI "Hash Table"). */
    static long elfHash(String name) {
        long h = 0;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h << 4) + (b & 0xff);
            long g = h & 0xf0000000L;
            if (g != 0) {
                h ^= g >>> 24;
            }
            h &= ~g;
        }
        return h & 0xffffffffL;
    }

    /** The GNU hash of a name (Bernstein's h*33+c, as glibc's dl_new_hash). */
    static long gnuHash(String name) {
        long h = 5381;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h * 33 + (b & 0xff)) & 0xffffffffL;
        }
        return h;
    }
}
