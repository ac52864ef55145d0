package dev.vdsoscope.loader;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import dev.vdsoscope.abi.GlibcRelocations;
import dev.vdsoscope.abi.GlibcRelocations.LazyTreatment;
import dev.vdsoscope.abi.GlibcRelocations.Treatment;
import dev.vdsoscope.elf.DynamicTable;
import dev.vdsoscope.elf.DynamicTag;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.ElfInput;
import dev.vdsoscope.elf.ElfType;
import dev.vdsoscope.elf.SectionIndex;
import dev.vdsoscope.elf.SymbolBinding;
import dev.vdsoscope.elf.SymbolType;
import dev.vdsoscope.elf.SymbolVisibility;

/**
 * One object's dynamic symbols, hash table, symbol versions and relocations, read the way glibc's
 * ld.so reads them to bind (elf/dl-lookup.c, elf/do-rel.h, elf/dynamic-link.h), once per file and
 * shared by every program that loads the file. Nothing here depends on a program's link map: the
 * lookup answers for this one object ({@link #find}), and the relocations are the steps ld.so takes
 * through its tables in its order ({@link #steps}), which a {@link Binder} replays against each
 * program's search list.
 *
 * <p>The tables are copied onto the heap (a few megabytes for the largest library of a system) and
 * the file is let go. ld.so knows no symbol count; the count read is the largest the hash table or
 * a relocation reaches, bounded by the file.
 */
final class BindingTables {
    // The lookup reads st_info and st_other as plain ints: the named constants, unboxed once.
    private static final int STT_TLS = (int) SymbolType.STT_TLS.value();
    /** ld.so's ALLOWED_STT: STT_NOTYPE, OBJECT, FUNC, COMMON, TLS and GNU_IFUNC. */
    private static final int ALLOWED_TYPES = typeBits(SymbolType.STT_NOTYPE, SymbolType.STT_OBJECT, SymbolType.STT_FUNC,
            SymbolType.STT_COMMON, SymbolType.STT_TLS, SymbolType.STT_GNU_IFUNC);
    private static final int STB_LOCAL = (int) SymbolBinding.STB_LOCAL.value();
    private static final int STB_GLOBAL = (int) SymbolBinding.STB_GLOBAL.value();
    private static final int STB_WEAK = (int) SymbolBinding.STB_WEAK.value();
    private static final int STB_GNU_UNIQUE = (int) SymbolBinding.STB_GNU_UNIQUE.value();
    private static final int STV_INTERNAL = SymbolVisibility.STV_INTERNAL.ordinal();
    private static final int STV_HIDDEN = SymbolVisibility.STV_HIDDEN.ordinal();
    private static final int STV_PROTECTED = SymbolVisibility.STV_PROTECTED.ordinal();
    /** find(): this object has no acceptable definition; the lookup goes on to the next. */
    static final int NOT_HERE = -1;
    /** find(): ld.so's assertion in check_match fails (a versioned reference into an object without versions). */
    static final int ASSERTION = -2;
    /** Relocation tables are read this many bytes at a time. */
    private static final int CHUNK = 64 * 1024;
    private static final AtomicInteger IDS = new AtomicInteger();

    private static int typeBits(SymbolType... types) {
        int bits = 0;
        for (SymbolType type : types) {
            bits |= 1 << type.value();
        }
        return bits;
    }

    /**
     * One entry of ld.so's {@code l_versions}: what a version index of this object's DT_VERSYM
     * means. {@code filename} is the Verneed file for a needed version, null for a defined one.
     */
    record Version(long hash, String name, boolean hidden, String filename) {}

    /** A number of its own, for keys that name a set of files ({@link BindingCache}). */
    final int id = IDS.incrementAndGet();
    final String path;
    final boolean is64;
    /** ET_EXEC: loaded at its link-time addresses (l_addr 0). */
    final boolean fixedAddress;
    /** DT_SYMBOLIC or DF_SYMBOLIC: ld.so looks in the object itself first. */
    final boolean symbolic;
    /** DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW: no lazy binding for this object whatever the mode. */
    final boolean bindNow;
    /** Whether any dynamic symbol is protected (only then can a lookup meet one). */
    private final boolean anyProtected;
    /** The symbols the hash table reaches: how large the object is, as a lookup sees it. */
    private final int hashedSymbols;
    final VersionTables versionTables;

    /** The symbol table (ElfN_Sym entries), read through the views below in the file's byte order. */
    private byte[] symbolTable;
    private final VarHandle u16;
    private final VarHandle u32;
    private final VarHandle u64;
    private final int symbolSize;
    /** The symbols read (the table grows while the relocations are read, then stays). */
    private int symbolCount;
    private final long symtabAt;
    private final int symbolsInFile;
    private final byte[] strings;
    private final short[] versym;

    private final int nbuckets;
    private final boolean gnu;
    private final long[] bloom;
    private final int bloomMask;
    private final int bloomShift;
    private final int[] buckets;
    private final int symbias;
    private final int[] chain;

