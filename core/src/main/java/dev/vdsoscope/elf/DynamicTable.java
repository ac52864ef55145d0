package dev.vdsoscope.elf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.vdsoscope.elf.raw.Dyn;
import dev.vdsoscope.elf.raw.RawLayouts;
import dev.vdsoscope.elf.raw.RawStruct;


/**
 * The dynamic table ({@code PT_DYNAMIC}), read up to its {@code DT_NULL}. Strings it names
 * ({@code DT_NEEDED}, {@code DT_SONAME}, {@code DT_RUNPATH}...) are looked up in the table that
 * {@code DT_STRTAB} points to, so no section header is needed: that is how the loader and the
 * kernel's vDSO parser see a file.
 */
public final class DynamicTable {
    private final ElfFile elf;
    private final long offset;
    /**
     * The tags and values of the entries before DT_NULL, in two arrays of which the first
     * {@code count} are used: a batch asks each file for five or six tags, and a scan of an array
     * costs the interpreter far less than one of entry records.
     */
    private final long[] tags;
    private final long[] values;
    private final int count;
    private List<DynamicEntry> entries;
    private StringTable strings;

    private DynamicTable(ElfFile elf, long offset, long[] tags, long[] values, int count) {
        this.elf = elf;
        this.offset = offset;
        this.tags = tags;
        this.values = values;
        this.count = count;
    }

    static Optional<DynamicTable> read(ElfFile elf) {
        long offset;
        long size;
        Optional<ProgramHeader> segment = elf.segment(SegmentType.PT_DYNAMIC);
        if (segment.isPresent()) {
            offset = segment.get().offset();
            size = segment.get().filesz();
        } else {
            Optional<Section> section = elf.section(SectionType.SHT_DYNAMIC);
            if (section.isEmpty()) {
                return Optional.empty();
            }
            offset = section.get().offset();
            size = section.get().size();
        }
        return Optional.of(at(elf, offset, size));
    }

    /**
     * The table at a file offset, at most {@code size} bytes of it, up to its DT_NULL: for readers
     * that find it otherwise than PT_DYNAMIC's p_offset (ld.so, through p_vaddr).
     */
    public static DynamicTable at(ElfFile elf, long offset, long size) {
        ElfInput in = elf.input();
        if (!in.contains(offset, size)) {
            long available = Math.max(0, in.size() - Math.max(0, offset));
            elf.warn("dynamic table at offset 0x" + Long.toHexString(offset) + " is cut short by the end of the file");
            size = available;
        }
        Dyn dyn = elf.struct(RawLayouts.ELF32_DYN, RawLayouts.ELF64_DYN);
        long capacity = size / dyn.size();
        int stride = dyn.size();
        // Grown as entries are read, not sized by the segment: only the entries before DT_NULL count.
        long[] tags = new long[(int) Math.min(capacity, 32)];
        long[] values = new long[tags.length];
        int count = 0;
        RawStruct.Field dTag = dyn.d_tag, dVal = dyn.d_val;
        for (long i = 0; i < capacity; i++) {
            long at = offset + i * stride;
            // d_tag as read: a 32-bit tag stays positive, as elf.h writes them.
            long tag = in.field(at, dTag);
            if (tag == 0) {
                break;
            }
            if (count == tags.length) {
                tags = Arrays.copyOf(tags, count * 2);
                values = Arrays.copyOf(values, count * 2);
            }
            tags[count] = tag;
            values[count] = in.field(at, dVal);
            count++;
        }
        return new DynamicTable(elf, offset, tags, values, count);
    }

    /** The file offset of the table. */
    public long offset() {
        return offset;
    }

