package dev.vdsoscope.elf;

import java.util.AbstractList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import dev.vdsoscope.elf.raw.RawLayouts;
import dev.vdsoscope.elf.raw.RawStruct;
import dev.vdsoscope.elf.raw.Sym;


/**
 * A symbol table ({@code .dynsym} or {@code .symtab}) read in place: {@link #get} decodes one entry
 * when asked. The dynamic symbol table can also be found from the dynamic table alone, with its size
 * taken from the hash table, exactly as ld.so and the kernel's vDSO parser find it.
 */
public final class SymbolTable extends AbstractList<Symbol> {
    /** Where the table was found, for display and for the caller's trust in section indexes. */
    public enum Origin { SECTION, DYNAMIC_TABLE }

    private final ElfFile elf;
    private final ElfInput in;
    private final RawStruct.Field stName, stInfo, stOther, stShndx, stValue, stSize;
    private final long offset;
    private final long entrySize;
    private final int count;
    private final long stringsStart;
    private final long stringsEnd;
    private final long shndxOffset;
    private final long shndxCount;
    private final Origin origin;
    private final int sectionIndex;
    /** Heap copies of the entries and the string table, made on first use (null when too large). */
    private HeapBytes entries;
    private HeapBytes strings;
    private boolean copied;

    private SymbolTable(ElfFile elf, long offset, long entrySize, long count, long stringsStart, long stringsEnd,
            long shndxOffset, long shndxCount, Origin origin, int sectionIndex) {
        this.elf = elf;
        this.in = elf.input();
        Sym sym = elf.struct(RawLayouts.ELF32_SYM, RawLayouts.ELF64_SYM);
        this.stName = sym.st_name;
        this.stInfo = sym.st_info;
        this.stOther = sym.st_other;
        this.stShndx = sym.st_shndx;
        this.stValue = sym.st_value;
        this.stSize = sym.st_size;
        this.offset = offset;
        this.entrySize = entrySize;
        if (count > Integer.MAX_VALUE) {
            throw new ElfFormatException("symbol table of " + count + " entries is larger than supported", offset);
        }
        this.count = (int) count;
        this.stringsStart = stringsStart;
        this.stringsEnd = stringsEnd;
        this.shndxOffset = shndxOffset;
        this.shndxCount = shndxCount;
        this.origin = origin;
        this.sectionIndex = sectionIndex;
    }

    static Optional<SymbolTable> dynamic(ElfFile elf) {
        Optional<SymbolTable> fromSection = fromSection(elf, SectionType.SHT_DYNSYM);
        return fromSection.isPresent() ? fromSection : fromDynamicTable(elf);
    }

    static Optional<SymbolTable> fromSection(ElfFile elf, SectionType type) {
        Optional<Section> found = elf.section(type);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Section s = found.get();
        Sym sym = elf.struct(RawLayouts.ELF32_SYM, RawLayouts.ELF64_SYM);
        long entrySize = s.entsize() == 0 ? sym.size() : s.entsize();
        if (entrySize < sym.size()) {
            throw new ElfFormatException(s.label() + " has entry size " + Long.toUnsignedString(entrySize) + ", less than "
                    + sym.name() + " (" + sym.size() + ")", s.offset());
        }
        elf.input().require(s.offset(), s.size(), s.label());
        List<Section> sections = elf.sections();
        long stringsStart = 0;
        long stringsEnd = 0;
        if (s.link() < sections.size() && elf.input().contains(sections.get((int) s.link()).offset(),
                sections.get((int) s.link()).size())) {
            Section strings = sections.get((int) s.link());
            stringsStart = strings.offset();
            stringsEnd = strings.offset() + strings.size();
        } else {
            elf.warn(s.label() + " links to a missing string table (" + s.link() + ")");
        }
        long shndx = -1;
        long shndxCount = 0;
        for (Section x : sections) {
            if (x.type().value() == SectionType.SHT_SYMTAB_SHNDX.value() && x.link() == s.index()
                    && elf.input().contains(x.offset(), x.size())) {
                shndx = x.offset();
                shndxCount = x.size() / 4;
            }
        }
        return Optional.of(new SymbolTable(elf, s.offset(), entrySize, s.size() / entrySize, stringsStart,
                stringsEnd, shndx, shndxCount, Origin.SECTION, s.index()));
    }