    /** l_versions when every dependency is found; null when ndx_high is 0 (ld.so keeps no table then). */
    private final Version[] versions;
    /** The steps of the mode the tables were read for. */
    private final Steps steps;
    /** Whether those are the lazy steps (ldd -d, and no DT_BIND_NOW). */
    private final boolean lazily;
    /** What could not be read as ld.so would (the steps stop there). */
    final List<String> unmodelled;

    /**
     * Reads an object's tables from its file, with the relocation steps of one mode.
     *
     * @param mode which relocations ld.so processes (a run has one mode)
     * @throws ElfFormatException where a table lies outside the file
     */
    BindingTables(String path, ElfFile elf, ElfObject object, GlibcRelocations rules, BindMode mode) {
        this.path = path;
        ElfInput in = elf.input();
        this.is64 = elf.header().is64();
        this.fixedAddress = elf.header().type().is(ElfType.ET_EXEC);
        this.versionTables = object.versions();
        this.symbolSize = is64 ? 24 : 16;
        this.u16 = MethodHandles.byteArrayViewVarHandle(short[].class, elf.byteOrder());
        this.u32 = MethodHandles.byteArrayViewVarHandle(int[].class, elf.byteOrder());
        this.u64 = MethodHandles.byteArrayViewVarHandle(long[].class, elf.byteOrder());
        List<String> problems = new ArrayList<>();
        DynamicTable dynamic = elf.dynamic().orElseThrow(() -> new ElfFormatException(ElfFormatException.Kind.MALFORMED,
                "no dynamic table", -1));
        long flags = dynamic.value(DynamicTag.DT_FLAGS).orElse(0);
        this.symbolic = dynamic.has(DynamicTag.DT_SYMBOLIC) || (flags & DynamicTable.DF_SYMBOLIC) != 0;
        this.bindNow = dynamic.has(DynamicTag.DT_BIND_NOW) || (flags & DynamicTable.DF_BIND_NOW) != 0
                || (dynamic.flags1() & DynamicTable.DF_1_NOW) != 0;

        // The hash table says how many symbols a lookup can reach.
        int count = 0;
        OptionalLong gnuHash = dynamic.value(DynamicTag.DT_GNU_HASH);
        OptionalLong sysvHash = dynamic.value(DynamicTag.DT_HASH);
        if (gnuHash.isPresent()) {
            long at = elf.offsetOf(gnuHash.getAsLong(), "DT_GNU_HASH");
            gnu = true;
            // The counts are the file's word: each table is checked against the file before any
            // array is sized by it, so every count below fits the file (and an int).
            long bucketCount = in.u32(at);
            long firstHashed = in.u32(at + 4);
            if (firstHashed > in.size()) {
                // More symbols before the first hashed one than the file has bytes: no real table.
                throw new ElfFormatException(ElfFormatException.Kind.MALFORMED, "DT_GNU_HASH starts at symbol "
                        + firstHashed + ", past any symbol table the file can hold", at + 4);
            }
            symbias = (int) firstHashed;
            long bloomCount = in.u32(at + 8);
            bloomShift = (int) in.u32(at + 12);
            int word = is64 ? 8 : 4;
            in.requireTable(at + 16, bloomCount, word, "DT_GNU_HASH Bloom filter");
            in.requireTable(at + 16 + bloomCount * word, bucketCount, 4, "DT_GNU_HASH buckets");
            in.require(at + 16, bloomCount * word + 4L * bucketCount, "DT_GNU_HASH table");
            nbuckets = Math.toIntExact(bucketCount);
            int bloomWords = Math.toIntExact(bloomCount);
            bloom = new long[bloomWords];
            ByteBuffer bloomBytes = read(in, at + 16, Math.multiplyExact(bloomWords, word), "DT_GNU_HASH table", elf);
            for (int i = 0; i < bloomWords; i++) {
                bloom[i] = is64 ? bloomBytes.getLong(8 * i) : bloomBytes.getInt(4 * i) & 0xffffffffL;
            }
            bloomMask = bloomWords - 1;
            long bucketsAt = at + 16 + (long) bloomWords * word;
            buckets = words(in, bucketsAt, nbuckets, "DT_GNU_HASH table", elf);
            int highest = 0;
            for (int bucket : buckets) {
                highest = Math.max(highest, bucket);
            }
            long chainsAt = bucketsAt + 4L * nbuckets;
            int end = Math.max(highest, symbias);
            if (highest >= symbias) {
                // The chain of the highest bucket runs to the last symbol the table reaches.
                long limit = (in.size() - chainsAt) / 4 + symbias;
                while (end < limit && (in.u32(chainsAt + 4L * (end - symbias)) & 1) == 0) {
                    end++;
                }
                end = (int) Math.min(end + 1, limit);
            }
            chain = words(in, chainsAt, Math.max(0, end - symbias), "DT_GNU_HASH table", elf);
            count = end;
        } else if (sysvHash.isPresent()) {
            long at = elf.offsetOf(sysvHash.getAsLong(), "DT_HASH");
            gnu = false;
            long bucketCount = in.u32(at);
            long chainCount = in.u32(at + 4);
            in.requireTable(at + 8, bucketCount + chainCount, 4, "DT_HASH table");
            in.require(at + 8, 4L * bucketCount + 4L * chainCount, "DT_HASH table");
            nbuckets = Math.toIntExact(bucketCount);
            int nchain = Math.toIntExact(chainCount);
            buckets = words(in, at + 8, nbuckets, "DT_HASH table", elf);
            chain = words(in, at + 8 + 4L * nbuckets, nchain, "DT_HASH table", elf);
            bloom = null;
            bloomMask = 0;
            bloomShift = 0;
            symbias = 0;
            count = nchain;
        } else {
            // No hash table: ld.so passes over the object in every lookup (l_nbuckets is 0).
            gnu = false;
            nbuckets = 0;
            buckets = new int[0];
            chain = new int[0];
            bloom = null;
            bloomMask = 0;
            bloomShift = 0;
            symbias = 0;
        }

        long stringsAt = dynamic.stringTableOffset();
        long stringsSize = Math.max(0, Math.min(dynamic.stringTableEnd() - stringsAt, in.size() - stringsAt));
        strings = new byte[(int) Math.min(stringsSize, Integer.MAX_VALUE - 16)];
        in.copyTo(stringsAt, strings, 0, strings.length, "DT_STRTAB");

        // The symbols the hash table reaches, then the relocations, which may name more.
        OptionalLong symtab = dynamic.value(DynamicTag.DT_SYMTAB);
        symtabAt = symtab.isPresent() ? elf.offsetOf(symtab.getAsLong(), "DT_SYMTAB") : 0;
        symbolsInFile = (int) Math.max(0, Math.min(symtab.isPresent() ? (in.size() - symtabAt) / symbolSize : 0,
                Integer.MAX_VALUE / 32));
        hashedSymbols = Math.min(count, symbolsInFile);
        symbolCount = 0;
        symbolTable = new byte[0];
        growSymbols(in, hashedSymbols);
        lazily = mode == BindMode.DATA && !bindNow;
        StepsBuilder builder = new StepsBuilder(in, problems);
        walk(elf, ranges(dynamic, rules), rules, lazily, builder);
        boolean anyProtected = false;
        for (int i = 0, at = is64 ? 5 : 13; i < symbolCount; i++, at += symbolSize) {
            anyProtected |= (symbolTable[at] & 3) == STV_PROTECTED;
        }
        this.anyProtected = anyProtected;

        OptionalLong versymAddress = dynamic.value(DynamicTag.DT_VERSYM);
        if (versymAddress.isPresent()) {
            long at = elf.offsetOf(versymAddress.getAsLong(), "DT_VERSYM");
            int entries = (int) Math.max(0, Math.min(symbolCount, (in.size() - at) / 2)); // (a table past the end: none)
            versym = new short[symbolCount];
            read(in, at, 2 * entries, "DT_VERSYM", elf).asShortBuffer().get(versym, 0, entries);
        } else {
            versym = null;
        }
        versions = versions(versionTables, -1);
        unmodelled = problems;
        steps = builder.build(this);
    }

