package dev.vdsoscope.compat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import dev.vdsoscope.elf.ElfConstant;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.ElfType;
import dev.vdsoscope.elf.MachineFlags;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.SectionIndex;
import dev.vdsoscope.elf.SectionType;
import dev.vdsoscope.elf.SymbolBinding;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.elf.SymbolType;
import dev.vdsoscope.elf.SymbolVersions;
import dev.vdsoscope.elf.raw.RawLayouts;

/**
 * Prints a file's dynamic symbols byte for byte as GNU objdump 2.40 {@code -T} does (BFD's
 * bfd_elf_print_symbol and the back-end hooks it runs first), so that a user can diff the two. The
 * rules are documented in docs/OBJDUMP-COMPAT.md; the differential test runs the real objdump as the
 * oracle.
 *
 * <p>This is the hot path of {@code symbols --style=objdump} over thousands of files, so it writes
 * bytes, not strings: names are copied straight from the mapped file into one growing byte buffer,
 * numbers are turned into hex digits in place, and the per-file columns that repeat (section names,
 * version columns) are rendered once per file. Nothing is allocated per symbol.
 */
public final class ObjdumpSymbols {
    /** What became of one file, beyond what went to standard output. */
    public enum Outcome {
        /** The block was printed as objdump prints it. */
        PRINTED,
        /** No .dynsym and not ET_DYN: "no symbols", and objdump says "not a dynamic object". */
        NOT_DYNAMIC,
        /** ET_DYN without .dynsym: objdump prints only the header and stops ("invalid operation"). */
        NO_DYNAMIC_SYMBOLS,
        /** The tables could not be read: objdump prints the header and stops (bfd_fatal). */
        STOPPED
    }

    // The tables below are built in locals and stored once: while a class is being initialized, the
    // interpreter resolves each of its static-field accesses the slow way, and tables filled in place
    // took 2.3 ms of every start-up.
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** The two hex digits of every byte value. */
    private static final byte[] HEX_PAIRS = hexPairs(HEX);

    private static byte[] hexPairs(byte[] hex) {
        byte[] pairs = new byte[512];
        for (int v = 0; v < 256; v++) {
            pairs[2 * v] = hex[v >>> 4];
            pairs[2 * v + 1] = hex[v & 0xf];
        }
        return pairs;
    }
    private static final byte[] UND = ascii("*UND*"), ABS = ascii("*ABS*"), COM = ascii("*COM*"),
            LARGE_COMMON = ascii("LARGE_COMMON"), ACOMMON = ascii(".acommon"), SCOMMON = ascii(".scommon"),
            TEXT = ascii(".text"), DATA = ascii(".data"), NULL_NAME = ascii("(null)"),
            SCRATCH = ascii("#scratch"), FORMAT = ascii(":     file format "),
            DYNAMIC_TITLE = ascii("DYNAMIC SYMBOL TABLE:\n"), STATIC_TITLE = ascii("SYMBOL TABLE:\n"),
            NO_SYMBOLS = ascii("no symbols\n"), REG = ascii("REG_"), REG_END = ascii("    R");
    /** The st_other column for each value: nothing, a visibility, or the byte in hex. */
    private static final byte[][] OTHER_COLUMNS = otherColumns(HEX_PAIRS);

    private static byte[][] otherColumns(byte[] hexPairs) {
        String[] names = {"", " .internal", " .hidden", " .protected"};
        byte[][] columns = new byte[256][];
        for (int v = 0; v < 256; v++) {
            // Not String.format: its first use costs milliseconds of start-up.
            columns[v] = v < 4 ? ascii(names[v])
                    : new byte[] {' ', '0', 'x', hexPairs[2 * v], hexPairs[2 * v + 1]};
        }
        return columns;
    }
    /** A version column that is not printed at all (BFD found no name for the index). */
    private static final byte[] NO_COLUMN = new byte[0];

