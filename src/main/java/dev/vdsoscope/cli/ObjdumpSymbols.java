package dev.vdsoscope.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.SectionIndex;
import dev.vdsoscope.elf.SectionType;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.elf.SymbolVersions;

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
final class ObjdumpSymbols {
    /** What became of one file, beyond what went to standard output. */
    enum Outcome {
        /** The block was printed as objdump prints it. */
        PRINTED,
        /** No .dynsym and not ET_DYN: "no symbols", and objdump says "not a dynamic object". */
        NOT_DYNAMIC,
        /** ET_DYN without .dynsym: objdump prints only the header and stops ("invalid operation"). */
        NO_DYNAMIC_SYMBOLS,
        /** No section headers: the symbols were found through the dynamic table, which objdump 2.40 cannot do. */
        FROM_DYNAMIC_TABLE
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UND = ascii("*UND*"), ABS = ascii("*ABS*"), COM = ascii("*COM*"),
            LARGE_COMMON = ascii("LARGE_COMMON"), ACOMMON = ascii(".acommon"), SCOMMON = ascii(".scommon"),
            TEXT = ascii(".text"), DATA = ascii(".data"), TDATA = ascii(".tdata"), NULL_NAME = ascii("(null)"),
            SCRATCH = ascii("#scratch"), FORMAT = ascii(":     file format "),
            DYNAMIC_TITLE = ascii("DYNAMIC SYMBOL TABLE:\n"), STATIC_TITLE = ascii("SYMBOL TABLE:\n"),
            NO_SYMBOLS = ascii("no symbols\n"), REG = ascii("REG_"), REG_END = ascii("    R");
    private static final byte[][] OTHER = {new byte[0], ascii(" .internal"), ascii(" .hidden"), ascii(" .protected")};
    /** A version column that is not printed at all (BFD found no name for the index). */
    private static final byte[] NO_COLUMN = new byte[0];

    private static final int STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4, STT_COMMON = 5,
            STT_TLS = 6, STT_GNU_IFUNC = 10, STT_ARM_TFUNC = 13, STT_SPARC_REGISTER = 13;
    private static final int STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2, STB_GNU_UNIQUE = 10;
    private static final int SHN_X86_64_LCOMMON = 0xff02, SHN_MIPS_ACOMMON = 0xff00, SHN_MIPS_TEXT = 0xff01,
            SHN_MIPS_DATA = 0xff02, SHN_MIPS_SCOMMON = 0xff03, SHN_MIPS_SUNDEFINED = 0xff04,
            SHN_M32R_SCOMMON = 0xff00;
    private static final int EF_MIPS_ARCH_ASE_MICROMIPS = 0x02000000;
    private static final int FLUSH_AT = 1 << 16;

    private final OutputStream sink;
    private byte[] buf = new byte[FLUSH_AT + 4096];
    private int pos;

    // The file being printed.
    private SymbolTable table;
    private BfdTarget.Arch arch;
    private boolean wide;
    private boolean relocatable;
    private boolean dynamic;
    private boolean microMips;
    private boolean noSections;
    private byte[][] sectionNames = new byte[0][];
    private long[] sectionAddresses = new long[0];
    private int mipsText = -1;
    private int mipsData = -1;
    private SymbolVersions versions;
    private boolean versioned;
    private boolean versymMismatch;
    private int definedVersions;
    private final byte[][] versionColumns = new byte[0x10000][];
    private int[] versionsUsed = new int[64];
    private int versionsUsedCount;
    private final List<String> warnings = new ArrayList<>();

    /** Writes through to {@code sink} as the buffer fills; with a null sink the caller takes the bytes. */
    ObjdumpSymbols(OutputStream sink) {
        this.sink = sink;
    }

    /** Warnings about the last file printed (unreadable names, a version table of the wrong size). */
    List<String> warnings() {
        return warnings;
    }

    /** Writes what is buffered to the sink. */
    void flush() throws IOException {
        if (pos > 0) {
            sink.write(buf, 0, pos);
            pos = 0;
        }
    }

    /** The buffered bytes, for a caller without a sink; {@link #reset} starts over. */
    byte[] buffer() {
        return buf;
    }

    int length() {
        return pos;
    }

    void reset() {
        pos = 0;
    }