    /** Bytes of the file, in its byte order. */
    private static ByteBuffer read(ElfInput in, long offset, int length, String what, ElfFile elf) {
        byte[] bytes = new byte[length];
        in.copyTo(offset, bytes, 0, length, what);
        return ByteBuffer.wrap(bytes).order(elf.byteOrder());
    }

    /** 32-bit words of the file. */
    private static int[] words(ElfInput in, long offset, int count, String what, ElfFile elf) {
        int[] words = new int[count];
        read(in, offset, Math.multiplyExact(count, 4), what, elf).asIntBuffer().get(words);
        return words;
    }

    /** Reads the symbol table up to {@code count} symbols (no further than the file holds). */
    private void growSymbols(ElfInput in, int count) {
        int wanted = Math.min(count, symbolsInFile);
        if (wanted <= symbolCount) {
            return;
        }
        byte[] table = Arrays.copyOf(symbolTable, Math.multiplyExact(wanted, symbolSize));
        int have = symbolCount * symbolSize;
        in.copyTo(symtabAt + have, table, have, table.length - have, "DT_SYMTAB");
        symbolTable = table;
        symbolCount = wanted;
    }

    // ---- symbols -------------------------------------------------------------------------------------

    /** The symbols read: those the hash table reaches, and any relocation names. */
    int symbolCount() {
        return symbolCount;
    }

    int hashedSymbols() {
        return hashedSymbols;
    }

    boolean hasProtected() {
        return anyProtected;
    }

    long nameOffset(int symbol) {
        return Integer.toUnsignedLong((int) u32.get(symbolTable, symbol * symbolSize));
    }

    int info(int symbol) {
        return symbolTable[symbol * symbolSize + (is64 ? 4 : 12)] & 0xff;
    }

    int other(int symbol) {
        return symbolTable[symbol * symbolSize + (is64 ? 5 : 13)] & 0xff;
    }

    int sectionIndex(int symbol) {
        return (short) u16.get(symbolTable, symbol * symbolSize + (is64 ? 6 : 14)) & 0xffff;
    }

    long value(int symbol) {
        return is64 ? (long) u64.get(symbolTable, symbol * symbolSize + 8)
                : Integer.toUnsignedLong((int) u32.get(symbolTable, symbol * symbolSize + 4));
    }

