package dev.vdsoscope.elf;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import dev.vdsoscope.elf.raw.RawLayouts;
import dev.vdsoscope.elf.raw.RawStruct;


/**
 * GNU symbol versioning: the version index of each dynamic symbol ({@code .gnu.version}, with the
 * hidden bit), the versions this object defines ({@code .gnu.version_d}) and those it needs from
 * others ({@code .gnu.version_r}). Found through the sections, or through DT_VERSYM, DT_VERDEF and
 * DT_VERNEED when the file has none. Chains are followed with a visited set and a budget, so a
 * looping or endless chain ends with a warning.
 */
public final class SymbolVersions {
    public static final int VERSYM_HIDDEN = 0x8000;
    public static final int VERSYM_VERSION = 0x7fff;
    public static final int VER_FLG_BASE = 0x1;
    public static final int VER_FLG_WEAK = 0x2;

    /** One version this object defines; the first name is the version, the others its parents. */
    public record Definition(int index, int flags, long hash, List<String> names) {
        public String name() {
            return names.isEmpty() ? "" : names.getFirst();
        }

        public boolean isBase() {
            return (flags & VER_FLG_BASE) != 0;
        }
    }

    /** One version needed from another object ({@code vna_other} is the index symbols use). */
    public record Needed(String name, long hash, int flags, int index) {}

    /** The versions needed from one file, e.g. libc.so.6: GLIBC_2.34, GLIBC_2.2.5. */
    public record Requirement(String file, List<Needed> versions) {}

    /** What a symbol's version index means. */
    public enum Kind { LOCAL, GLOBAL, DEFINED, NEEDED, UNKNOWN }

    /** The version of one symbol: its index, the hidden bit, and what the index names. */
    public record Version(int index, boolean hidden, Kind kind, String name, String file) {}

    private final ElfFile elf;
    private final ElfInput in;
    private final long versymOffset;
    private final long versymCount;
    private final boolean versymFromSection;
    private final boolean hasDefinitionTable;
    private final boolean hasRequirementTable;
    private final List<Definition> definitions;
    private final List<Requirement> requirements;
    /** A heap copy of the index table, made on first use (see HeapBytes); null when too large. */
    private HeapBytes versymCopy;
    private boolean versymCopied;
    private final boolean chainsIntact;

    private SymbolVersions(ElfFile elf, long versymOffset, long versymCount, boolean versymFromSection,
            boolean hasDefinitionTable, boolean hasRequirementTable, List<Definition> definitions,
            List<Requirement> requirements, boolean chainsIntact) {
        this.elf = elf;
        this.chainsIntact = chainsIntact;
        this.in = elf.input();
        this.versymOffset = versymOffset;
        this.versymCount = versymCount;
        this.versymFromSection = versymFromSection;
        this.hasDefinitionTable = hasDefinitionTable;
        this.hasRequirementTable = hasRequirementTable;
        this.definitions = definitions;
        this.requirements = requirements;
    }

    /**
     * One reading of the definition and requirement chains: whether an entry or name could not be
     * read (each such problem is also a warning of the file).
     */
    private static final class Reading {
        final ElfFile elf;
        boolean broken;

        Reading(ElfFile elf) {
            this.elf = elf;
        }

        void broken(String warning) {
            broken = true;
            elf.warn(warning);
        }
    }

    /** A place to read from: offset and count of a table, and the string table its names use. */
    private record Table(long offset, long count, long stringsStart, long stringsEnd) {}

    static SymbolVersions read(ElfFile elf) {
        Optional<Section> versym = elf.section(SectionType.SHT_GNU_versym);
        if (versym.isEmpty()) {
            return readFromDynamicTable(elf);
        }
        Section s = versym.get();
        return build(elf, new Table(s.offset(), s.size() / 2, 0, 0), sectionTable(elf, SectionType.SHT_GNU_verdef),
                sectionTable(elf, SectionType.SHT_GNU_verneed), true);
    }

    /** Reads the tables through DT_VERSYM, DT_VERDEF and DT_VERNEED only, as ld.so and parse_vdso.c do. */
    static SymbolVersions readFromDynamicTable(ElfFile elf) {
        Table versym = null;
        Table verdef = null;
        Table verneed = null;
        if (elf.dynamic().isPresent()) {
            DynamicTable d = elf.dynamic().get();
            OptionalLong address = d.value(DynamicTag.DT_VERSYM);
            if (address.isPresent()) {
                long count = SymbolTable.fromDynamicTable(elf).map(SymbolTable::size).orElse(0);
                versym = new Table(elf.offsetOf(address.getAsLong(), "DT_VERSYM"), count, 0, 0);
            }
            verdef = dynamicTable(elf, d, DynamicTag.DT_VERDEF, DynamicTag.DT_VERDEFNUM);
            verneed = dynamicTable(elf, d, DynamicTag.DT_VERNEED, DynamicTag.DT_VERNEEDNUM);
        }
        return build(elf, versym, verdef, verneed, false);
    }