    /** Finds the dynamic symbols through DT_SYMTAB, DT_STRTAB and the hash table's symbol count. */
    static Optional<SymbolTable> fromDynamicTable(ElfFile elf) {
        Optional<DynamicTable> dynamic = elf.dynamic();
        if (dynamic.isEmpty() || !dynamic.get().has(DynamicTag.DT_SYMTAB)) {
            return Optional.empty();
        }
        DynamicTable d = dynamic.get();
        Sym sym = elf.struct(RawLayouts.ELF32_SYM, RawLayouts.ELF64_SYM);
        long offset = elf.offsetOf(d.value(DynamicTag.DT_SYMTAB).getAsLong(), "DT_SYMTAB");
        OptionalLong syment = d.value(DynamicTag.DT_SYMENT);
        long entrySize = syment.isPresent() ? syment.getAsLong() : sym.size();
        if (entrySize < sym.size()) {
            throw new ElfFormatException("DT_SYMENT " + entrySize + " is less than " + sym.name(), d.offset());
        }
        Optional<HashTable> hash = elf.hashTable();
        if (hash.isEmpty()) {
            elf.warn("no DT_HASH or DT_GNU_HASH: the number of dynamic symbols is unknown");
            return Optional.empty();
        }
        long count = hash.get().symbolCount();
        long fits = Math.max(0, elf.input().size() - offset) / entrySize;
        if (count > fits) {
            elf.warn("the hash table counts " + count + " dynamic symbols but only " + fits + " fit in the image");
            count = fits;
        }
        return Optional.of(new SymbolTable(elf, offset, entrySize, count, d.stringTableOffset(),
                d.stringTableEnd(), -1, 0, Origin.DYNAMIC_TABLE, -1));
    }

    public Origin origin() {
        return origin;
    }

    /** The index of the section the table came from, or -1. */
    public int sectionIndex() {
        return sectionIndex;
    }

    /** The file offset of the first entry. */
    public long offset() {
        return offset;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public Symbol get(int index) {
        return new Symbol(index, name(nameOffset(index)), value(index), size(index), info(index), other(index),
                shndx(index));
    }

    // Two ways in: get() returns a Symbol record; read() fills a reused Fields, allocating nothing,
    // for printers that walk millions of symbols. Reads go to heap copies of the table (see HeapBytes).

    private void copy() {
        copied = true;
        entries = HeapBytes.copy(in, offset, count * entrySize);
        long end = Math.min(stringsEnd, in.size());
        if (stringsStart >= 0 && stringsStart < end) {
            strings = HeapBytes.copy(in, stringsStart, end - stringsStart);
        }
    }

    /** The offset of an entry in the heap copy, after the checks every accessor makes. */
    private int entry(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException(index);
        }
        if (!copied) {
            copy();
        }
        return (int) (index * entrySize);
    }

    /** A field of the symbol's class width (st_name is always 4 bytes, st_value and st_size 4 or 8). */
    private long word(int index, RawStruct.Field field) {
        int at = entry(index) + field.offset();
        if (entries == null) {
            return in.field(offset + index * entrySize, field);
        }
        return field.width() == 8 ? entries.u64(at) : entries.u32(at);
    }

    private int u8(int index, RawStruct.Field field) {
        int at = entry(index) + field.offset();
        return entries != null ? entries.u8(at) : (int) in.field(offset + index * entrySize, field);
    }

    /**
     * The raw fields of one entry, filled in place by {@link #read}: for printers that walk millions
     * of symbols without allocating. {@code shndx} is the real index (an SHN_XINDEX escape resolved).
     */
    public static final class Fields {
        public long nameOffset;
        public long value;
        public long size;
        public int info;
        public int other;
        public int shndx;