    long size(int symbol) {
        return is64 ? (long) u64.get(symbolTable, symbol * symbolSize + 16)
                : Integer.toUnsignedLong((int) u32.get(symbolTable, symbol * symbolSize + 8));
    }

    /** STB_WEAK: an undefined reference that may stay undefined without a word from ld.so. */
    boolean weak(int symbol) {
        return info(symbol) >> 4 == STB_WEAK;
    }

    boolean protectedVisibility(int symbol) {
        return (other(symbol) & 3) == STV_PROTECTED;
    }

    /** The symbol's name (for messages). */
    String name(int symbol) {
        int start = (int) Math.min(nameOffset(symbol), strings.length);
        int end = start;
        while (end < strings.length && strings[end] != 0) {
            end++;
        }
        return new String(strings, start, end - start, StandardCharsets.UTF_8);
    }

    // ---- versions ------------------------------------------------------------------------------------

    /**
     * l_versions as _dl_check_map_versions builds it: indexed by version index up to ndx_high, the
     * needed versions first, then the defined ones (not the base version) over them. {@code
     * ndxHigh} -1 counts every Verneed entry; in trace mode ld.so counts none of a dependency that
     * was not found, yet fills in every entry below ndx_high.
     */
    private static Version[] versions(VersionTables tables, int ndxHigh) {
        int high = ndxHigh;
        if (high < 0) {
            high = 0;
            for (VersionTables.Need need : tables.needs()) {
                for (VersionTables.Needed needed : need.versions()) {
                    high = Math.max(high, needed.other() & 0x7fff);
                }
            }
            for (VersionTables.Definition definition : tables.definitions()) {
                high = Math.max(high, definition.index() & 0x7fff);
            }
        }
        if (high == 0) {
            return null;
        }
        Version[] table = new Version[high + 1];
        for (VersionTables.Need need : tables.needs()) {
            for (VersionTables.Needed needed : need.versions()) {
                int index = needed.other() & 0x7fff;
                if (index < table.length) {
                    table[index] = new Version(needed.hash(), needed.name(), (needed.other() & 0x8000) != 0, need.file());
                }
            }
        }
        for (VersionTables.Definition definition : tables.definitions()) {
            int index = definition.index() & 0x7fff;
            if (!definition.base() && index < table.length) {
                table[index] = new Version(definition.hash(), definition.name(), false, null);
            }
        }
        return table;
    }

    /** l_versions for a program where some of the object's dependencies were not found. */
    Version[] versionsWithout(Predicate<String> missingFile) {
        int high = 0;
        for (VersionTables.Need need : versionTables.needs()) {
            if (!missingFile.test(need.file())) {
                for (VersionTables.Needed needed : need.versions()) {
                    high = Math.max(high, needed.other() & 0x7fff);
                }
            }
        }
        for (VersionTables.Definition definition : versionTables.definitions()) {
            high = Math.max(high, definition.index() & 0x7fff);
        }
        return versions(versionTables, high);
    }

    Version[] versions() {
        return versions;
    }

    /**
     * The version a relocation's symbol asks for, as do-rel.h and RESOLVE_MAP take it from
     * {@code l_versions[versym[symbol] & 0x7fff]}: null when the object has no DT_VERSYM, or the
     * entry's hash is 0 (an unversioned lookup).
     */
    Version requested(int symbol, Version[] table) {
        if (versym == null || table == null) {
            return null;
        }
        int index = versym[symbol] & 0x7fff;
        Version v = index < table.length ? table[index] : null;
        return v == null || v.hash() == 0 ? null : v;
    }

    // ---- lookup --------------------------------------------------------------------------------------

    /** What is being looked up: one step's reference, with its name, hashes and version. */
    static final class Query {
        BindingTables from;
        int symbol;
        int nameOffset;
        int nameLength;
        int gnuHash;
        long sysvHash;
        Version version;
        int lookupClass;
        /** Chain steps taken for this program so far ({@link #CHAIN_STEP_BUDGET}). */
        long chainSteps;

        /** Counts one chain step; false once the budget is spent (the lookup then finds nothing). */
        boolean spend() {
            return ++chainSteps <= CHAIN_STEP_BUDGET;
        }

        boolean budgetSpent() {
            return chainSteps > CHAIN_STEP_BUDGET;
        }

        /** check_match's num_versions for the object being searched. */
        int versionedCount;
        /** check_match's versioned_sym: the first versioned candidate in that object, or NOT_HERE. */
        int versionedCandidate;

        void set(BindingTables from, Steps steps, int step, Version version) {
            this.from = from;
            this.symbol = steps.symbol[step];
            this.nameOffset = steps.nameOffset[step];
            this.nameLength = steps.nameLength[step];
            this.gnuHash = steps.gnuHash[step];
            this.sysvHash = -1;
            this.version = version;
            this.lookupClass = steps.lookupClass[step];
        }

        String name() {
            return from.name(symbol);
        }