    // The model's constants as ints, once, for the per-symbol code (which keeps st_info's fields as ints).
    private static final int STT_OBJECT = type(SymbolType.STT_OBJECT), STT_FUNC = type(SymbolType.STT_FUNC),
            STT_SECTION = type(SymbolType.STT_SECTION), STT_FILE = type(SymbolType.STT_FILE),
            STT_COMMON = type(SymbolType.STT_COMMON), STT_TLS = type(SymbolType.STT_TLS),
            STT_GNU_IFUNC = type(SymbolType.STT_GNU_IFUNC), STT_ARM_TFUNC = type(SymbolType.Arm.STT_ARM_TFUNC),
            STT_SPARC_REGISTER = type(SymbolType.Sparc.STT_SPARC_REGISTER);
    private static final int STB_LOCAL = type(SymbolBinding.STB_LOCAL), STB_GLOBAL = type(SymbolBinding.STB_GLOBAL),
            STB_WEAK = type(SymbolBinding.STB_WEAK), STB_GNU_UNIQUE = type(SymbolBinding.STB_GNU_UNIQUE);

    private static int type(ElfConstant constant) {
        return (int) constant.value();
    }

    private final OutputStream sink;
    private final int flushAt;
    private byte[] buf;
    private int pos;

    // The file being printed.
    private SymbolTable table;
    private BfdTarget.Arch arch;
    /** Whether a back-end hook or special-symbol rule applies (or the sections are reconstructed). */
    private boolean hooks;
    private boolean wide;
    private boolean relocatable;
    private boolean dynamic;
    private boolean microMips;
    private byte[][] sectionNames = new byte[0][];
    private long[] sectionAddresses = new long[0];
    private int mipsText = -1;
    private int mipsData = -1;
    private SymbolVersions versions;
    private boolean versioned;
    private boolean versymMismatch;
    private int definedVersions;
    private final byte[][] versionColumns = new byte[0x10000][];
    private int[] versionsUsed = new int[1024];
    /** The versym word of each symbol of the table being printed (0 when printed without versions). */
    private int[] versymWords = new int[4096];
    private int versionsUsedCount;
    private final List<String> warnings = new ArrayList<>();
    private String stoppedBecause;

    /**
     * Writes to {@code sink} whenever a table has buffered {@code flushAt} bytes; what is buffered at the
     * end of a file is the caller's to take ({@link #buffer}) or to {@link #flush}.
     */
    public ObjdumpSymbols(OutputStream sink, int flushAt) {
        this.sink = sink;
        this.flushAt = flushAt;
        this.buf = new byte[Math.min(flushAt, 1 << 16) + 4096];
    }

    /** Warnings about the last file printed (unreadable names, a version table of the wrong size). */
    public List<String> warnings() {
        return warnings;
    }

    /** Writes what is buffered to the sink. */
    public void flush() throws IOException {
        if (pos > 0) {
            sink.write(buf, 0, pos);
            pos = 0;
        }
    }

    /** The bytes buffered since the last flush or reset ({@link #length} of them); {@link #reset} starts over. */
    public byte[] buffer() {
        return buf;
    }

    public int length() {
        return pos;
    }

    public void reset() {
        pos = 0;
    }

    /**
     * Appends one file's block. A file BFD does not recognize prints nothing (the exception says
     * why). Everything else that can fail is read before the first symbol is written: where reading
     * the tables fails, objdump has printed the file's header and stops, and so does this
     * ({@link Outcome#STOPPED}, with {@link #stoppedBecause()}).
     */
    public Outcome print(String file, ElfFile elf, boolean withStatic) throws IOException {
        warnings.clear();
        stoppedBecause = null;
        BfdRecognition.Verdict verdict = BfdRecognition.of(elf);
        if (verdict.rejection().isPresent()) {
            throw new ElfFormatException(verdict.rejection().get() + " (objdump: file format not recognized)", 0);
        }
        // Without a section name table BFD makes no sections, and so finds no .dynsym (elf_object_p).
        List<Section> sections = verdict.hasSections() ? elf.sections() : List.of();
        BfdTarget target = BfdTarget.of(elf, sections);
        Optional<Section> dynsym = sections.stream().filter(s -> s.type().is(SectionType.SHT_DYNSYM)).findFirst();
        Outcome outcome = Outcome.PRINTED;
        if (dynsym.isEmpty()) {
            outcome = elf.header().type().is(ElfType.ET_DYN) ? Outcome.NO_DYNAMIC_SYMBOLS : Outcome.NOT_DYNAMIC;
        }
        Optional<SymbolTable> symbols;
        Optional<SymbolTable> statics;
        try {
            symbols = dynsym.isPresent() ? elf.dynamicSymbols() : Optional.empty();
            statics = withStatic ? elf.staticSymbols() : Optional.empty();
            prepare(elf, target, sections);
        } catch (ElfFormatException e) {
            header(file, target);
            stoppedBecause = e.getMessage();
            return Outcome.STOPPED;
        }
        header(file, target);
        if (outcome == Outcome.NO_DYNAMIC_SYMBOLS) {
            return outcome;
        }
        if (withStatic) {
            table(statics.orElse(null), false, STATIC_TITLE);
        }
        table(symbols.orElse(null), true, DYNAMIC_TITLE);
        return outcome;
    }