    /** The entries before DT_NULL, in file order. */
    public List<DynamicEntry> entries() {
        if (entries == null) {
            List<DynamicEntry> list = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                list.add(new DynamicEntry(new DynamicTag(tags[i]), values[i]));
            }
            entries = List.copyOf(list);
        }
        return entries;
    }

    /**
     * The value of the last entry with this tag: ld.so keeps the last of each (elf/get-dynamic-info.h
     * stores every entry into its slot in turn), and so does readelf.
     */
    public OptionalLong value(DynamicTag tag) {
        long wanted = tag.value();
        for (int i = count - 1; i >= 0; i--) {
            if (tags[i] == wanted) {
                return OptionalLong.of(values[i]);
            }
        }
        return OptionalLong.empty();
    }

    public boolean has(DynamicTag tag) {
        return value(tag).isPresent();
    }

    /** The values of every entry with this tag, in order (DT_NEEDED appears many times). */
    public List<Long> values(DynamicTag tag) {
        long wanted = tag.value();
        List<Long> found = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (tags[i] == wanted) {
                found.add(values[i]);
            }
        }
        return found;
    }

    /** The file offset of the dynamic string table. */
    public long stringTableOffset() {
        return strings().start();
    }

    /** Where the dynamic string table ends in the file (DT_STRSZ, kept inside the image). */
    public long stringTableEnd() {
        return strings().end();
    }

    /** A string of the dynamic string table, e.g. the value of DT_NEEDED. */
    public String string(long stringOffset) {
        StringTable table = strings();
        return elf.input().cString(table.start() + stringOffset, table.end(), "dynamic string");
    }

    private record StringTable(long start, long end) {}

    /**
     * The string table's extent, found on first use and then kept: every name read through the table
     * needs it, and finding it scans the entries and translates an address. A table without
     * DT_STRTAB fails each time a string is asked for, as before.
     */
    private StringTable strings() {
        StringTable table = strings;
        if (table == null) {
            long address = value(DynamicTag.DT_STRTAB).orElseThrow(
                    () -> new ElfFormatException("dynamic table has no DT_STRTAB", offset));
            long start = elf.offsetOf(address, "DT_STRTAB");
            OptionalLong size = value(DynamicTag.DT_STRSZ);
            long end = size.isPresent() ? start + size.getAsLong() : elf.input().size();
            table = new StringTable(start, Math.min(end < start ? elf.input().size() : end, elf.input().size()));
            strings = table;
        }
        return table;
    }

    /** The names listed by DT_NEEDED, in order. */
    public List<String> needed() {
        List<String> names = new ArrayList<>();
        for (long v : values(DynamicTag.DT_NEEDED)) {
            names.add(string(v));
        }
        return names;
    }

    public Optional<String> soname() {
        OptionalLong v = value(DynamicTag.DT_SONAME);
        return v.isPresent() ? Optional.of(string(v.getAsLong())) : Optional.empty();
    }

    public Optional<String> rpath() {
        OptionalLong v = value(DynamicTag.DT_RPATH);
        return v.isPresent() ? Optional.of(string(v.getAsLong())) : Optional.empty();
    }

    public Optional<String> runpath() {
        OptionalLong v = value(DynamicTag.DT_RUNPATH);
        return v.isPresent() ? Optional.of(string(v.getAsLong())) : Optional.empty();
    }

    public static final long DF_ORIGIN = 0x1, DF_SYMBOLIC = 0x2, DF_TEXTREL = 0x4, DF_BIND_NOW = 0x8,
            DF_STATIC_TLS = 0x10;
    public static final long DF_1_NOW = 0x1, DF_1_GLOBAL = 0x2, DF_1_GROUP = 0x4, DF_1_NODELETE = 0x8,
            DF_1_LOADFLTR = 0x10, DF_1_INITFIRST = 0x20, DF_1_NOOPEN = 0x40, DF_1_ORIGIN = 0x80,
            DF_1_DIRECT = 0x100, DF_1_TRANS = 0x200, DF_1_INTERPOSE = 0x400, DF_1_NODEFLIB = 0x800,
            DF_1_NODUMP = 0x1000, DF_1_CONFALT = 0x2000, DF_1_ENDFILTEE = 0x4000, DF_1_DISPRELDNE = 0x8000,
            DF_1_DISPRELPND = 0x10000, DF_1_NODIRECT = 0x20000, DF_1_IGNMULDEF = 0x40000,
            DF_1_NOKSYMS = 0x80000, DF_1_NOHDR = 0x100000, DF_1_EDITED = 0x200000, DF_1_NORELOC = 0x400000,
            DF_1_SYMINTPOSE = 0x800000, DF_1_GLOBAUDIT = 0x1000000, DF_1_SINGLETON = 0x2000000,
            DF_1_STUB = 0x4000000, DF_1_PIE = 0x8000000;

    /** The names of the DF_1_* bits, by bit, as readelf prints them (without the prefix). */
    private static final String[] FLAGS_1_NAMES = {"NOW", "GLOBAL", "GROUP", "NODELETE", "LOADFLTR", "INITFIRST",
            "NOOPEN", "ORIGIN", "DIRECT", "TRANS", "INTERPOSE", "NODEFLIB", "NODUMP", "CONFALT", "ENDFILTEE",
            "DISPRELDNE", "DISPRELPND", "NODIRECT", "IGNMULDEF", "NOKSYMS", "NOHDR", "EDITED", "NORELOC",
            "SYMINTPOSE", "GLOBAUDIT", "SINGLETON", "STUB", "PIE"};

    private static final String[] FLAGS_NAMES = {"ORIGIN", "SYMBOLIC", "TEXTREL", "BIND_NOW", "STATIC_TLS"};

    /** The names of the DF_* bits set in a DT_FLAGS value, lowest first, as readelf -d lists them; unknown bits left out. */
    public static List<String> flagsNames(long value) {
        return bitNames(value, FLAGS_NAMES);
    }

    /** The names of the DF_1_* bits set in a DT_FLAGS_1 value, lowest first ("NOW", "PIE"); unknown bits left out. */
    public static List<String> flags1Names(long value) {
        return bitNames(value, FLAGS_1_NAMES);
    }

    /** The names of the bits set in {@code value}, bit i named by {@code names[i]}, lowest first. */
    private static List<String> bitNames(long value, String[] names) {
        List<String> set = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if ((value & (1L << i)) != 0) {
                set.add(names[i]);
            }
        }
        return set;
    }

    /** The bits of DT_FLAGS_1, or 0. */
    public long flags1() {
        return value(DynamicTag.DT_FLAGS_1).orElse(0);
    }
}