        long sysvHash() {
            if (sysvHash < 0) {
                long h = 0;
                for (int i = 0; i < nameLength; i++) {
                    h = ((h << 4) + (from.strings[nameOffset + i] & 0xff)) & 0xffffffffL;
                    long g = h & 0xf0000000L;
                    if (g != 0) {
                        h ^= g >>> 24;
                    }
                    h &= ~g & 0xffffffffL;
                }
                sysvHash = h;
            }
            return sysvHash;
        }
    }

    /**
     * Hash-chain steps the lookups of one program may take: far more than any real program needs (the
     * largest on this system take a few million), few enough that a table built to make every lookup
     * walk every symbol (a hostile file: ld.so itself would take hours) stops within seconds.
     */
    static final long CHAIN_STEP_BUDGET = 50_000_000L;

    /**
     * do_lookup_x for this one object: the symbol that answers the query, {@link #NOT_HERE}, or
     * {@link #ASSERTION}. A definition that is hidden, or local, ends the search in this object
     * without an answer, as in ld.so.
     *
     * @param names the names this object answers to in the program (for check_match's assertion)
     */
    int find(Query q, Set<String> names) {
        if (nbuckets == 0 || q.nameLength < 0) {
            return NOT_HERE;
        }
        q.versionedCount = 0;
        q.versionedCandidate = NOT_HERE;
        int found = NOT_HERE;
        if (gnu) {
            int bits = is64 ? 64 : 32;
            long hash = q.gnuHash & 0xffffffffL;
            long word = bloom.length == 0 ? 0 : bloom[(int) ((hash / bits) & bloomMask)];
            int bit1 = (int) (hash & (bits - 1));
            int bit2 = (int) ((hash >>> bloomShift) & (bits - 1));
            if (((word >>> bit1) & (word >>> bit2) & 1) == 0) {
                return NOT_HERE;
            }
            int bucket = buckets[(int) (hash % nbuckets)];
            for (int index = bucket; bucket != 0 && index - symbias >= 0 && index - symbias < chain.length && q.spend();
                    index++) {
                int h = chain[index - symbias];
                if (((h ^ q.gnuHash) >>> 1) == 0 && (found = examine(q, index, names)) != NOT_HERE) {
                    break;
                }
                if ((h & 1) != 0) {
                    break;
                }
            }
        } else {
            long hash = q.sysvHash();
            int steps = 0;
            for (int index = buckets[(int) (hash % nbuckets)]; index > 0 && index < chain.length
                    && steps <= chain.length && q.spend(); index = chain[index], steps++) {
                if ((found = examine(q, index, names)) != NOT_HERE) {
                    break;
                }
            }
        }
        if (found == ASSERTION) {
            return ASSERTION;
        }
        if (found == NOT_HERE) {
            // Exactly one versioned definition, looked up without a version: it is taken.
            found = q.versionedCount == 1 ? q.versionedCandidate : NOT_HERE;
        }
        if (found == NOT_HERE) {
            return NOT_HERE;
        }
        int visibility = other(found) & 3;
        if (visibility == STV_HIDDEN || visibility == STV_INTERNAL) {
            return NOT_HERE;
        }
        int binding = info(found) >> 4;
        return binding == STB_GLOBAL || binding == STB_WEAK || binding == STB_GNU_UNIQUE ? found : NOT_HERE;
    }

    /**
     * check_match at {@code index}, remembering the first versioned candidate: the answer,
     * {@link #ASSERTION}, or {@link #NOT_HERE} to go on along the chain.
     */
    private int examine(Query q, int index, Set<String> names) {
        int match = check(q, index, names);
        if (match == NOT_HERE && q.versionedCount == 1 && q.versionedCandidate == NOT_HERE) {
            q.versionedCandidate = index;
        }
        return match;
    }

    /**
     * check_match: the symbol at {@code index} answers, or not ({@link #NOT_HERE}), or counts as a
     * versioned candidate for an unversioned lookup ({@code q.versionedCount} goes up, answer NOT_HERE).
     */
    private int check(Query q, int index, Set<String> names) {
        if (index >= symbolCount) {
            return NOT_HERE;
        }
        int type = info(index) & 0xf;
        int section = sectionIndex(index);
        if ((value(index) == 0 && section != SectionIndex.SHN_ABS && type != STT_TLS)
                || (q.lookupClass & (section == SectionIndex.SHN_UNDEF ? 1 : 0)) != 0) {
            return NOT_HERE;
        }
        if (((1 << type) & ALLOWED_TYPES) == 0) {
            return NOT_HERE;
        }
        if (!(q.from == this && q.symbol == index) && !sameName(q, index)) {
            return NOT_HERE;
        }
        short[] verstab = versions == null ? null : versym;
        if (q.version != null) {
            if (verstab == null) {
                // A versioned reference into an object without versions: ld.so asserts it is not the
                // file the version belongs to (dl-version.c has already said "no version information").
                if (q.version.filename() != null && names.contains(q.version.filename())) {
                    return ASSERTION;
                }
            } else {
                int ndx = verstab[index] & 0x7fff;
                Version have = ndx < versions.length ? versions[ndx] : null;
                long haveHash = have == null ? 0 : have.hash();
                boolean differs = haveHash != q.version.hash() || have == null || !have.name().equals(q.version.name());
                if (differs && (q.version.hidden() || haveHash != 0 || (verstab[index] & 0x8000) != 0)) {
                    return NOT_HERE;
                }
            }
        } else if (verstab != null && (verstab[index] & 0x7fff) >= 3) {
            if ((verstab[index] & 0x8000) == 0) {
                q.versionedCount++;
            }
            return NOT_HERE;
        }
        return index;
    }