    /** Why the last {@link #print} stopped after the header ({@link Outcome#STOPPED}), else null. */
    public String stoppedBecause() {
        return stoppedBecause;
    }

    private void header(String file, BfdTarget target) {
        put((byte) '\n');
        putFileName(file);
        put(FORMAT);
        put(ascii(target.name()));
        put((byte) '\n');
        put((byte) '\n');
    }

    private void table(SymbolTable symbols, boolean dynamicTable, byte[] title) throws IOException {
        put(title);
        if (symbols == null || symbols.size() <= 1) {
            put(NO_SYMBOLS);
        } else {
            this.table = symbols;
            this.dynamic = dynamicTable;
            int count = symbols.size();
            loadVersions(count, dynamicTable && versioned);
            for (int i = 1; i < count; i++) {
                symbol(i);
                if (pos >= flushAt) {
                    flush();
                }
            }
        }
        put((byte) '\n');
        put((byte) '\n');
    }

    /**
     * The checks of _bfd_elf_slurp_version_tables (bfd/elf.c), which objdump -T makes before the first
     * symbol: a table that fails one is "invalid entry", and objdump stops after the file's header.
     */
    private void checkVersionTables(ElfFile elf, List<Section> sections) {
        for (Section s : sections) {
            if (s.type().is(SectionType.SHT_GNU_verneed) && s.info() != 0
                    && Long.compareUnsigned(s.info(), s.size() / RawLayouts.VERNEED.size()) > 0) {
                throw new ElfFormatException(".gnu.version_r invalid entry: " + s.info() + " entries in "
                        + s.size() + " bytes", s.offset());
            }
            if (s.type().is(SectionType.SHT_GNU_verdef) && s.info() != 0 && s.size() < RawLayouts.VERDEF.size()) {
                throw new ElfFormatException(".gnu.version_d invalid entry: " + s.size() + " bytes", s.offset());
            }
            boolean versionTable = s.type().is(SectionType.SHT_GNU_verneed) || s.type().is(SectionType.SHT_GNU_verdef);
            if (versionTable && s.info() != 0) {
                elf.input().require(s.offset(), s.size(), s.label());
            }
            if (s.type().is(SectionType.SHT_GNU_verdef) && s.info() != 0) {
                checkDefinitionChain(elf, s);
            }
        }
        if (!versions.chainsIntact()) {
            throw new ElfFormatException("a version definition or requirement cannot be read (objdump: "
                    + "\".gnu.version_d invalid entry\" or \".gnu.version_r invalid entry\")", 0);
        }
    }

    /**
     * The first walk of _bfd_elf_slurp_version_tables over .gnu.version_d: every entry up to sh_info
     * (or the one whose vd_next is 0) has a version index, and each vd_next stays inside the section.
     */
    private static void checkDefinitionChain(ElfFile elf, Section verdef) {
        var in = elf.input();
        long entry = RawLayouts.VERDEF.size();
        long at = 0;
        for (long i = 0; i < verdef.info(); i++) {
            long ndx = in.field(verdef.offset() + at, RawLayouts.VERDEF.vd_ndx);
            if ((ndx & SymbolVersions.VERSYM_VERSION) == 0) {
                throw new ElfFormatException(".gnu.version_d invalid entry: version definition " + i
                        + " has index 0", verdef.offset() + at);
            }
            long next = in.field(verdef.offset() + at, RawLayouts.VERDEF.vd_next);
            if (next == 0) {
                return;
            }
            if (next > verdef.size() - entry - at) {
                throw new ElfFormatException(".gnu.version_d invalid entry: version definition " + i
                        + " points past the section", verdef.offset() + at);
            }
            at += next;
        }
    }