    private static SymbolVersions build(ElfFile elf, Table versym, Table verdef, Table verneed, boolean fromSections) {
        ElfInput in = elf.input();
        if (versym != null && !in.contains(versym.offset(), versym.count() * 2)) {
            elf.warn("symbol version table at offset 0x" + Long.toHexString(versym.offset()) + " is out of range");
            versym = null;
        }
        Reading reading = new Reading(elf);
        List<Definition> definitions = verdef == null ? List.of() : readDefinitions(reading, verdef);
        List<Requirement> requirements = verneed == null ? List.of() : readRequirements(reading, verneed);
        return new SymbolVersions(elf, versym == null ? -1 : versym.offset(), versym == null ? 0 : versym.count(),
                fromSections, verdef != null, verneed != null, definitions, requirements, !reading.broken);
    }

    private static Table sectionTable(ElfFile elf, SectionType type) {
        Optional<Section> found = elf.section(type);
        if (found.isEmpty()) {
            return null;
        }
        Section s = found.get();
        List<Section> sections = elf.sections();
        if (s.link() >= sections.size()) {
            elf.warn(s.label() + " links to a missing string table");
            return new Table(s.offset(), s.info(), 0, 0);
        }
        Section strings = sections.get((int) s.link());
        return new Table(s.offset(), s.info(), strings.offset(), strings.offset() + strings.size());
    }

    private static Table dynamicTable(ElfFile elf, DynamicTable d, DynamicTag where, DynamicTag count) {
        OptionalLong address = d.value(where);
        if (address.isEmpty()) {
            return null;
        }
        return new Table(elf.offsetOf(address.getAsLong(), where.cName()), d.value(count).orElse(0),
                d.stringTableOffset(), d.stringTableEnd());
    }

    private static String string(Reading reading, Table table, long offset) {
        try {
            return reading.elf.input().cString(table.stringsStart() + offset, table.stringsEnd(), "version name");
        } catch (ElfFormatException e) {
            reading.broken(e.getMessage());
            return "<corrupt>";
        }
    }

    // The fields of the versioning structures, looked up once: the chains are walked for every file of a batch.
    private static final RawStruct.Field VDA_NAME = RawLayouts.VERDAUX.vda_name;
    private static final RawStruct.Field VDA_NEXT = RawLayouts.VERDAUX.vda_next;
    private static final RawStruct.Field VD_AUX = RawLayouts.VERDEF.vd_aux;
    private static final RawStruct.Field VD_CNT = RawLayouts.VERDEF.vd_cnt;
    private static final RawStruct.Field VD_FLAGS = RawLayouts.VERDEF.vd_flags;
    private static final RawStruct.Field VD_HASH = RawLayouts.VERDEF.vd_hash;
    private static final RawStruct.Field VD_NDX = RawLayouts.VERDEF.vd_ndx;
    private static final RawStruct.Field VD_NEXT = RawLayouts.VERDEF.vd_next;
    private static final RawStruct.Field VNA_FLAGS = RawLayouts.VERNAUX.vna_flags;
    private static final RawStruct.Field VNA_HASH = RawLayouts.VERNAUX.vna_hash;
    private static final RawStruct.Field VNA_NAME = RawLayouts.VERNAUX.vna_name;
    private static final RawStruct.Field VNA_NEXT = RawLayouts.VERNAUX.vna_next;
    private static final RawStruct.Field VNA_OTHER = RawLayouts.VERNAUX.vna_other;
    private static final RawStruct.Field VN_AUX = RawLayouts.VERNEED.vn_aux;
    private static final RawStruct.Field VN_CNT = RawLayouts.VERNEED.vn_cnt;
    private static final RawStruct.Field VN_FILE = RawLayouts.VERNEED.vn_file;
    private static final RawStruct.Field VN_NEXT = RawLayouts.VERNEED.vn_next;

    private static List<Definition> readDefinitions(Reading reading, Table table) {
        ElfInput in = reading.elf.input();
        RawStruct vd = RawLayouts.VERDEF;
        RawStruct vda = RawLayouts.VERDAUX;
        List<Definition> list = new ArrayList<>();
        Set<Long> visited = new HashSet<>();
        long budget = in.size() / vda.size();
        long at = table.offset();
        for (long i = 0; i < table.count(); i++) {
            if (!visited.add(at) || !in.contains(at, vd.size())) {
                reading.broken("version definition chain is broken or loops at offset 0x" + Long.toHexString(at));
                break;
            }
            int auxCount = (int) in.field(at, VD_CNT);
            List<String> names = new ArrayList<>();
            long aux = at + in.field(at, VD_AUX);
            for (int j = 0; j < auxCount && budget-- > 0; j++) {
                if (!in.contains(aux, vda.size())) {
                    reading.broken("version definition name entry out of range at offset 0x" + Long.toHexString(aux));
                    break;
                }
                names.add(string(reading, table, in.field(aux, VDA_NAME)));
                long next = in.field(aux, VDA_NEXT);
                if (next == 0) {
                    break;
                }
                aux += next;
            }
            list.add(new Definition((int) in.field(at, VD_NDX), (int) in.field(at, VD_FLAGS),
                    in.field(at, VD_HASH), List.copyOf(names)));
            long next = in.field(at, VD_NEXT);
            if (next == 0) {
                break;
            }
            at += next;
        }
        return List.copyOf(list);
    }