    private boolean sameName(Query q, int index) {
        long offset = nameOffset(index);
        if (offset + q.nameLength >= strings.length) {
            return false;
        }
        int at = (int) offset;
        return strings[at + q.nameLength] == 0
                && Arrays.equals(q.from.strings, q.nameOffset, q.nameOffset + q.nameLength, strings, at, at + q.nameLength);
    }

    // ---- relocations ---------------------------------------------------------------------------------

    /**
     * The relocations ld.so would look a symbol up for, in its order, for one mode; the others
     * (RELATIVE, NONE, lazy JUMP_SLOTs) are left out. A step is {@link #LOOKUP looked up}, answered
     * from ld.so's one-entry lookup cache ({@link #CACHED}: the same symbol, in the same class, as
     * the lookup just before, so an undefined symbol is not said twice), or {@link #LOCAL} (a local
     * or hidden reference, bound to the object itself).
     */
    static final class Steps {
        static final byte LOOKUP = 0;
        static final byte CACHED = 1;
        static final byte LOCAL = 2;
        final int count;
        final int[] symbol;
        final int[] type;
        final Treatment[] treatment;
        final int[] lookupClass;
        final byte[] how;
        final long[] offset;
        final long[] addend;
        final int[] nameOffset;
        final int[] nameLength;
        final int[] gnuHash;
        /** Whether every step is a plain lookup (no copy, no overflow check, no unexpected type). */
        final boolean lookupsOnly;
        /** The {@link #LOOKUP} steps, one bit each. */
        final long[] lookupSteps;
        /**
         * Whether a lookup step's answer is used beyond found-or-not: by the step itself (a copy, an
         * overflow check) or by the cached steps right after it.
         */
        final boolean[] answerUsed;
        /** Whether ld.so stops at the last step on a PLT type it does not know (lazily, before any lookup). */
        final boolean unexpectedInPlt;

        private Steps(StepsBuilder b, BindingTables tables) {
            count = b.count;
            symbol = Arrays.copyOf(b.symbol, count);
            type = Arrays.copyOf(b.type, count);
            treatment = Arrays.copyOf(b.treatment, count);
            lookupClass = Arrays.copyOf(b.lookupClass, count);
            how = Arrays.copyOf(b.how, count);
            offset = Arrays.copyOf(b.offset, count);
            addend = Arrays.copyOf(b.addend, count);
            unexpectedInPlt = b.unexpectedInPlt;
            nameOffset = new int[count];
            nameLength = new int[count];
            gnuHash = new int[count];
            boolean plain = true;
            int previous = -1;
            for (int i = 0; i < count; i++) {
                plain &= treatment[i] == Treatment.LOOKUP || treatment[i] == Treatment.IRELATIVE;
                if (how[i] != LOOKUP) {
                    continue; // no name needed: nothing is looked up
                }
                if (previous >= 0 && symbol[previous] == symbol[i]) {
                    nameOffset[i] = nameOffset[previous];
                    nameLength[i] = nameLength[previous];
                    gnuHash[i] = gnuHash[previous];
                    continue;
                }
                long name = tables.nameOffset(symbol[i]);
                nameOffset[i] = (int) Math.min(name, Integer.MAX_VALUE);
                int h = 5381;
                int length = -1;
                byte[] strings = tables.strings;
                for (int c = nameOffset[i]; c < strings.length; c++) {
                    if (strings[c] == 0) {
                        length = c - nameOffset[i];
                        break;
                    }
                    h = h * 33 + (strings[c] & 0xff);
                }
                nameLength[i] = length;
                gnuHash[i] = h;
                previous = i;
            }
            lookupsOnly = plain;
            lookupSteps = new long[(count + 63) >>> 6];
            for (int i = 0; i < count; i++) {
                if (how[i] == LOOKUP) {
                    lookupSteps[i >>> 6] |= 1L << i;
                }
            }
            answerUsed = new boolean[count];
            boolean usedAfter = false;
            for (int i = count - 1; i >= 0; i--) {
                boolean nextCached = i + 1 < count && how[i + 1] == CACHED;
                answerUsed[i] = treatment[i] != Treatment.LOOKUP && treatment[i] != Treatment.IRELATIVE
                        || nextCached && usedAfter;
                usedAfter = answerUsed[i];
            }
        }
    }

    /** The relocation steps of the mode the tables were read for. */
    Steps steps() {
        return steps;
    }

    /** Whether the steps bind lazily (ldd -d, for an object without DT_BIND_NOW). */
    boolean lazily() {
        return lazily;
    }