    /** Per-file tables: which section indexes BFD made a section for, their names and addresses, versions. */
    private void prepare(ElfFile elf, BfdTarget target, List<Section> sections) {
        this.arch = target.arch();
        this.wide = elf.header().is64();
        ElfType type = elf.header().type();
        this.relocatable = !type.is(ElfType.ET_EXEC) && !type.is(ElfType.ET_DYN);
        this.microMips = (elf.header().flags() & MachineFlags.EF_MIPS_ARCH_ASE_MICROMIPS) != 0;
        this.hooks = arch != BfdTarget.Arch.GENERIC && arch != BfdTarget.Arch.OTHER;
        int n = sections.size();
        if (sectionNames.length < n) {
            sectionNames = new byte[n][];
            sectionAddresses = new long[n];
        }
        Arrays.fill(sectionNames, null);
        mipsText = -1;
        mipsData = -1;
        int symtab = 0;
        for (int i = 1; i < n; i++) {
            if (sections.get(i).type().value() == SectionType.SHT_SYMTAB.value()) {
                symtab = i;
                break;
            }
        }
        long symtabStrings = symtab != 0 ? sections.get(symtab).link() : -1;
        long shstrndx = elf.header().shstrndx();
        for (int i = 1; i < n; i++) {
            Section s = sections.get(i);
            if (!hasBfdSection(elf, sections, s, symtab, symtabStrings, shstrndx)) {
                continue;
            }
            byte[] name = sectionName(elf, s);
            sectionNames[i] = name;
            sectionAddresses[i] = s.addr();
            if (mipsText < 0 && Arrays.equals(name, TEXT)) {
                mipsText = i;
            }
            if (mipsData < 0 && Arrays.equals(name, DATA)) {
                mipsData = i;
            }
        }
        versions = elf.versions();
        versioned = versions.present() && versions.fromSections()
                && (versions.hasDefinitionTable() || versions.hasRequirementTable());
        if (versioned) {
            checkVersionTables(elf, sections);
        }
        versymMismatch = false;
        Optional<SymbolTable> dynamicSymbols = elf.dynamicSymbols();
        if (versioned && dynamicSymbols.isPresent() && versions.versymCount() != dynamicSymbols.get().size()) {
            versymMismatch = true;
            warnings.add("version count (" + versions.versymCount() + ") does not match symbol count ("
                    + dynamicSymbols.get().size() + ")");
        }
        definedVersions = 0;
        for (SymbolVersions.Definition d : versions.definitions()) {
            definedVersions = Math.max(definedVersions, d.index() & SymbolVersions.VERSYM_VERSION);
        }
    }

    /**
     * A section's name as raw bytes. ASCII names (all real ones) come from the decoded name, through a
     * cache shared by all files; any other is read again as bytes, since decoding may have changed it.
     */
    private byte[] sectionName(ElfFile elf, Section s) {
        String name = s.name();
        byte[] bytes = sectionNameCache.get(name);
        if (bytes == null) {
            boolean ascii = true;
            for (int k = 0; k < name.length() && ascii; k++) {
                ascii = name.charAt(k) < 0x80;
            }
            if (!ascii || name.isEmpty()) {
                bytes = elf.sectionNameBytes(s.index());
                return bytes == null ? NULL_NAME : bytes;
            }
            bytes = name.getBytes(StandardCharsets.US_ASCII);
            if (sectionNameCache.size() < 4096) {
                sectionNameCache.put(name, bytes);
            }
        }
        return bytes;
    }

    private final java.util.Map<String, byte[]> sectionNameCache = new java.util.HashMap<>();