        /** All zero until {@link SymbolTable#read} fills them. */
        public Fields() {}
    }

    /** Reads entry {@code index} into {@code f}; the same values as {@link #get}, in one pass. */
    public void read(int index, Fields f) {
        int at = entry(index);
        HeapBytes e = entries;
        if (e == null) {
            f.nameOffset = nameOffset(index);
            f.value = value(index);
            f.size = size(index);
            f.info = info(index);
            f.other = other(index);
        } else {
            f.nameOffset = e.u32(at + stName.offset());
            f.info = e.u8(at + stInfo.offset());
            f.other = e.u8(at + stOther.offset());
            boolean wide = stValue.width() == 8;
            f.value = wide ? e.u64(at + stValue.offset()) : e.u32(at + stValue.offset());
            f.size = wide ? e.u64(at + stSize.offset()) : e.u32(at + stSize.offset());
        }
        f.shndx = shndx(index);
    }

    /** {@code st_name}: the offset of the name in the string table. */
    private long nameOffset(int index) {
        return word(index, stName);
    }

    private long value(int index) {
        return word(index, stValue);
    }

    private long size(int index) {
        return word(index, stSize);
    }

    /** {@code st_info}: binding in the high four bits, type in the low four. */
    private int info(int index) {
        return u8(index, stInfo);
    }

    /** {@code st_other}: visibility in the low two bits, the rest is processor-specific. */
    private int other(int index) {
        return u8(index, stOther);
    }

    /**
     * The real section index of entry {@code index}, without reading its name: an {@code SHN_XINDEX}
     * escape is resolved through {@code SHT_SYMTAB_SHNDX}.
     */
    public int shndx(int index) {
        int at = entry(index) + stShndx.offset();
        int shndx = entries != null ? entries.u16(at) : (int) in.field(offset + index * entrySize, stShndx);
        if (shndx == SectionIndex.SHN_XINDEX && shndxOffset >= 0) {
            long extended = index < shndxCount ? in.u32(shndxOffset + 4L * index) : -1;
            if (extended < 0) {
                elf.warn("symbol " + index + " is past the end of its SHT_SYMTAB_SHNDX section");
            } else if (extended > Integer.MAX_VALUE) {
                // The word is unsigned: that far it names no section, and as an int it would turn negative.
                elf.warn("symbol " + index + " has extended section index 0x" + Long.toHexString(extended));
            } else {
                shndx = (int) extended;
            }
        }
        return shndx;
    }

    /**
     * Copies the raw bytes of a symbol's name (no NUL, no decoding) into {@code dst} at {@code at} if
     * they fit, and returns the name's length either way; a caller whose buffer was too small grows it
     * and asks again. Returns -1 when the name cannot be read (offset outside the string table, or no
     * NUL before its end); {@link #get} shows such a name as {@code <corrupt>}.
     */
    public int copyName(int index, byte[] dst, int at) {
        return copyNameAt(nameOffset(index), dst, at);
    }

    /** {@link #copyName} for a name offset already read (see {@link Fields#nameOffset}). */
    public int copyNameAt(long nameOffset, byte[] dst, int at) {
        if (!copied) {
            copy();
        }
        if (nameOffset == 0) {
            return 0;
        }
        if (strings != null) {
            return strings.copyCString(nameOffset, dst, at);
        }
        return in.copyCString(stringsStart + nameOffset, stringsEnd, dst, at);
    }

    private String name(long nameOffset) {
        if (nameOffset == 0) {
            return "";
        }
        try {
            return in.cString(stringsStart + nameOffset, stringsEnd, "symbol name");
        } catch (ElfFormatException e) {
            elf.warn(e.getMessage());
            return "<corrupt>";
        }
    }

    /** The first symbol with this name, by linear search (use {@link HashTable} for the loader's way). */
    public Optional<Symbol> find(String name) {
        for (int i = 0; i < count; i++) {
            Symbol s = get(i);
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