    /** Steps as they are found, with the symbol data the file has for them. */
    private final class StepsBuilder {
        private final ElfInput in;
        private final List<String> problems;
        int count;
        int[] symbol = new int[16];
        int[] type = new int[16];
        Treatment[] treatment = new Treatment[16];
        int[] lookupClass = new int[16];
        byte[] how = new byte[16];
        long[] offset = new long[16];
        long[] addend = new long[16];
        boolean unexpectedInPlt;
        /** ld.so's l_lookup_cache: the symbol and class of the last lookup. */
        private int cachedSymbol = -1;
        private int cachedClass = -1;
        /** ld.so stops here: nothing more is read. */
        boolean stopped;

        StepsBuilder(ElfInput in, List<String> problems) {
            this.in = in;
            this.problems = problems;
        }

        /** elf_machine_rel(a) for one entry: a step if it looks a symbol up or checks what it finds. */
        void add(int sym, int relocationType, Treatment t, int cls, long where, long plus) {
            if (t == Treatment.NO_LOOKUP) {
                return;
            }
            if (sym >= symbolsInFile) {
                problems.add("a relocation names symbol " + sym + ", past the " + symbolsInFile + " symbols in the file");
                stopped = true;
                return;
            }
            if (sym >= symbolCount) {
                growSymbols(in, sym + 1); // a symbol the hash table does not reach
            }
            int info = info(sym);
            int visibility = other(sym) & 3;
            boolean local = info >> 4 == STB_LOCAL || visibility == STV_HIDDEN || visibility == STV_INTERNAL;
            byte h = Steps.LOCAL;
            if (!local) {
                h = cachedSymbol == sym && cachedClass == cls ? Steps.CACHED : Steps.LOOKUP;
                cachedSymbol = sym;
                cachedClass = cls;
            } else if (t == Treatment.LOOKUP || t == Treatment.IRELATIVE || t == Treatment.COPY) {
                return; // bound to the object itself: nothing to look up or report
            }
            append(sym, relocationType, t, cls, h, where, plus);
            if (t == Treatment.UNEXPECTED) {
                stopped = true;
            }
        }

        void unexpectedInPlt(int sym, int relocationType) {
            append(sym, relocationType, Treatment.UNEXPECTED, 0, Steps.LOCAL, 0, 0);
            unexpectedInPlt = true;
            stopped = true;
        }

        private void append(int sym, int relocationType, Treatment t, int cls, byte h, long where, long plus) {
            if (count == symbol.length) {
                int size = count * 2;
                symbol = Arrays.copyOf(symbol, size);
                type = Arrays.copyOf(type, size);
                treatment = Arrays.copyOf(treatment, size);
                lookupClass = Arrays.copyOf(lookupClass, size);
                how = Arrays.copyOf(how, size);
                offset = Arrays.copyOf(offset, size);
                addend = Arrays.copyOf(addend, size);
            }
            symbol[count] = sym;
            type[count] = relocationType;
            treatment[count] = t;
            lookupClass[count] = cls;
            how[count] = h;
            offset[count] = where;
            addend[count] = plus;
            count++;
        }

        Steps build(BindingTables tables) {
            return new Steps(this, tables);
        }
    }

    /** One table range as _ELF_DYNAMIC_DO_RELOC makes them; {@code plt} for DT_JMPREL's. */
    private record Range(boolean rela, long address, long size, long relative, boolean plt) {
        int entrySize(boolean is64) {
            return rela ? (is64 ? 24 : 12) : (is64 ? 16 : 8);
        }
    }

    /** The ranges ld.so relocates, REL before RELA, as ELF_DYNAMIC_RELOCATE does. */
    private static List<Range> ranges(DynamicTable dynamic, GlibcRelocations rules) {
        List<Range> ranges = new ArrayList<>();
        boolean checkKind = rules.processesRel() && rules.processesRela();
        if (rules.processesRel()) {
            addRanges(ranges, dynamic, false, checkKind);
        }
        if (rules.processesRela()) {
            addRanges(ranges, dynamic, true, checkKind);
        }
        return ranges;
    }

    /**
     * One table kind's ranges: the table, and DT_JMPREL after it (where DT_PLTREL names this kind,
     * or whatever it names where the ABI has only one), dropped from the table's end where the
     * table includes it. Whether the two are merged depends on the mode: {@link #walk} decides.
     */
    private static void addRanges(List<Range> ranges, DynamicTable dynamic, boolean rela, boolean checkKind) {
        DynamicTag table = rela ? DynamicTag.DT_RELA : DynamicTag.DT_REL;
        DynamicTag tableSize = rela ? DynamicTag.DT_RELASZ : DynamicTag.DT_RELSZ;
        DynamicTag relativeCount = rela ? DynamicTag.DT_RELACOUNT : DynamicTag.DT_RELCOUNT;
        long start = 0, size = 0, relative = 0;
        if (dynamic.value(table).orElse(0) != 0) {
            start = dynamic.value(table).getAsLong();
            size = dynamic.value(tableSize).orElse(0);
            relative = dynamic.value(relativeCount).orElse(0);
        }
        OptionalLong pltKind = dynamic.value(DynamicTag.DT_PLTREL);
        boolean plt = pltKind.isPresent() && (!checkKind || pltKind.getAsLong() == table.value())
                && dynamic.has(DynamicTag.DT_JMPREL);
        if (!plt) {
            if (start != 0) {
                ranges.add(new Range(rela, start, size, relative, false));
            }
            return;
        }
        long pltStart = dynamic.value(DynamicTag.DT_JMPREL).getAsLong();
        long pltSize = dynamic.value(DynamicTag.DT_PLTRELSZ).orElse(0);
        if (start == 0) {
            start = pltStart;
        }
        if (start + size == pltStart + pltSize) {
            size -= pltSize;
        }
        ranges.add(new Range(rela, start, size, relative, false));
        ranges.add(new Range(rela, pltStart, pltSize, 0, true));
    }