    /**
     * Whether bfd_section_from_shdr makes a BFD section for this header. It makes none for the symbol
     * tables' own plumbing (.symtab, its string table, .shstrtab, SHT_SYMTAB_SHNDX, relocations against
     * .symtab) nor for SHT_NULL and SHT_SHLIB; a symbol in such a section shows as *ABS*.
     */
    private static boolean hasBfdSection(ElfFile elf, List<Section> sections, Section s, int symtab,
            long symtabStrings, long shstrndx) {
        SectionType type = s.type();
        if (type.is(SectionType.SHT_NULL) || type.is(SectionType.SHT_SYMTAB) || type.is(SectionType.SHT_SHLIB)
                || type.is(SectionType.SHT_SYMTAB_SHNDX)) {
            return false;
        }
        if (type.is(SectionType.SHT_STRTAB)) {
            return s.index() != shstrndx && s.index() != symtabStrings;
        }
        if (type.is(SectionType.SHT_RELA) || type.is(SectionType.SHT_REL)) {
            ElfType fileType = elf.header().type();
            boolean loaded = (fileType.is(ElfType.ET_EXEC) || fileType.is(ElfType.ET_DYN))
                    && (s.flags() & Section.SHF_ALLOC) != 0;
            long target = s.info();
            return loaded || s.link() == 0 || s.link() != symtab || target == 0 || target >= sections.size()
                    || sections.get((int) target).type().is(SectionType.SHT_REL)
                    || sections.get((int) target).type().is(SectionType.SHT_RELA);
        }
        return true;
    }

    /** One symbol line; index 0 is never printed. */
    private void symbol(int i) {
        SymbolTable t = table;
        SymbolTable.Fields f = fields;
        t.read(i, f);
        int info = f.info;
        int shndx = f.shndx;
        long value = f.value;
        long size = f.size;
        int bind = info >>> 4;
        // The section BFD gives the symbol, and what it keeps as the value: section-relative, except
        // in relocatable files where st_value already is (the printed address adds the section back).
        byte[] section;
        long vma = 0;
        boolean ordinary = false;
        if (shndx == SectionIndex.SHN_UNDEF) {
            section = UND;
        } else if (shndx < SectionIndex.SHN_LORESERVE && shndx < sectionNames.length && sectionNames[shndx] != null) {
            section = sectionNames[shndx];
            vma = sectionAddresses[shndx];
            ordinary = true;
        } else {
            section = shndx == SectionIndex.SHN_COMMON ? COM : ABS;
        }
        Line line = this.line;
        line.type = info & 0xf;
        line.other = f.other;
        line.section = section;
        line.sectionSymbolName = ordinary ? section : null;
        line.common = shndx == SectionIndex.SHN_COMMON;
        line.global = bind == STB_GLOBAL && shndx != SectionIndex.SHN_UNDEF && shndx != SectionIndex.SHN_COMMON;
        line.vma = vma;
        line.bfdValue = line.common ? size : relocatable ? value : value - vma;
        line.stValue = value;
        line.register = false;
        if (hooks) {
            backEndHooks(line, i, shndx, value, size);
        }

        int start = pos;
        byte[] column = versionColumns[versymWords[i]];
        if (column == null) {
            column = versionColumn(versymWords[i]);
        }
        byte[] otherColumn = OTHER_COLUMNS[line.other];
        ensure(48 + line.section.length + column.length + otherColumn.length);
        if (line.register) {
            sparcRegister(value, bind, line.global);
        } else {
            hex(line.bfdValue + line.vma);
            flags(line.type, bind, line.global);
        }
        byte[] b = buf;
        int p = pos;
        b[p++] = ' ';
        System.arraycopy(line.section, 0, b, p, line.section.length);
        p += line.section.length;
        b[p++] = '\t';
        pos = p;
        hex(line.common ? line.stValue : size);
        System.arraycopy(column, 0, b, pos, column.length);
        pos += column.length;
        System.arraycopy(otherColumn, 0, b, pos, otherColumn.length);
        pos += otherColumn.length;
        b[pos++] = ' ';
        int nameStart = pos;
        int length = t.copyNameAt(f.nameOffset, buf, pos);
        if (length > buf.length - pos - 1) {
            ensure(length + 1);
            length = t.copyNameAt(f.nameOffset, buf, pos);
        }
        if (length > 0) {
            pos += length;
        } else {
            emptyOrUnreadableName(i, length, line);
        }
        if (hooks && isSpecial(arch, nameStart, pos)) {
            pos = start;
            return;
        }
        ensure(1);
        buf[pos++] = '\n';
    }

    /** The parts of a symbol line that the back-end hooks may change. */
    private static final class Line {
        int type;
        int other;
        byte[] section;
        byte[] sectionSymbolName;
        boolean common;
        boolean global;
        boolean register;
        long vma;
        long bfdValue;
        /** st_value as the back-end read it (the size column of a common shows it). */
        long stValue;
    }

    private final Line line = new Line();
    private final SymbolTable.Fields fields = new SymbolTable.Fields();

