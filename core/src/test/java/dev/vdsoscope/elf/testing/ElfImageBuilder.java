package dev.vdsoscope.elf.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds small shared-object images from the gABI and the GNU extensions, independently of the
 * reader under test: nothing here uses the main code's layouts, so a mistake in either shows up as
 * a disagreement (and readelf settles which side is wrong).
 *
 * <p>File layout: ELF header, program headers, then a read-only PT_LOAD holding .interp, the notes,
 * the hash tables, .dynsym/.dynstr, the version tables, .text and the extra sections a test adds
 * (allocated or not, in the order added); a second, read-write PT_LOAD at a
 * different address delta holding .dynamic (so address-to-offset translation must pick the right
 * segment); then the non-allocated .symtab/.strtab, the filler sections, .shstrtab and the section
 * header table.
 */
public final class ElfImageBuilder {
    public static final int EM_386 = 3, EM_PPC = 20, EM_PPC64 = 21, EM_S390 = 22, EM_ARM = 40, EM_ALPHA = 0x9026,
            EM_X86_64 = 62, EM_AARCH64 = 183;
    public static final int STT_OBJECT = 1, STT_FUNC = 2, STT_FILE = 4;
    public static final int STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
    public static final int STV_DEFAULT = 0, STV_HIDDEN = 2, STV_PROTECTED = 3;
    public static final int SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2,
            SHN_XINDEX = 0xffff;
    public static final int PN_XNUM = 0xffff;
    public static final long SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHF_TLS = 0x400;
    public static final int VER_FLG_BASE = 1, VER_FLG_WEAK = 2;
    public static final int SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_HASH = 5,
            SHT_DYNAMIC = 6, SHT_NOTE = 7, SHT_NOBITS = 8, SHT_DYNSYM = 11, SHT_SYMTAB_SHNDX = 18,
            SHT_GNU_HASH = 0x6ffffff6, SHT_GNU_VERDEF = 0x6ffffffd, SHT_GNU_VERNEED = 0x6ffffffe,
            SHT_GNU_VERSYM = 0x6fffffff;
    public static final int PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4;
    public static final long DT_NULL = 0, DT_NEEDED = 1, DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6, DT_STRSZ = 10,
            DT_SYMENT = 11, DT_SONAME = 14, DT_GNU_HASH = 0x6ffffef5L, DT_VERSYM = 0x6ffffff0L,
            DT_VERDEF = 0x6ffffffcL, DT_VERDEFNUM = 0x6ffffffdL, DT_VERNEED = 0x6ffffffeL,
            DT_VERNEEDNUM = 0x6fffffffL;
    public static final long NT_GNU_ABI_TAG = 1, NT_GNU_BUILD_ID = 3, NT_GNU_PROPERTY_TYPE_0 = 5,
            LINUX_VERSION_CODE_NOTE = 0;
    public static final long GNU_PROPERTY_AARCH64_FEATURE_1_AND = 0xc0000000L,
            GNU_PROPERTY_X86_FEATURE_1_AND = 0xc0000002L, GNU_PROPERTY_X86_ISA_1_NEEDED = 0xc0008002L;

    /** Which symbol hash tables to emit. */
    public enum HashStyle { SYSV, GNU, BOTH }

    /**
     * A symbol. {@code other} is the whole st_other byte (the visibility in its low bits, and whatever
     * else a back-end keeps there). {@code section} names the section it is defined in; when it is null,
     * {@code shndx} is written as it is: {@link #SHN_UNDEF}, {@link #SHN_ABS}, {@link #SHN_COMMON}, or any
     * reserved or out-of-range index. {@code version} is the .gnu.version index.
     */
    public record Sym(String name, long value, long size, int type, int binding, int other, String section,
            int shndx, int version, boolean hidden) {
        public Sym {
            if (section != null && shndx != SHN_UNDEF) {
                throw new IllegalArgumentException(name + ": a section name or an index, not both");
            }
        }

        public int info() {
            return binding << 4 | type;
        }

        /** Undefined symbols answer no lookup and are left out of .gnu.hash. */
        public boolean undefined() {
            return section == null && shndx == SHN_UNDEF;
        }
    }

    /**
     * A section the builder knows nothing about, placed after .text: any type and flags, its
     * contents, sh_link by section name (null for 0) and a raw sh_info. For SHT_NOBITS the zeros
     * stand for the size; they are written all the same, so that the sections after it keep
     * addresses of their own.
     */
    public record ExtraSection(String name, int type, long flags, byte[] content, String link, long info,
            long entsize) {
        public static ExtraSection zeros(String name, int type, long flags, int size) {
            return new ExtraSection(name, type, flags, new byte[size], null, 0, 0);
        }
    }

    /** A version definition; {@code parents} become the extra Verdaux entries, as ld writes them. */
    public record VerDef(int index, int flags, String name, List<String> parents) {}

    /** One version needed from {@code file}. */
    public record VerNeedAux(String name, int flags, int index) {}

    public record VerNeed(String file, List<VerNeedAux> versions) {}