    /** Every range in ld.so's order for one mode: the PLT range merged into the table's when binding now and adjacent. */
    private void walk(ElfFile elf, List<Range> ranges, GlibcRelocations rules, boolean lazily, StepsBuilder steps) {
        for (int i = 0; i < ranges.size() && !steps.stopped; i++) {
            Range range = ranges.get(i);
            if (range.plt()) {
                continue; // with the range before it
            }
            Range pltRange = i + 1 < ranges.size() && ranges.get(i + 1).plt() ? ranges.get(i + 1) : null;
            boolean merge = pltRange != null && !lazily && range.address() + range.size() == pltRange.address();
            if (merge) {
                range = new Range(range.rela(), range.address(), range.size() + pltRange.size(), range.relative(), false);
            }
            walk(elf, range, rules, false, steps);
            if (pltRange != null && !merge && !steps.stopped) {
                walk(elf, pltRange, rules, lazily, steps);
            }
        }
    }

    /**
     * elf_dynamic_do_Rel(a) over one range: its entries after the first DT_RELACOUNT (taken as
     * relative without a look), IRELATIVE ones deferred to the range's end.
     */
    private void walk(ElfFile elf, Range range, GlibcRelocations rules, boolean lazily, StepsBuilder steps) {
        if (range.size() <= 0) {
            return;
        }
        ElfInput in = elf.input();
        int entry = range.entrySize(is64);
        long at;
        try {
            at = elf.offsetOf(range.address(), "relocation table");
        } catch (ElfFormatException e) {
            steps.problems.add("its relocation table at 0x" + Long.toHexString(range.address()) + " is not in the file");
            steps.stopped = true;
            return;
        }
        long end = at + range.size();
        if (end > in.size()) {
            steps.problems.add("its relocation table at 0x" + Long.toHexString(range.address())
                    + " runs past the end of the file");
            end = at + (in.size() - at) / entry * entry;
        }
        long first = at + Math.min(range.relative(), (end - at) / entry) * entry;
        int irelative = rules.irelative();
        long deferredFrom = -1, deferredTo = -1;
        byte[] chunk = new byte[(int) Math.min(CHUNK / entry * entry, Math.max(entry, end - first))];
        ByteBuffer b = ByteBuffer.wrap(chunk).order(elf.byteOrder());
        for (long base = first; base + entry <= end && !steps.stopped; base += chunk.length) {
            int length = (int) Math.min(chunk.length, (end - base) / entry * entry);
            in.copyTo(base, chunk, 0, length, "relocation table");
            for (int r = 0; r + entry <= length && !steps.stopped; r += entry) {
                long info = is64 ? b.getLong(r + 8) : b.getInt(r + 4) & 0xffffffffL;
                int type = (int) (is64 ? info & 0xffffffffL : info & 0xff);
                int symbol = (int) Math.min(is64 ? info >>> 32 : info >>> 8, Integer.MAX_VALUE);
                if (type == irelative) {
                    if (deferredFrom < 0) {
                        deferredFrom = base + r;
                    }
                    deferredTo = base + r;
                    continue;
                }
                if (lazily) {
                    LazyTreatment treatment = rules.lazyTreatment(type);
                    if (treatment == LazyTreatment.UNEXPECTED) {
                        steps.unexpectedInPlt(symbol, type);
                        return;
                    }
                    if (treatment != LazyTreatment.NOW) {
                        continue;
                    }
                }
                long offset = is64 ? b.getLong(r) : b.getInt(r) & 0xffffffffL;
                long addend = range.rela() ? (is64 ? b.getLong(r + 16) : b.getInt(r + 8)) : 0;
                steps.add(symbol, type, rules.treatment(type), rules.lookupClass(type), offset, addend);
            }
        }
        // The deferred IRELATIVE entries, which look their symbol up too when it is not local; not
        // when binding lazily, where they need no symbol.
        for (long r = deferredFrom; !lazily && deferredFrom >= 0 && r <= deferredTo && !steps.stopped; r += entry) {
            long info = is64 ? in.u64(r + 8) : in.u32(r + 4);
            int type = (int) (is64 ? info & 0xffffffffL : info & 0xff);
            if (type == irelative) {
                int symbol = (int) Math.min(is64 ? info >>> 32 : info >>> 8, Integer.MAX_VALUE);
                long offset = is64 ? in.u64(r) : in.u32(r);
                long addend = range.rela() ? (is64 ? in.u64(r + 16) : (int) in.u32(r + 8)) : 0;
                steps.add(symbol, type, rules.treatment(type), rules.lookupClass(type), offset, addend);
            }
        }
    }
}