    /** What the ARM, x86-64, m32r, MIPS and SPARC64 back-ends do to a symbol as they read it. */
    private void backEndHooks(Line line, int i, int shndx, long value, long size) {
        BfdTarget.Arch a = arch;
        if (a == BfdTarget.Arch.ARM) {
            // Thumb function addresses are read without their low bit; STT_ARM_TFUNC becomes STT_FUNC.
            if ((line.type == STT_FUNC || line.type == STT_GNU_IFUNC) && (value & 1) != 0) {
                line.stValue = value & ~1L;
                if (!line.common) {
                    line.bfdValue = relocatable ? line.stValue : line.stValue - line.vma;
                }
            } else if (line.type == STT_ARM_TFUNC) {
                line.type = STT_FUNC;
            }
        } else if (a == BfdTarget.Arch.X86_64 && shndx == SectionIndex.SHN_X86_64_LCOMMON) {
            line.section = LARGE_COMMON;
            line.bfdValue = size;
            line.common = true;
            line.global = false;
        } else if (a == BfdTarget.Arch.M32R && shndx == SectionIndex.SHN_M32R_SCOMMON) {
            line.section = SCOMMON;
            line.bfdValue = size;
            line.common = true;
        } else if (a == BfdTarget.Arch.SPARC64) {
            line.register = line.type == STT_SPARC_REGISTER;
        } else if (a == BfdTarget.Arch.MIPS) {
            mipsHooks(line, shndx, value, size);
        }
    }

    /** _bfd_mips_elf_symbol_processing. */
    private void mipsHooks(Line line, int shndx, long value, long size) {
        switch (shndx) {
            case SectionIndex.SHN_MIPS_ACOMMON -> line.section = ACOMMON;
            case SectionIndex.SHN_COMMON -> {
                // Commons no bigger than the GP size (0 when reading) become small commons.
                if (size == 0 && line.type != STT_TLS) {
                    line.section = SCOMMON;
                }
            }
            case SectionIndex.SHN_MIPS_SCOMMON -> {
                line.section = SCOMMON;
                line.bfdValue = size;
                line.common = true;
            }
            case SectionIndex.SHN_MIPS_SUNDEFINED -> line.section = UND;
            case SectionIndex.SHN_MIPS_TEXT, SectionIndex.SHN_MIPS_DATA -> {
                int named = shndx == SectionIndex.SHN_MIPS_TEXT ? mipsText : mipsData;
                if (named >= 0) {
                    line.section = sectionNames[named];
                    line.vma = sectionAddresses[named];
                    line.bfdValue = value - line.vma;
                }
            }
            default -> { }
        }
        // An odd function address marks MIPS16 or microMIPS code.
        if (line.type == STT_FUNC && (line.bfdValue & 1) != 0) {
            line.bfdValue--;
            line.other = microMips ? (line.other & ~0xc0) | 0x80 : line.other | 0xf0;
        }
    }

    /** An empty name (a section symbol takes its section's name) or one that cannot be read. */
    private void emptyOrUnreadableName(int i, int length, Line line) {
        if (length < 0) {
            warnings.add("symbol " + i + ": name offset 0x" + Long.toHexString(fields.nameOffset)
                    + " is outside the string table; shown as (null)");
            put(NULL_NAME);
        } else if (line.type == STT_SECTION && line.sectionSymbolName != null) {
            // bfd_elf_sym_name: an unnamed section symbol takes its section's name.
            put(line.sectionSymbolName);
        } else if (line.register) {
            put(SCRATCH);
        }
    }

    /** The seven flag characters of bfd_print_symbol_vandf, after the address and a space. */
    private void flags(int type, int bind, boolean global) {
        int k = ((dynamic ? 512 : 0) + (global ? 256 : 0) + (bind << 4 | type)) * 8;
        System.arraycopy(FLAGS, k, buf, pos, 8);
        pos += 8;
    }

    /** " " and the seven flags for every (dynamic, BSF_GLOBAL, binding, type), 8 bytes each. */
    private static final byte[] FLAGS = flagsTable();