    /**
     * Appends one file's block. Everything that can fail is read before the first byte is written, so a
     * file objdump does not recognize prints nothing; the exception says why.
     */
    Outcome print(String file, ElfFile elf, boolean withStatic) throws IOException {
        warnings.clear();
        checkRecognized(elf);
        BfdTarget target = BfdTarget.of(elf);
        List<Section> sections = elf.sections();
        Optional<Section> dynsym = elf.section(SectionType.SHT_DYNSYM);
        int symbolSize = elf.header().is64() ? 24 : 16;
        if (dynsym.isPresent() && dynsym.get().entsize() != symbolSize) {
            throw new ElfFormatException("section .dynsym has entry size " + dynsym.get().entsize() + ", not "
                    + symbolSize + " (objdump: file format not recognized)", dynsym.get().offset());
        }
        Optional<SymbolTable> symbols = elf.dynamicSymbols();
        Outcome outcome = Outcome.PRINTED;
        if (dynsym.isEmpty()) {
            if (sections.isEmpty() && symbols.isPresent()) {
                outcome = Outcome.FROM_DYNAMIC_TABLE;
            } else {
                outcome = elf.header().type().value() == 3 ? Outcome.NO_DYNAMIC_SYMBOLS : Outcome.NOT_DYNAMIC;
                symbols = Optional.empty();
            }
        }
        Optional<SymbolTable> statics = withStatic ? elf.staticSymbols() : Optional.empty();
        prepare(elf, target, sections, outcome == Outcome.FROM_DYNAMIC_TABLE);

        put((byte) '\n');
        putFileName(file);
        put(FORMAT);
        put(ascii(target.name()));
        put((byte) '\n');
        put((byte) '\n');
        if (outcome == Outcome.NO_DYNAMIC_SYMBOLS) {
            return outcome;
        }
        if (withStatic) {
            table(statics.orElse(null), false, STATIC_TITLE);
        }
        table(symbols.orElse(null), true, DYNAMIC_TITLE);
        return outcome;
    }

    private void table(SymbolTable symbols, boolean dynamicTable, byte[] title) throws IOException {
        put(title);
        if (symbols == null || symbols.size() <= 1) {
            put(NO_SYMBOLS);
        } else {
            this.table = symbols;
            this.dynamic = dynamicTable;
            boolean withVersions = dynamicTable && versioned;
            int count = symbols.size();
            for (int i = 1; i < count; i++) {
                symbol(i, withVersions);
                if (pos >= FLUSH_AT && sink != null) {
                    flush();
                }
            }
        }
        put((byte) '\n');
        put((byte) '\n');
    }

    /**
     * The header checks of BFD's elf_object_p that this reader does not make itself: a file failing them
     * is "file format not recognized" to objdump, which then prints nothing for it.
     */
    private static void checkRecognized(ElfFile elf) {
        var h = elf.header();
        String why = null;
        if (h.identVersion() != 1) {
            why = "ELF identification version " + h.identVersion() + " is not 1";
        } else if (h.eShnum() != 0 && h.shentsize() != (h.is64() ? 64 : 40)) {
            why = "section header size " + h.shentsize() + " is not " + (h.is64() ? 64 : 40);
        } else if (h.eShnum() != 0 && h.shoff() < (h.is64() ? 64 : 52)) {
            why = "section headers at offset " + h.shoff() + " overlap the ELF header";
        }
        if (why != null) {
            throw new ElfFormatException(why + " (objdump: file format not recognized)", 0);
        }
    }