    private final boolean is64;
    private final ByteOrder order;
    private final int machine;
    private int fileType = ET_DYN;
    private int osAbi;
    private long flags;
    private int identVersion = 1;
    private String interpreter;
    private String soname;
    private final List<String> needed = new ArrayList<>();
    private final List<Sym> dynamicSymbols = new ArrayList<>();
    private final List<Sym> staticSymbols = new ArrayList<>();
    private final List<VerDef> definitions = new ArrayList<>();
    private final List<VerNeed> requirements = new ArrayList<>();
    private int[] versionTable;
    private final List<ExtraSection> extraSections = new ArrayList<>();
    private byte[] textContent;
    private byte[] buildId;
    private int[] abiTag;
    private Integer linuxVersionCode;
    /** Where the read-only segment is loaded: not 0, so that addresses and offsets differ. */
    private long loadBase = 0x10000;
    private final List<long[]> properties = new ArrayList<>();
    private HashStyle hashStyle = HashStyle.BOTH;
    private int sysvBuckets = 3;
    private int gnuBuckets = 3;
    private boolean sectionHeaders = true;
    private boolean escapeSectionCount;
    private boolean escapeNameIndex;
    private boolean escapeSegmentCount;
    private boolean escapeSymbolSections;
    private int fillerSections;
    private int fillerSegments;

    private ElfImageBuilder(boolean is64, ByteOrder order, int machine) {
        this.is64 = is64;
        this.order = order;
        this.machine = machine;
    }

    public static ElfImageBuilder of(boolean is64, ByteOrder order, int machine) {
        return new ElfImageBuilder(is64, order, machine);
    }

    /** The address of the first byte (as the old x86-64 vDSO's 0xffffffffff700000): top bit set allowed. */
    public ElfImageBuilder loadBase(long address) { this.loadBase = address; return this; }
    /** e_type; ET_DYN unless set. */
    public ElfImageBuilder fileType(int type) { this.fileType = type; return this; }
    /** EI_OSABI, which some BFD back-ends require (FreeBSD, HP-UX, FDPIC). */
    public ElfImageBuilder osAbi(int abi) { this.osAbi = abi; return this; }
    /** e_flags, which choose among the ABIs of one machine (MIPS n32, microMIPS, SPARC32PLUS). */
    public ElfImageBuilder flags(long value) { this.flags = value; return this; }
    /** EI_VERSION; anything but 1 makes BFD refuse the file. */
    public ElfImageBuilder identVersion(int version) { this.identVersion = version; return this; }
    public ElfImageBuilder interpreter(String path) { this.interpreter = path; return this; }
    public ElfImageBuilder soname(String name) { this.soname = name; return this; }
    public ElfImageBuilder needed(String... names) { needed.addAll(List.of(names)); return this; }
    public ElfImageBuilder dynamicSymbol(Sym s) { dynamicSymbols.add(s); return this; }
    public ElfImageBuilder staticSymbol(Sym s) { staticSymbols.add(s); return this; }
    public ElfImageBuilder definition(VerDef d) { definitions.add(d); return this; }
    public ElfImageBuilder requirement(VerNeed n) { requirements.add(n); return this; }
    /**
     * The .gnu.version entries of dynamic symbols 1.. in .dynsym order, written as given instead of
     * the symbols' own versions, and written even with no definitions or requirements: a table shorter
     * than .dynsym, or one naming versions that do not exist.
     */
    public ElfImageBuilder versionTable(int... entries) { this.versionTable = entries.clone(); return this; }
    public ElfImageBuilder extraSection(ExtraSection s) { extraSections.add(s); return this; }
    /** The bytes of .text (by default 0x200 bytes of 0xc3); its symbols' offsets must lie inside. */
    public ElfImageBuilder textContent(byte[] code) { this.textContent = code.clone(); return this; }
    public ElfImageBuilder buildId(byte[] id) { this.buildId = id.clone(); return this; }
    public ElfImageBuilder abiTag(int os, int major, int minor, int patch) {
        this.abiTag = new int[] {os, major, minor, patch};
        return this;
    }
    public ElfImageBuilder linuxVersionCode(int code) { this.linuxVersionCode = code; return this; }
    /** One GNU property with a 32-bit value, in a .note.gnu.property placed before the other notes. */
    public ElfImageBuilder gnuProperty(long type, int value) {
        properties.add(new long[] {type, value});
        return this;
    }
    public ElfImageBuilder hashStyle(HashStyle style) { this.hashStyle = style; return this; }
    public ElfImageBuilder sysvBuckets(int n) { this.sysvBuckets = n; return this; }
    public ElfImageBuilder gnuBuckets(int n) { this.gnuBuckets = n; return this; }
    /** No section header table at all: readers must go through the dynamic table. */
    public ElfImageBuilder withoutSectionHeaders() { this.sectionHeaders = false; return this; }
    /** e_shnum = 0, the count in section 0's sh_size (forced even when the count is small). */
    public ElfImageBuilder escapeSectionCount() { this.escapeSectionCount = true; return this; }
    /** e_shstrndx = SHN_XINDEX, the index in section 0's sh_link. */
    public ElfImageBuilder escapeNameIndex() { this.escapeNameIndex = true; return this; }
    /** e_phnum = PN_XNUM, the count in section 0's sh_info. */
    public ElfImageBuilder escapeSegmentCount() { this.escapeSegmentCount = true; return this; }
    /** Every defined symbol's st_shndx = SHN_XINDEX, the index in an SHT_SYMTAB_SHNDX section. */
    public ElfImageBuilder escapeSymbolSections() { this.escapeSymbolSections = true; return this; }
    /** Empty sections named .x0, .x1, ... placed before .shstrtab, to push indexes past SHN_LORESERVE. */
    public ElfImageBuilder fillerSections(int n) { this.fillerSections = n; return this; }
    /** PT_NULL program headers appended, to push the count to PN_XNUM and beyond. */
    public ElfImageBuilder fillerSegments(int n) { this.fillerSegments = n; return this; }

