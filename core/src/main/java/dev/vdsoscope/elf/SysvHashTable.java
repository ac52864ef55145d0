package dev.vdsoscope.elf;

import java.util.OptionalInt;

/**
 * DT_HASH: nbucket, nchain, bucket[nbucket], chain[nchain]. The words are 32-bit everywhere but on
 * 64-bit s390 and Alpha, where they are 64-bit (a historical quirk that glibc and binutils honour).
 */
public final class SysvHashTable implements HashTable {
    private final ElfFile elf;
    private final ElfInput in;
    private final long offset;
    private final int wordSize;
    private final long nbucket;
    private final long nchain;

    SysvHashTable(ElfFile elf, long offset) {
        this.elf = elf;
        this.in = elf.input();
        this.offset = offset;
        // 64-bit s390 and Alpha use 64-bit hash words (glibc's Elf_Symndx; readelf agrees).
        Machine machine = elf.machine();
        boolean wide = elf.header().is64() && (machine.equals(Machine.EM_S390) || machine.equals(Machine.EM_S390_OLD)
                || machine.equals(Machine.EM_ALPHA));
        this.wordSize = wide ? 8 : 4;
        this.nbucket = word(0);
        this.nchain = word(1);
        if (Long.compareUnsigned(nbucket, in.size()) > 0 || Long.compareUnsigned(nchain, in.size()) > 0) {
            throw new ElfFormatException("DT_HASH table claims " + Long.toUnsignedString(nbucket) + " buckets and "
                    + Long.toUnsignedString(nchain) + " chains, more than the image can hold", offset);
        }
        in.requireTable(offset, 2 + nbucket + nchain, wordSize, "DT_HASH table");
    }

    private long word(long index) {
        return in.unsigned(offset + index * wordSize, wordSize);
    }

    public int wordSize() {
        return wordSize;
    }

    public long bucketCount() {
        return nbucket;
    }

    @Override
    public long offset() {
        return offset;
    }

    /** nchain equals the number of symbols, by the gABI's definition. */
    @Override
    public long symbolCount() {
        return nchain;
    }

    @Override
    public OptionalInt lookup(String name, SymbolTable symbols) {
        if (nbucket == 0) {
            return OptionalInt.empty();
        }
        long index = word(2 + HashTable.elfHash(name) % nbucket);
        // A chain longer than nchain must loop: stop there instead of spinning.
        for (long steps = 0; index != 0 && steps <= nchain; steps++) {
            // Unsigned: a 64-bit word (s390x, Alpha) can have its top bit set.
            if (Long.compareUnsigned(index, nchain) >= 0 || index >= symbols.size()) {
                return OptionalInt.empty();
            }
            // Like ld.so and the kernel's vDSO parser, an undefined symbol is no answer (GNU hash skips them too).
            Symbol candidate = symbols.get((int) index);
            if (!candidate.isUndefined() && candidate.name().equals(name)) {
                return OptionalInt.of((int) index);
            }
            index = word(2 + nbucket + index);
        }
        if (index != 0) {
            elf.warn("DT_HASH chain of bucket " + HashTable.elfHash(name) % nbucket + " loops (table at offset 0x"
                    + Long.toHexString(offset) + ")");
        }
        return OptionalInt.empty();
    }
}