    /** Per-file tables: which section indexes BFD made a section for, their names and addresses, versions. */
    private void prepare(ElfFile elf, BfdTarget target, List<Section> sections, boolean fromDynamicTable) {
        this.arch = target.arch();
        this.wide = elf.header().is64();
        long type = elf.header().type().value();
        this.relocatable = type != 2 && type != 3;
        this.microMips = (elf.header().flags() & EF_MIPS_ARCH_ASE_MICROMIPS) != 0;
        this.noSections = fromDynamicTable;
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
            byte[] name = elf.sectionNameBytes(i);
            sectionNames[i] = name == null ? NULL_NAME : name;
            sectionAddresses[i] = s.addr();
            if (mipsText < 0 && Arrays.equals(name, TEXT)) {
                mipsText = i;
            }
            if (mipsData < 0 && Arrays.equals(name, DATA)) {
                mipsData = i;
            }
        }
        for (int k = 0; k < versionsUsedCount; k++) {
            versionColumns[versionsUsed[k]] = null;
        }
        versionsUsedCount = 0;
        versions = elf.versions();
        versioned = versions.present() && (fromDynamicTable || versions.fromSections())
                && (versions.hasDefinitionTable() || versions.hasRequirementTable());
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
     * Whether bfd_section_from_shdr makes a BFD section for this header. It makes none for the symbol
     * tables' own plumbing (.symtab, its string table, .shstrtab, SHT_SYMTAB_SHNDX, relocations against
     * .symtab) nor for SHT_NULL and SHT_SHLIB; a symbol in such a section shows as *ABS*.
     */
    private static boolean hasBfdSection(ElfFile elf, List<Section> sections, Section s, int symtab,
            long symtabStrings, long shstrndx) {
        int type = (int) s.type().value();
        return switch (type) {
            case 0, 2, 10, 18 -> false;
            case 3 -> s.index() != shstrndx && s.index() != symtabStrings;
            case 4, 9 -> {
                long fileType = elf.header().type().value();
                boolean loaded = (fileType == 2 || fileType == 3) && (s.flags() & Section.SHF_ALLOC) != 0;
                long target = s.info();
                yield loaded || s.link() == 0 || s.link() != symtab || target == 0 || target >= sections.size()
                        || sections.get((int) target).type().value() == SectionType.SHT_REL.value()
                        || sections.get((int) target).type().value() == SectionType.SHT_RELA.value();
            }
            default -> true;
        };
    }

    /** One symbol line; index 0 is never printed. */
    private void symbol(int i, boolean withVersions) throws IOException {
        SymbolTable t = table;
        int info = t.info(i);
        int type = info & 0xf;
        int bind = info >>> 4;
        int other = t.other(i);
        int shndx = t.shndx(i);
        long value = t.value(i);
        long size = t.size(i);
        BfdTarget.Arch a = arch;

        // The ARM back-end reads Thumb function addresses without their low bit, and STT_ARM_TFUNC as STT_FUNC.
        if (a == BfdTarget.Arch.ARM) {
            if ((type == STT_FUNC || type == STT_GNU_IFUNC) && (value & 1) != 0) {
                value &= ~1L;
            } else if (type == STT_ARM_TFUNC) {
                type = STT_FUNC;
            }
        }
        byte[] section;
        byte[] sectionSymbolName = null;
        long vma = 0;
        boolean common = false;
        boolean global = bind == STB_GLOBAL && shndx != SectionIndex.SHN_UNDEF && shndx != SectionIndex.SHN_COMMON;
        if (shndx == SectionIndex.SHN_UNDEF) {
            section = UND;
        } else if (shndx == SectionIndex.SHN_ABS) {
            section = ABS;
        } else if (shndx == SectionIndex.SHN_COMMON) {
            section = COM;
            common = true;
        } else if (noSections) {
            // Later binutils give a symbol found through the dynamic table a section by its type.
            section = switch (type) {
                case STT_FUNC, STT_GNU_IFUNC -> TEXT;
                case STT_OBJECT -> DATA;
                case STT_TLS -> TDATA;
                default -> ABS;
            };
        } else if (shndx < SectionIndex.SHN_LORESERVE && shndx < sectionNames.length && sectionNames[shndx] != null) {
            section = sectionNames[shndx];
            vma = sectionAddresses[shndx];
            sectionSymbolName = section;
        } else {
            section = ABS;
        }
        // What BFD keeps as the symbol's value: section-relative, except in relocatable files where it already is.
        long bfdValue = common ? size : relocatable ? value : value - vma;

        if (a == BfdTarget.Arch.X86_64 && shndx == SHN_X86_64_LCOMMON) {
            section = LARGE_COMMON;
            bfdValue = size;
            common = true;
            global = false;
        } else if (a == BfdTarget.Arch.M32R && shndx == SHN_M32R_SCOMMON) {
            section = SCOMMON;
            bfdValue = size;
            common = true;
        } else if (a == BfdTarget.Arch.MIPS) {
            switch (shndx) {
                case SHN_MIPS_ACOMMON -> section = ACOMMON;
                case SectionIndex.SHN_COMMON -> {
                    // Commons no bigger than the GP size (0 when reading) become small commons.
                    if (size == 0 && type != STT_TLS) {
                        section = SCOMMON;
                    }
                }
                case SHN_MIPS_SCOMMON -> {
                    section = SCOMMON;
                    bfdValue = size;
                    common = true;
                }
                case SHN_MIPS_SUNDEFINED -> section = UND;
                case SHN_MIPS_TEXT, SHN_MIPS_DATA -> {
                    int named = shndx == SHN_MIPS_TEXT ? mipsText : mipsData;
                    if (named >= 0) {
                        section = sectionNames[named];
                        vma = sectionAddresses[named];
                        bfdValue = value - vma;
                    }
                }
                default -> { }
            }
            if (type == STT_FUNC && (bfdValue & 1) != 0) {
                bfdValue--;
                other = microMips ? (other & ~0xc0) | 0x80 : other | 0xf0;
            }
        }

        int start = pos;
        ensure(64 + section.length + 32);
        if (a == BfdTarget.Arch.SPARC64 && type == STT_SPARC_REGISTER) {
            sparcRegister(value, bind, global);
        } else {
            hex(bfdValue + vma);
            flags(type, bind, global);
        }
        byte[] b = buf;
        int p = pos;
        b[p++] = ' ';
        System.arraycopy(section, 0, b, p, section.length);
        p += section.length;
        b[p++] = '\t';
        pos = p;
        hex(common ? value : size);
        if (withVersions) {
            byte[] column = versionColumn(i);
            ensure(column.length + 8);
            System.arraycopy(column, 0, buf, pos, column.length);
            pos += column.length;
        }
        if (other != 0) {
            if (other < 4) {
                put(OTHER[other]);
            } else {
                ensure(8);
                buf[pos++] = ' ';
                buf[pos++] = '0';
                buf[pos++] = 'x';
                buf[pos++] = HEX[(other >>> 4) & 0xf];
                buf[pos++] = HEX[other & 0xf];
            }
        }
        buf[pos++] = ' ';
        int nameStart = pos;
        int length = t.copyName(i, buf, pos);
        if (length > buf.length - pos) {
            ensure(length + 1);
            length = t.copyName(i, buf, pos);
        }
        if (length < 0) {
            warnings.add("symbol " + i + ": name offset 0x" + Long.toHexString(t.nameOffset(i))
                    + " is outside the string table; shown as (null)");
            put(NULL_NAME);
        } else {
            pos += length;
            if (length == 0 && type == STT_SECTION && sectionSymbolName != null) {
                // bfd_elf_sym_name: an unnamed section symbol takes its section's name.
                put(sectionSymbolName);
            } else if (length == 0 && a == BfdTarget.Arch.SPARC64 && type == STT_SPARC_REGISTER) {
                put(SCRATCH);
            }
        }
        if (a != BfdTarget.Arch.GENERIC && a != BfdTarget.Arch.OTHER && isSpecial(a, nameStart, pos)) {
            pos = start;
            return;
        }
        ensure(1);
        buf[pos++] = '\n';
    }