    /** A typical image: two defined versions, one requirement, defined/undefined/hidden symbols, notes. */
    public static ElfImageBuilder typical(boolean is64, ByteOrder order, int machine) {
        return of(is64, order, machine)
                .interpreter("/lib/ld-test.so.1")
                .soname("libtest.so.1")
                .needed("libc.so.6", "libm.so.6")
                .definition(new VerDef(1, VER_FLG_BASE, "libtest.so.1", List.of()))
                .definition(new VerDef(2, 0, "TEST_1.0", List.of()))
                .definition(new VerDef(3, 0, "TEST_2.0", List.of("TEST_1.0")))
                .requirement(new VerNeed("libc.so.6", List.of(new VerNeedAux("GLIBC_2.2", 0, 4),
                        new VerNeedAux("GLIBC_2.34", VER_FLG_WEAK, 5))))
                .requirement(new VerNeed("libm.so.6", List.of(new VerNeedAux("GLIBC_2.29", 0, 6))))
                .dynamicSymbol(new Sym("test_open", 0x100, 0x20, STT_FUNC, STB_GLOBAL, STV_DEFAULT, ".text", 0,
                        2, false))
                .dynamicSymbol(new Sym("test_open", 0x140, 0x18, STT_FUNC, STB_GLOBAL, STV_DEFAULT, ".text", 0,
                        3, false))
                .dynamicSymbol(new Sym("test_close", 0x180, 0x10, STT_FUNC, STB_WEAK, STV_DEFAULT, ".text", 0,
                        3, false))
                .dynamicSymbol(new Sym("test_old", 0x190, 0x8, STT_FUNC, STB_GLOBAL, STV_PROTECTED, ".text", 0,
                        2, true))
                .dynamicSymbol(new Sym("test_table", 0x1a0, 0x40, STT_OBJECT, STB_GLOBAL, STV_DEFAULT, ".text", 0, 1,
                        false))
                .dynamicSymbol(new Sym("TEST_1.0", 0, 0, STT_OBJECT, STB_GLOBAL, STV_DEFAULT, null, SHN_ABS, 2, false))
                .dynamicSymbol(new Sym("malloc", 0, 0, STT_FUNC, STB_GLOBAL, STV_DEFAULT, null, SHN_UNDEF, 4, false))
                .dynamicSymbol(new Sym("free", 0, 0, STT_FUNC, STB_GLOBAL, STV_DEFAULT, null, SHN_UNDEF, 5, false))
                .dynamicSymbol(new Sym("sin", 0, 0, STT_FUNC, STB_WEAK, STV_DEFAULT, null, SHN_UNDEF, 6, false))
                .staticSymbol(new Sym("test.c", 0, 0, STT_FILE, STB_LOCAL, STV_DEFAULT, null, SHN_ABS, 0, false))
                .staticSymbol(new Sym("helper", 0x1e0, 0xc, STT_FUNC, STB_LOCAL, STV_HIDDEN, ".text", 0, 0, false))
                .staticSymbol(new Sym("test_open", 0x140, 0x18, STT_FUNC, STB_GLOBAL, STV_DEFAULT, ".text", 0,
                        0, false))
                .staticSymbol(new Sym("test_table", 0x1a0, 0x40, STT_OBJECT, STB_GLOBAL, STV_DEFAULT, ".text", 0, 0,
                        false))
                .buildId(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                        10, 11, 12, 13, 14, 15, 16})
                .abiTag(0, 3, 2, 0)
                .linuxVersionCode(6 << 16 | 12 << 8 | 117);
    }

    /** A section being laid out. */
    private static final class Part {
        final String name;
        final int type;
        final long flags;
        final long align;
        final long entsize;
        byte[] content = new byte[0];
        long offset;
        long address;
        int index;
        String link;
        long info;
        boolean allocated;

        Part(String name, int type, long flags, long align, long entsize) {
            this.name = name;
            this.type = type;
            this.flags = flags;
            this.align = align;
            this.entsize = entsize;
            this.allocated = (flags & SHF_ALLOC) != 0;
        }
    }

    private static final int ET_DYN = 3;
    /** The read-write segment's addresses are shifted by this much more than the read-only one's. */
    private static final long DATA_SHIFT = 0x100000;

    public ElfImage build() {
        int word = is64 ? 8 : 4;
        int ehsize = is64 ? 64 : 52;
        int phentsize = is64 ? 56 : 32;
        int shentsize = is64 ? 64 : 40;
        int symentsize = is64 ? 24 : 16;
        int dynentsize = is64 ? 16 : 8;
        boolean gnuHash = hashStyle != HashStyle.SYSV;
        boolean sysvHash = hashStyle != HashStyle.GNU;

        List<Sym> dynsym = orderDynamicSymbols(gnuHash);
        List<Sym> symtab = new ArrayList<>(staticSymbols.stream().filter(s -> s.binding() == STB_LOCAL).toList());
        int firstGlobal = symtab.size() + 1;
        symtab.addAll(staticSymbols.stream().filter(s -> s.binding() != STB_LOCAL).toList());

        StringTable dynstr = new StringTable();
        if (soname != null) {
            dynstr.add(soname);
        }
        needed.forEach(dynstr::add);
        dynsym.forEach(s -> dynstr.add(s.name()));
        definitions.forEach(d -> {
            dynstr.add(d.name());
            d.parents().forEach(dynstr::add);
        });
        requirements.forEach(n -> {
            dynstr.add(n.file());
            n.versions().forEach(v -> dynstr.add(v.name()));
        });
        StringTable strtab = new StringTable();
        symtab.forEach(s -> strtab.add(s.name()));

        // Sections in index order.
        List<Part> parts = new ArrayList<>();
        parts.add(new Part("", SHT_NULL, 0, 0, 0));
        Part interp = interpreter == null ? null : add(parts, new Part(".interp", SHT_PROGBITS, SHF_ALLOC, 1, 0));
        List<Part> notes = new ArrayList<>();
        if (!properties.isEmpty()) {
            // Property arrays are padded to the word size, so this note is word-aligned (8 in ELF64).
            ByteBuffer desc = ByteBuffer.allocate(properties.size() * (8 + word)).order(order);
            for (long[] property : properties) {
                desc.putInt((int) property[0]).putInt(4).putInt((int) property[1]);
                desc.position(desc.position() + word - 4);
            }
            notes.add(addNote(parts, ".note.gnu.property", word, note("GNU", NT_GNU_PROPERTY_TYPE_0, desc.array())));
        }
        if (buildId != null) {
            notes.add(addNote(parts, ".note.gnu.build-id", 4, note("GNU", NT_GNU_BUILD_ID, buildId)));
        }
        if (abiTag != null) {
            ByteBuffer desc = ByteBuffer.allocate(16).order(order);
            for (int v : abiTag) {
                desc.putInt(v);
            }
            notes.add(addNote(parts, ".note.ABI-tag", 4, note("GNU", NT_GNU_ABI_TAG, desc.array())));
        }
        if (linuxVersionCode != null) {
            notes.add(addNote(parts, ".note.Linux", 4, note("Linux", LINUX_VERSION_CODE_NOTE,
                    ByteBuffer.allocate(4).order(order).putInt(linuxVersionCode).array())));
        }
        Part hash = sysvHash ? add(parts, new Part(".hash", SHT_HASH, SHF_ALLOC, word, hashWordSize())) : null;
        Part gnu = gnuHash ? add(parts, new Part(".gnu.hash", SHT_GNU_HASH, SHF_ALLOC, word, is64 ? 0 : 4)) : null;
        Part dynsymPart = add(parts, new Part(".dynsym", SHT_DYNSYM, SHF_ALLOC, word, symentsize));
        Part dynstrPart = add(parts, new Part(".dynstr", SHT_STRTAB, SHF_ALLOC, 1, 0));
        boolean versioned = !definitions.isEmpty() || !requirements.isEmpty() || versionTable != null;
        Part versym = versioned ? add(parts, new Part(".gnu.version", SHT_GNU_VERSYM, SHF_ALLOC, 2, 2)) : null;
        Part verdef = definitions.isEmpty() ? null
                : add(parts, new Part(".gnu.version_d", SHT_GNU_VERDEF, SHF_ALLOC, word, 0));
        Part verneed = requirements.isEmpty() ? null
                : add(parts, new Part(".gnu.version_r", SHT_GNU_VERNEED, SHF_ALLOC, word, 0));
        Part text = add(parts, new Part(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 16, 0));
        for (ExtraSection e : extraSections) {
            Part extra = add(parts, new Part(e.name(), e.type(), e.flags(), word, e.entsize()));
            extra.content = e.content();
            extra.link = e.link();
            extra.info = e.info();
        }
        Part dynamic = add(parts, new Part(".dynamic", SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, word, dynentsize));
        int firstNonAllocated = parts.size();
        Part symtabPart = null;
        Part strtabPart = null;
        if (sectionHeaders) {
            symtabPart = add(parts, new Part(".symtab", SHT_SYMTAB, 0, word, symentsize));
            strtabPart = add(parts, new Part(".strtab", SHT_STRTAB, 0, 1, 0));
        }
        for (int i = 0; i < fillerSections && sectionHeaders; i++) {
            add(parts, new Part(".x" + i, SHT_PROGBITS, 0, 1, 0));
        }
        Part shstrtab = sectionHeaders ? add(parts, new Part(".shstrtab", SHT_STRTAB, 0, 1, 0)) : null;
        for (int i = 0; i < parts.size(); i++) {
            parts.get(i).index = i;
        }
        Map<String, Integer> sectionIndex = new LinkedHashMap<>();
        parts.forEach(p -> sectionIndex.putIfAbsent(p.name, p.index));

        // Symbol section indexes need escaping when large, or when asked to.
        Part dynsymShndx = null;
        Part symtabShndx = null;
        if (sectionHeaders && needsEscape(dynsym, sectionIndex)) {
            dynsymShndx = insertBefore(parts, symtabPart, new Part(".dynsym_shndx", SHT_SYMTAB_SHNDX, 0, 4, 4));
        }
        if (sectionHeaders && needsEscape(symtab, sectionIndex)) {
            symtabShndx = insertBefore(parts, strtabPart, new Part(".symtab_shndx", SHT_SYMTAB_SHNDX, 0, 4, 4));
        }
        if (dynsymShndx != null || symtabShndx != null) {
            for (int i = 0; i < parts.size(); i++) {
                parts.get(i).index = i;
            }
            sectionIndex.clear();
            parts.forEach(p -> sectionIndex.putIfAbsent(p.name, p.index));
        }

        // Contents that do not depend on addresses.
        if (interp != null) {
            interp.content = (interpreter + "\0").getBytes(StandardCharsets.UTF_8);
        }
        if (hash != null) {
            hash.content = sysvHashTable(dynsym);
        }
        if (gnu != null) {
            gnu.content = gnuHashTable(dynsym);
        }
        dynsymPart.content = symbolTable(dynsym, dynstr, sectionIndex, dynsymShndx != null);
        dynstrPart.content = dynstr.bytes();
        if (versym != null) {
            int[] entries = versionTable != null ? versionTable
                    : dynsym.stream().mapToInt(s -> s.version() | (s.hidden() ? 0x8000 : 0)).toArray();
            ByteBuffer b = ByteBuffer.allocate(2 * (entries.length + 1)).order(order);
            b.putShort((short) 0);
            for (int entry : entries) {
                b.putShort((short) entry);
            }
            versym.content = b.array();
            versym.link = ".dynsym";
        }
        if (verdef != null) {
            verdef.content = verdefs(dynstr);
            verdef.link = ".dynstr";
            verdef.info = definitions.size();
        }
        if (verneed != null) {
            verneed.content = verneeds(dynstr);
            verneed.link = ".dynstr";
            verneed.info = requirements.size();
        }
        if (textContent != null) {
            text.content = textContent.clone();
        } else {
            text.content = new byte[0x200];
            for (int i = 0; i < text.content.length; i++) {
                text.content[i] = (byte) 0xc3;
            }
        }
        if (symtabPart != null) {
            symtabPart.content = symbolTable(symtab, strtab, sectionIndex, symtabShndx != null);
            symtabPart.link = ".strtab";
            symtabPart.info = firstGlobal;
            strtabPart.content = strtab.bytes();
        }
        if (dynsymShndx != null) {
            dynsymShndx.content = shndxTable(dynsym, sectionIndex);
            dynsymShndx.link = ".dynsym";
        }
        if (symtabShndx != null) {
            symtabShndx.content = shndxTable(symtab, sectionIndex);
            symtabShndx.link = ".symtab";
        }
        StringTable shnames = new StringTable();
        parts.forEach(p -> shnames.add(p.name));
        if (shstrtab != null) {
            shstrtab.content = shnames.bytes();
        }
        if (hash != null) {
            hash.link = ".dynsym";
        }
        if (gnu != null) {
            gnu.link = ".dynsym";
        }
        dynsymPart.link = ".dynstr";
        dynsymPart.info = 1 + dynsym.stream().filter(s -> s.binding() == STB_LOCAL).count();
        dynamic.link = ".dynstr";

        // Sized now, written after layout: most values are addresses.
        dynamic.content = new byte[dynamicEntries(dynstr, hash, gnu, dynstrPart, dynsymPart, versym, verdef, verneed)
                .size() * dynentsize];

        // Program headers.
        int phnum = 2 + (interp != null ? 1 : 0) + 1 + noteSegments(notes).size() + fillerSegments;

        // Layout.
        long at = ehsize;
        long phoff = align(at, word);
        at = phoff + (long) phnum * phentsize;
        for (int i = 1; i < firstNonAllocated; i++) {
            Part p = parts.get(i);
            if (p == dynamic) {
                at = align(at, 16);
            }
            at = align(at, Math.max(1, p.align));
            p.offset = at;
            p.address = (p == dynamic ? loadBase + DATA_SHIFT : loadBase) + at;
            at += p.content.length;
        }
        Part lastReadOnly = parts.get(parts.indexOf(dynamic) - 1);
        long readOnlyEnd = lastReadOnly.offset + lastReadOnly.content.length;
        for (int i = firstNonAllocated; i < parts.size(); i++) {
            Part p = parts.get(i);
            at = align(at, Math.max(1, p.align));
            p.offset = at;
            at += p.content.length;
        }
        long shoff = sectionHeaders ? align(at, word) : 0;
        long size = sectionHeaders ? shoff + (long) parts.size() * shentsize : at;

        List<long[]> dynEntries = dynamicEntries(dynstr, hash, gnu, dynstrPart, dynsymPart, versym, verdef, verneed);
        ByteBuffer dyn = ByteBuffer.wrap(dynamic.content).order(order);
        for (long[] e : dynEntries) {
            putWord(dyn, e[0]);
            putWord(dyn, e[1]);
        }

        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(order);
        for (Part p : parts) {
            if (p.content.length > 0) {
                out.put(Math.toIntExact(p.offset), p.content);
            }
        }

        // Section headers.
        long shnum = sectionHeaders ? parts.size() : 0;
        long shstrndx = shstrtab == null ? 0 : shstrtab.index;
        boolean countEscaped = sectionHeaders && (escapeSectionCount || shnum >= SHN_LORESERVE);
        boolean nameEscaped = sectionHeaders && (escapeNameIndex || shstrndx >= SHN_LORESERVE);
        boolean phnumEscaped = sectionHeaders && (escapeSegmentCount || phnum >= PN_XNUM);
        if (phnum >= PN_XNUM && !sectionHeaders) {
            throw new IllegalStateException("PN_XNUM needs section header 0");
        }
        if (sectionHeaders) {
            for (Part p : parts) {
                ByteBuffer sh = out.slice(Math.toIntExact(shoff + (long) p.index * shentsize), shentsize).order(order);
                long shSize = p.content.length;
                long link = p.link == null ? 0 : sectionIndex.get(p.link);
                long info = p.info;
                if (p.index == 0) {
                    shSize = countEscaped ? shnum : 0;
                    link = nameEscaped ? shstrndx : 0;
                    info = phnumEscaped ? phnum : 0;
                }
                sh.putInt(shnames.offset(p.name)).putInt(p.type);
                putWord(sh, p.flags);
                putWord(sh, p.allocated ? p.address : 0);
                putWord(sh, p.index == 0 ? 0 : p.offset);
                putWord(sh, shSize);
                sh.putInt((int) link).putInt((int) info);
                putWord(sh, p.align);
                putWord(sh, p.entsize);
            }
        }

        // Program headers.
        List<long[]> segments = new ArrayList<>();
        if (interp != null) {
            segments.add(new long[] {PT_INTERP, 4, interp.offset, interp.address, interp.content.length,
                    interp.content.length, 1});
        }
        segments.add(new long[] {PT_LOAD, 4 | 1, 0, loadBase, readOnlyEnd, readOnlyEnd, 0x1000});
        segments.add(new long[] {PT_LOAD, 4 | 2, dynamic.offset, dynamic.address, dynamic.content.length,
                dynamic.content.length, 0x1000});
        segments.add(new long[] {PT_DYNAMIC, 4 | 2, dynamic.offset, dynamic.address, dynamic.content.length,
                dynamic.content.length, word});
        for (List<Part> group : noteSegments(notes)) {
            Part first = group.getFirst();
            Part last = group.getLast();
            long length = last.offset + last.content.length - first.offset;
            segments.add(new long[] {PT_NOTE, 4, first.offset, first.address, length, length, first.align});
        }
        for (int i = 0; i < fillerSegments; i++) {
            segments.add(new long[] {PT_NULL, 0, 0, 0, 0, 0, 0});
        }
        for (int i = 0; i < segments.size(); i++) {
            long[] s = segments.get(i);
            ByteBuffer ph = out.slice(Math.toIntExact(phoff + (long) i * phentsize), phentsize).order(order);
            if (is64) {
                ph.putInt((int) s[0]).putInt((int) s[1]).putLong(s[2]).putLong(s[3]).putLong(s[3]).putLong(s[4])
                        .putLong(s[5]).putLong(s[6]);
            } else {
                ph.putInt((int) s[0]).putInt((int) s[2]).putInt((int) s[3]).putInt((int) s[3]).putInt((int) s[4])
                        .putInt((int) s[5]).putInt((int) s[1]).putInt((int) s[6]);
            }
        }

        // File header.
        ByteBuffer eh = out.slice(0, ehsize).order(order);
        eh.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1),
                (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2), (byte) identVersion, (byte) osAbi, 0, 0, 0, 0, 0,
                0, 0, 0});
        eh.putShort((short) fileType).putShort((short) machine).putInt(1);
        putWord(eh, 0);
        putWord(eh, phoff);
        putWord(eh, shoff);
        eh.putInt((int) flags).putShort((short) ehsize).putShort((short) phentsize)
                .putShort((short) (phnumEscaped ? PN_XNUM : phnum)).putShort((short) (sectionHeaders ? shentsize : 0))
                .putShort((short) (countEscaped ? 0 : shnum)).putShort((short) (nameEscaped ? SHN_XINDEX : shstrndx));

        Map<String, ElfImage.Placed> placed = new LinkedHashMap<>();
        for (Part p : parts) {
            if (sectionHeaders || p.allocated) {
                placed.putIfAbsent(p.name, new ElfImage.Placed(p.index, p.offset, p.content.length, p.address,
                        p.type));
            }
        }
        return new ElfImage(out.array(), order, is64, machine, phoff, phnum, shoff, sectionHeaders ? parts.size() : 0,
                placed, List.copyOf(dynsym), List.copyOf(symtab), List.copyOf(definitions),
                List.copyOf(requirements), List.copyOf(needed), soname, interpreter, buildId, abiTag,
                linuxVersionCode, dynEntries.stream().map(e -> new ElfImage.DynEntry(e[0], e[1])).toList());
    }

    /** The dynamic table as {tag, value} pairs, DT_NULL last; addresses are those laid out so far. */
    private List<long[]> dynamicEntries(StringTable dynstr, Part hash, Part gnu, Part dynstrPart, Part dynsymPart,
            Part versym, Part verdef, Part verneed) {
        List<long[]> entries = new ArrayList<>();
        needed.forEach(n -> entries.add(new long[] {DT_NEEDED, dynstr.offset(n)}));
        if (soname != null) {
            entries.add(new long[] {DT_SONAME, dynstr.offset(soname)});
        }
        if (hash != null) {
            entries.add(new long[] {DT_HASH, hash.address});
        }
        if (gnu != null) {
            entries.add(new long[] {DT_GNU_HASH, gnu.address});
        }
        entries.add(new long[] {DT_STRTAB, dynstrPart.address});
        entries.add(new long[] {DT_SYMTAB, dynsymPart.address});
        entries.add(new long[] {DT_STRSZ, dynstrPart.content.length});
        entries.add(new long[] {DT_SYMENT, is64 ? 24 : 16});
        if (versym != null) {
            entries.add(new long[] {DT_VERSYM, versym.address});
        }
        if (verdef != null) {
            entries.add(new long[] {DT_VERDEF, verdef.address});
            entries.add(new long[] {DT_VERDEFNUM, definitions.size()});
        }
        if (verneed != null) {
            entries.add(new long[] {DT_VERNEED, verneed.address});
            entries.add(new long[] {DT_VERNEEDNUM, requirements.size()});
        }
        entries.add(new long[] {DT_NULL, 0});
        return entries;
    }

    private static Part add(List<Part> parts, Part p) {
        parts.add(p);
        return p;
    }

    /** Runs of notes with the same alignment, one PT_NOTE each, as ld makes them. */
    private static List<List<Part>> noteSegments(List<Part> notes) {
        List<List<Part>> groups = new ArrayList<>();
        for (Part note : notes) {
            if (groups.isEmpty() || groups.getLast().getFirst().align != note.align) {
                groups.add(new ArrayList<>());
            }
            groups.getLast().add(note);
        }
        return groups;
    }

    private static Part addNote(List<Part> parts, String name, int align, byte[] content) {
        Part note = add(parts, new Part(name, SHT_NOTE, SHF_ALLOC, align, 0));
        note.content = content;
        return note;
    }

    private static Part insertBefore(List<Part> parts, Part before, Part p) {
        parts.add(parts.indexOf(before), p);
        return p;
    }

    private boolean needsEscape(List<Sym> symbols, Map<String, Integer> sectionIndex) {
        for (Sym s : symbols) {
            if (s.section() != null && (escapeSymbolSections || sectionIndex.get(s.section()) >= SHN_LORESERVE)) {
                return true;
            }
        }
        return false;
    }

    private int hashWordSize() {
        return is64 && (machine == EM_S390 || machine == EM_ALPHA) ? 8 : 4;
    }

    /**
     * For a GNU hash, undefined symbols first and the defined ones, which it covers, grouped by bucket;
     * without one, the order they were added in (a SysV hash chains any order).
     */
    private List<Sym> orderDynamicSymbols(boolean gnuHash) {
        if (!gnuHash) {
            return new ArrayList<>(dynamicSymbols);
        }
        List<Sym> ordered = new ArrayList<>(dynamicSymbols.stream().filter(Sym::undefined).toList());
        List<Sym> defined = new ArrayList<>(dynamicSymbols.stream().filter(s -> !s.undefined()).toList());
        defined.sort(Comparator.comparingLong(s -> gnuHash(s.name()) % gnuBuckets));
        ordered.addAll(defined);
        return ordered;
    }

    private int symbolSection(Sym s, Map<String, Integer> sectionIndex) {
        if (s.section() == null) {
            return s.shndx();
        }
        Integer index = sectionIndex.get(s.section());
        if (index == null) {
            throw new IllegalArgumentException("no section " + s.section());
        }
        return index;
    }

    private byte[] symbolTable(List<Sym> symbols, StringTable strings, Map<String, Integer> sectionIndex,
            boolean escaped) {
        ByteBuffer b = ByteBuffer.allocate((symbols.size() + 1) * (is64 ? 24 : 16)).order(order);
        b.position(is64 ? 24 : 16);
        for (Sym s : symbols) {
            int index = symbolSection(s, sectionIndex);
            boolean escape = escaped && s.section() != null && (escapeSymbolSections || index >= SHN_LORESERVE);
            short shndx = (short) (escape ? SHN_XINDEX : index);
            if (is64) {
                b.putInt(strings.offset(s.name())).put((byte) s.info()).put((byte) s.other()).putShort(shndx)
                        .putLong(s.value()).putLong(s.size());
            } else {
                b.putInt(strings.offset(s.name())).putInt((int) s.value()).putInt((int) s.size())
                        .put((byte) s.info()).put((byte) s.other()).putShort(shndx);
            }
        }
        return b.array();
    }

    /** SHT_SYMTAB_SHNDX: one word per symbol, the real index where st_shndx says SHN_XINDEX, else 0. */
    private byte[] shndxTable(List<Sym> symbols, Map<String, Integer> sectionIndex) {
        ByteBuffer b = ByteBuffer.allocate(4 * (symbols.size() + 1)).order(order);
        b.putInt(0);
        for (Sym s : symbols) {
            b.putInt(s.section() != null ? symbolSection(s, sectionIndex) : 0);
        }
        return b.array();
    }

    private byte[] sysvHashTable(List<Sym> symbols) {
        int nchain = symbols.size() + 1;
        long[] buckets = new long[sysvBuckets];
        long[] chains = new long[nchain];
        for (int i = 1; i < nchain; i++) {
            int b = (int) (elfHash(symbols.get(i - 1).name()) % sysvBuckets);
            chains[i] = buckets[b];
            buckets[b] = i;
        }
        int w = hashWordSize();
        ByteBuffer out = ByteBuffer.allocate(w * (2 + sysvBuckets + nchain)).order(order);
        putHashWord(out, sysvBuckets, w);
        putHashWord(out, nchain, w);
        for (long v : buckets) {
            putHashWord(out, v, w);
        }
        for (long v : chains) {
            putHashWord(out, v, w);
        }
        return out.array();
    }

    private static void putHashWord(ByteBuffer out, long v, int width) {
        if (width == 8) {
            out.putLong(v);
        } else {
            out.putInt((int) v);
        }
    }

    private byte[] gnuHashTable(List<Sym> symbols) {
        int symoffset = 1 + (int) symbols.stream().filter(Sym::undefined).count();
        int bloomBits = is64 ? 64 : 32;
        int bloomShift = is64 ? 6 : 5;
        int bloomSize = 2;
        long[] bloom = new long[bloomSize];
        long[] buckets = new long[gnuBuckets];
        int hashed = symbols.size() + 1 - symoffset;
        long[] chains = new long[hashed];
        for (int i = 0; i < hashed; i++) {
            long h = gnuHash(symbols.get(symoffset - 1 + i).name());
            bloom[(int) ((h / bloomBits) % bloomSize)] |= 1L << (h % bloomBits) | 1L << ((h >>> bloomShift) % bloomBits);
            int b = (int) (h % gnuBuckets);
            if (buckets[b] == 0) {
                buckets[b] = symoffset + i;
            }
            boolean last = i == hashed - 1 || gnuHash(symbols.get(symoffset + i).name()) % gnuBuckets != b;
            chains[i] = (h & ~1L) | (last ? 1 : 0);
        }
        ByteBuffer out = ByteBuffer.allocate(16 + bloomSize * (bloomBits / 8) + 4 * gnuBuckets + 4 * hashed)
                .order(order);
        out.putInt(gnuBuckets).putInt(symoffset).putInt(bloomSize).putInt(bloomShift);
        for (long w : bloom) {
            putHashWord(out, w, bloomBits / 8);
        }
        for (long v : buckets) {
            out.putInt((int) v);
        }
        for (long v : chains) {
            out.putInt((int) v);
        }
        return out.array();
    }

    private byte[] verdefs(StringTable dynstr) {
        int size = 0;
        for (VerDef d : definitions) {
            size += 20 + 8 * (1 + d.parents().size());
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(order);
        for (int i = 0; i < definitions.size(); i++) {
            VerDef d = definitions.get(i);
            int count = 1 + d.parents().size();
            boolean last = i == definitions.size() - 1;
            b.putShort((short) 1).putShort((short) d.flags()).putShort((short) d.index()).putShort((short) count)
                    .putInt((int) elfHash(d.name())).putInt(20).putInt(last ? 0 : 20 + 8 * count);
            List<String> names = new ArrayList<>();
            names.add(d.name());
            names.addAll(d.parents());
            for (int j = 0; j < names.size(); j++) {
                b.putInt(dynstr.offset(names.get(j))).putInt(j == names.size() - 1 ? 0 : 8);
            }
        }
        return b.array();
    }

    private byte[] verneeds(StringTable dynstr) {
        int size = 0;
        for (VerNeed n : requirements) {
            size += 16 + 16 * n.versions().size();
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(order);
        for (int i = 0; i < requirements.size(); i++) {
            VerNeed n = requirements.get(i);
            boolean last = i == requirements.size() - 1;
            b.putShort((short) 1).putShort((short) n.versions().size()).putInt(dynstr.offset(n.file())).putInt(16)
                    .putInt(last ? 0 : 16 + 16 * n.versions().size());
            for (int j = 0; j < n.versions().size(); j++) {
                VerNeedAux v = n.versions().get(j);
                b.putInt((int) elfHash(v.name())).putShort((short) v.flags()).putShort((short) v.index())
                        .putInt(dynstr.offset(v.name())).putInt(j == n.versions().size() - 1 ? 0 : 16);
            }
        }
        return b.array();
    }

    private byte[] note(String owner, long type, byte[] desc) {
        byte[] name = (owner + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(12 + (int) align(name.length, 4) + (int) align(desc.length, 4)).order(order);
        b.putInt(name.length).putInt(desc.length).putInt((int) type).put(name);
        b.position(12 + (int) align(name.length, 4));
        b.put(desc);
        return b.array();
    }

    private void putWord(ByteBuffer b, long v) {
        if (is64) {
            b.putLong(v);
        } else {
            b.putInt((int) v);
        }
    }

    static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }

    /** The System V ABI's ELF hash, written from the gABI text. */
    public static long elfHash(String name) {
        long h = 0;
        for (byte c : name.getBytes(StandardCharsets.UTF_8)) {
            h = ((h << 4) + (c & 0xff)) & 0xffffffffL;
            long high = h & 0xf0000000L;
            if (high != 0) {
                h ^= high >>> 24;
            }
            h &= ~high & 0xffffffffL;
        }
        return h;
    }

    /** The GNU hash: h = h * 33 + c from 5381, in 32 bits. */
    public static long gnuHash(String name) {
        long h = 5381;
        for (byte c : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h * 33 + (c & 0xff)) & 0xffffffffL;
        }
        return h;
    }

    /** A string table that stores each distinct string once, offset 0 being the empty string. */
    private static final class StringTable {
        private final Map<String, Integer> offsets = new LinkedHashMap<>();
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        StringTable() {
            offsets.put("", 0);
            bytes.write(0);
        }

        void add(String s) {
            if (!offsets.containsKey(s)) {
                offsets.put(s, bytes.size());
                bytes.writeBytes(s.getBytes(StandardCharsets.UTF_8));
                bytes.write(0);
            }
        }

        int offset(String s) {
            Integer at = offsets.get(s);
            if (at == null) {
                throw new IllegalArgumentException("string not in table: " + s);
            }
            return at;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