    private static List<Requirement> readRequirements(Reading reading, Table table) {
        ElfInput in = reading.elf.input();
        RawStruct vn = RawLayouts.VERNEED;
        RawStruct vna = RawLayouts.VERNAUX;
        List<Requirement> list = new ArrayList<>();
        Set<Long> visited = new HashSet<>();
        long budget = in.size() / vna.size();
        long at = table.offset();
        for (long i = 0; i < table.count(); i++) {
            if (!visited.add(at) || !in.contains(at, vn.size())) {
                reading.broken("version requirement chain is broken or loops at offset 0x" + Long.toHexString(at));
                break;
            }
            String file = string(reading, table, in.field(at, VN_FILE));
            int auxCount = (int) in.field(at, VN_CNT);
            List<Needed> versions = new ArrayList<>();
            long aux = at + in.field(at, VN_AUX);
            for (int j = 0; j < auxCount && budget-- > 0; j++) {
                if (!in.contains(aux, vna.size())) {
                    reading.broken("version requirement entry out of range at offset 0x" + Long.toHexString(aux));
                    break;
                }
                versions.add(new Needed(string(reading, table, in.field(aux, VNA_NAME)),
                        in.field(aux, VNA_HASH), (int) in.field(aux, VNA_FLAGS),
                        (int) in.field(aux, VNA_OTHER)));
                long next = in.field(aux, VNA_NEXT);
                if (next == 0) {
                    break;
                }
                aux += next;
            }
            list.add(new Requirement(file, List.copyOf(versions)));
            long next = in.field(at, VN_NEXT);
            if (next == 0) {
                break;
            }
            at += next;
        }
        return List.copyOf(list);
    }

    /** Whether the file has a version index table at all. */
    /**
     * Whether every entry and name of the definition and requirement chains could be read: BFD's
     * _bfd_elf_slurp_version_tables fails on the first that cannot ("invalid entry").
     */
    public boolean chainsIntact() {
        return chainsIntact;
    }

    public boolean present() {
        return versymOffset >= 0;
    }

    /** The number of entries in the version index table (0 when there is none). */
    public long versymCount() {
        return versymOffset < 0 ? 0 : versymCount;
    }

    /** Whether the index table came from a {@code .gnu.version} section (binutils reads only those). */
    public boolean fromSections() {
        return versymFromSection;
    }

    public boolean hasDefinitionTable() {
        return hasDefinitionTable;
    }

    public boolean hasRequirementTable() {
        return hasRequirementTable;
    }

    public List<Definition> definitions() {
        return definitions;
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    /** The raw versym word of a dynamic symbol (hidden bit included), or -1 when there is none. */
    public int versym(int symbolIndex) {
        if (versymOffset < 0 || symbolIndex < 0 || symbolIndex >= versymCount) {
            return -1;
        }
        if (!versymCopied) {
            versymCopied = true;
            versymCopy = HeapBytes.copy(in, versymOffset, versymCount * 2);
        }
        return versymCopy != null ? versymCopy.u16(2 * symbolIndex) : in.u16(versymOffset + 2L * symbolIndex);
    }

    /** The definition with this vd_ndx. */
    public Optional<Definition> definition(int index) {
        for (Definition d : definitions) {
            if (d.index() == index) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** What the version index of a dynamic symbol names. Empty when the file has no versioning. */
    public Optional<Version> of(int symbolIndex) {
        int raw = versym(symbolIndex);
        if (raw < 0) {
            return Optional.empty();
        }
        boolean hidden = (raw & VERSYM_HIDDEN) != 0;
        int index = raw & VERSYM_VERSION;
        if (index == 0) {
            return Optional.of(new Version(index, hidden, Kind.LOCAL, "", null));
        }
        Optional<Definition> defined = definition(index);
        if (index == 1 && (defined.isEmpty() || defined.get().isBase())) {
            return Optional.of(new Version(index, hidden, Kind.GLOBAL, defined.map(Definition::name).orElse(""), null));
        }
        if (defined.isPresent()) {
            return Optional.of(new Version(index, hidden, Kind.DEFINED, defined.get().name(), null));
        }
        for (Requirement r : requirements) {
            for (Needed n : r.versions()) {
                if (n.index() == index) {
                    return Optional.of(new Version(index, hidden, Kind.NEEDED, n.name(), r.file()));
                }
            }
        }
        elf.warn("symbol " + symbolIndex + " has version index 0x" + Integer.toHexString(index)
                + ", which no version definition or requirement has");
        return Optional.of(new Version(index, hidden, Kind.UNKNOWN, "", null));
    }
}