    /** The seven flag characters of bfd_print_symbol_vandf, after the address and a space. */
    private void flags(int type, int bind, boolean global) {
        byte[] b = buf;
        int p = pos;
        b[p++] = ' ';
        b[p++] = (byte) (bind == STB_LOCAL ? 'l' : global ? 'g' : bind == STB_GNU_UNIQUE ? 'u' : ' ');
        b[p++] = (byte) (bind == STB_WEAK ? 'w' : ' ');
        b[p++] = ' ';
        b[p++] = ' ';
        b[p++] = (byte) (type == STT_GNU_IFUNC ? 'i' : ' ');
        b[p++] = (byte) (type == STT_SECTION || type == STT_FILE ? 'd' : dynamic ? 'D' : ' ');
        b[p++] = (byte) (type == STT_FUNC ? 'F' : type == STT_FILE ? 'f'
                : type == STT_OBJECT || type == STT_COMMON ? 'O' : ' ');
        pos = p;
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

    /** The version column of one symbol, rendered once per file for each distinct versym word. */
    private byte[] versionColumn(int index) {
        int raw = versymMismatch ? 0 : versions.versym(index);
        if (raw < 0) {
            raw = 0;
        }
        byte[] column = versionColumns[raw];
        if (column == null) {
            column = renderVersion(raw);
            versionColumns[raw] = column;
            if (versionsUsedCount == versionsUsed.length) {
                versionsUsed = Arrays.copyOf(versionsUsed, versionsUsedCount * 2);
            }
            versionsUsed[versionsUsedCount++] = raw;
        }
        return column;
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

    private void hex(long v) {
        byte[] b = buf;
        int p = pos;
        for (int shift = wide ? 60 : 28; shift >= 0; shift -= 4) {
            b[p++] = HEX[(int) (v >>> shift) & 0xf];
        }
        pos = p;
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