    private static byte[] flagsTable() {
        byte[] flags = new byte[4 * 256 * 8];
        for (int d = 0; d < 2; d++) {
            for (int g = 0; g < 2; g++) {
                for (int info = 0; info < 256; info++) {
                    int type = info & 0xf;
                    int bind = info >>> 4;
                    int k = (d * 512 + g * 256 + info) * 8;
                    flags[k] = ' ';
                    flags[k + 1] = (byte) (bind == STB_LOCAL ? 'l' : g == 1 ? 'g' : bind == STB_GNU_UNIQUE ? 'u' : ' ');
                    flags[k + 2] = (byte) (bind == STB_WEAK ? 'w' : ' ');
                    flags[k + 3] = ' ';
                    flags[k + 4] = ' ';
                    flags[k + 5] = (byte) (type == STT_GNU_IFUNC ? 'i' : ' ');
                    flags[k + 6] = (byte) (type == STT_SECTION || type == STT_FILE ? 'd' : d == 1 ? 'D' : ' ');
                    flags[k + 7] = (byte) (type == STT_FUNC ? 'F' : type == STT_FILE ? 'f'
                            : type == STT_OBJECT || type == STT_COMMON ? 'O' : ' ');
                }
            }
        }
        return flags;
    }

    /** elf64_sparc_print_symbol_all: a register symbol shows its register instead of an address. */
    private void sparcRegister(long value, int bind, boolean global) {
        put(REG);
        // "GOLI"[reg / 8] reads past the string for registers above 31; BFD's output is then undefined.
        int reg = (int) value;
        buf[pos++] = (byte) (reg >= 0 && reg < 32 ? "GOLI".charAt(reg / 8) : '?');
        buf[pos++] = (byte) ('0' + (reg & 7));
        for (int k = 0; k < 11; k++) {
            buf[pos++] = ' ';
        }
        buf[pos++] = (byte) (bind == STB_LOCAL ? 'l' : bind == STB_GLOBAL || global ? 'g' : ' ');
        buf[pos++] = (byte) (bind == STB_WEAK ? 'w' : ' ');
        put(REG_END);
    }

    /** bfd_is_target_special_symbol: mapping and tag symbols, and local labels, are not listed. */
    private boolean isSpecial(BfdTarget.Arch a, int from, int to) {
        byte[] b = buf;
        int length = to - from;
        byte c0 = length > 0 ? b[from] : 0;
        byte c1 = length > 1 ? b[from + 1] : 0;
        byte c2 = length > 2 ? b[from + 2] : 0;
        return switch (a) {
            case AARCH64 -> c0 == '$' && (c1 == 'x' || c1 == 'd' || c1 == 'm' || c1 == 'f' || c1 == 'p')
                    && (length == 2 || c2 == '.');
            case ARM -> c0 == '$' && c1 >= 'a' && c1 <= 'z' && (length == 2 || c2 == '.');
            case RISCV -> length == 0 || (c0 == '$' && (c1 == 'x' || c1 == 'd')) || isLocalLabel(from, length);
            case MIPS -> isLocalLabel(from, length);
            default -> false;
        };
    }

    /** _bfd_elf_is_local_label_name. */
    private boolean isLocalLabel(int from, int length) {
        byte[] b = buf;
        byte c0 = length > 0 ? b[from] : 0;
        byte c1 = length > 1 ? b[from + 1] : 0;
        if (c0 == '.' && (c1 == 'L' || c1 == '.')) {
            return true;
        }
        if (length >= 4 && c0 == '_' && c1 == '.' && b[from + 2] == 'L' && b[from + 3] == '_') {
            return true;
        }
        return length >= 3 && c0 == 'L' && c1 >= '0' && c1 <= '9' && b[from + 2] == 1;
    }

    /**
     * Reads the version index of every symbol of the table about to be printed, and empties the
     * column cache. A table printed without versions gets index 0 everywhere, whose column is then
     * empty, so that the per-symbol code has no branch on whether the file has versions.
     */
    private void loadVersions(int count, boolean withVersions) {
        for (int k = 0; k < versionsUsedCount; k++) {
            versionColumns[versionsUsed[k]] = null;
        }
        versionsUsedCount = 0;
        if (versymWords.length < count) {
            versymWords = new int[Math.max(count, versymWords.length * 2)];
        }
        if (withVersions && !versymMismatch) {
            for (int i = 0; i < count; i++) {
                versymWords[i] = Math.max(0, versions.versym(i));
            }
        } else {
            Arrays.fill(versymWords, 0, count, 0);
        }
        if (!withVersions) {
            remember(0, NO_COLUMN);
        }
    }

