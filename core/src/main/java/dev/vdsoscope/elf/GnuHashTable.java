package dev.vdsoscope.elf;

import java.util.OptionalInt;

/**
 * DT_GNU_HASH: nbuckets, symoffset, bloom_size, bloom_shift, bloom[bloom_size] (address-sized words),
 * buckets[nbuckets], then one 32-bit chain word per symbol from symoffset on, whose low bit ends a chain.
 */
public final class GnuHashTable implements HashTable {
    private final ElfInput in;
    private final long offset;
    private final long nbuckets;
    private final long symoffset;
    private final long bloomSize;
    private final long bloomShift;
    private final int bloomWord;
    private final long bucketsOffset;
    private final long chainsOffset;
    private long symbolCount = -1;

    GnuHashTable(ElfFile elf, long offset) {
        this.in = elf.input();
        this.offset = offset;
        this.nbuckets = in.u32(offset);
        this.symoffset = in.u32(offset + 4);
        this.bloomSize = in.u32(offset + 8);
        this.bloomShift = in.u32(offset + 12);
        this.bloomWord = elf.header().elfClass().wordSize();
        this.bucketsOffset = offset + 16 + bloomSize * bloomWord;
        this.chainsOffset = bucketsOffset + nbuckets * 4;
        in.require(offset + 16, bloomSize * bloomWord + nbuckets * 4, "DT_GNU_HASH table");
    }

    @Override
    public long offset() {
        return offset;
    }

    public long bucketCount() {
        return nbuckets;
    }

    /**
     * The highest symbol index reachable from any bucket, plus one: walk to the end of the chain
     * that starts at the largest bucket value. Bounded by the bytes in the image.
     */
    @Override
    public long symbolCount() {
        if (symbolCount < 0) {
            long max = 0;
            for (long i = 0; i < nbuckets; i++) {
                max = Math.max(max, in.u32(bucketsOffset + 4 * i));
            }
            if (max < symoffset) {
                symbolCount = symoffset;
            } else {
                long index = max;
                long limit = (in.size() - chainsOffset) / 4 + symoffset;
                while (index < limit && (in.u32(chainsOffset + 4 * (index - symoffset)) & 1) == 0) {
                    index++;
                }
                if (index >= limit) {
                    throw new ElfFormatException(ElfFormatException.Kind.OUT_OF_BOUNDS, "DT_GNU_HASH chain runs past the end of the image", chainsOffset);
                }
                symbolCount = index + 1;
            }
        }
        return symbolCount;
    }

    @Override
    public OptionalInt lookup(String name, SymbolTable symbols) {
        if (nbuckets == 0) {
            return OptionalInt.empty();
        }
        long hash = HashTable.gnuHash(name);
        if (bloomSize > 0) {
            int bits = bloomWord * 8;
            long word = in.unsigned(offset + 16 + ((hash / bits) % bloomSize) * bloomWord, bloomWord);
            long mask = (1L << (hash % bits)) | (1L << ((hash >>> bloomShift) % bits));
            if ((word & mask) != mask) {
                return OptionalInt.empty();
            }
        }
        long index = in.u32(bucketsOffset + 4 * (hash % nbuckets));
        if (index == 0 || index < symoffset) {
            return OptionalInt.empty();
        }
        for (; index < symbols.size(); index++) {
            long chain = in.u32(chainsOffset + 4 * (index - symoffset));
            if ((chain | 1) == (hash | 1) && symbols.get((int) index).name().equals(name)) {
                return OptionalInt.of((int) index);
            }
            if ((chain & 1) != 0) {
                break;
            }
        }
        return OptionalInt.empty();
    }
}