    /** The version column for one versym word, rendered once per file. */
    private byte[] versionColumn(int raw) {
        byte[] column = renderVersion(raw);
        remember(raw, column);
        return column;
    }

    private void remember(int raw, byte[] column) {
        versionColumns[raw] = column;
        if (versionsUsedCount == versionsUsed.length) {
            versionsUsed = Arrays.copyOf(versionsUsed, versionsUsedCount * 2);
        }
        versionsUsed[versionsUsedCount++] = raw;
    }

    /** _bfd_elf_get_symbol_version_string (base_p true), and the padding bfd_elf_print_symbol adds. */
    private byte[] renderVersion(int raw) {
        boolean hidden = (raw & SymbolVersions.VERSYM_HIDDEN) != 0;
        int n = raw & SymbolVersions.VERSYM_VERSION;
        String name;
        if (n == 0) {
            name = "";
        } else if (n == 1 && (n > definedVersions || definitionFlags(1) == SymbolVersions.VER_FLG_BASE)) {
            name = "Base";
        } else if (n <= definedVersions) {
            name = null;
            for (SymbolVersions.Definition d : versions.definitions()) {
                if ((d.index() & SymbolVersions.VERSYM_VERSION) == n && !d.names().isEmpty()) {
                    name = d.name();
                }
            }
            if (name == null) {
                return NO_COLUMN;
            }
        } else {
            name = "<corrupt>";
            for (SymbolVersions.Requirement r : versions.requirements()) {
                for (SymbolVersions.Needed needed : r.versions()) {
                    if (needed.index() == n) {
                        hidden = true;
                        name = needed.name();
                        break;
                    }
                }
            }
        }
        byte[] text = name.getBytes(StandardCharsets.UTF_8);
        byte[] column;
        if (!hidden) {
            // "  %-11s"
            column = new byte[2 + Math.max(11, text.length)];
            Arrays.fill(column, (byte) ' ');
            System.arraycopy(text, 0, column, 2, text.length);
        } else {
            // " (%s)" and then 10 - strlen spaces
            column = new byte[3 + text.length + Math.max(0, 10 - text.length)];
            Arrays.fill(column, (byte) ' ');
            column[1] = '(';
            System.arraycopy(text, 0, column, 2, text.length);
            column[2 + text.length] = ')';
        }
        return column;
    }

    private int definitionFlags(int index) {
        for (SymbolVersions.Definition d : versions.definitions()) {
            if ((d.index() & SymbolVersions.VERSYM_VERSION) == index) {
                return d.flags();
            }
        }
        return 0;
    }

    /** The file name as objdump's sanitize_string shows it: control bytes as ^X. */
    private void putFileName(String file) {
        byte[] bytes = file.getBytes(StandardCharsets.UTF_8);
        ensure(bytes.length * 2);
        for (byte c : bytes) {
            if ((c >= 0 && c < 0x20) || c == 0x7f) {
                buf[pos++] = '^';
                buf[pos++] = (byte) (c + 0x40);
            } else {
                buf[pos++] = c;
            }
        }
    }

    /** 16 (ELFCLASS64) or 8 lowercase hex digits, two at a time from a table, without a loop. */
    private void hex(long v) {
        byte[] b = buf;
        int p = pos;
        if (wide) {
            p = hexByte(b, p, (int) (v >>> 56));
            p = hexByte(b, p, (int) (v >>> 48));
            p = hexByte(b, p, (int) (v >>> 40));
            p = hexByte(b, p, (int) (v >>> 32));
        }
        p = hexByte(b, p, (int) (v >>> 24));
        p = hexByte(b, p, (int) (v >>> 16));
        p = hexByte(b, p, (int) (v >>> 8));
        pos = hexByte(b, p, (int) v);
    }

    private static int hexByte(byte[] b, int p, int v) {
        int k = (v & 0xff) << 1;
        b[p] = HEX_PAIRS[k];
        b[p + 1] = HEX_PAIRS[k + 1];
        return p + 2;
    }

    private void put(byte c) {
        ensure(1);
        buf[pos++] = c;
    }

    private void put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }

    private void ensure(int more) {
        if (more > buf.length - pos) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
