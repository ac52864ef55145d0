package dev.vdsoscope.elf;

import static dev.vdsoscope.elf.raw.RawLayouts.EI_ABIVERSION;
import static dev.vdsoscope.elf.raw.RawLayouts.EI_CLASS;
import static dev.vdsoscope.elf.raw.RawLayouts.EI_DATA;
import static dev.vdsoscope.elf.raw.RawLayouts.EI_NIDENT;
import static dev.vdsoscope.elf.raw.RawLayouts.EI_OSABI;
import static dev.vdsoscope.elf.raw.RawLayouts.EI_VERSION;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.vdsoscope.elf.raw.Ehdr;
import dev.vdsoscope.elf.raw.Phdr;
import dev.vdsoscope.elf.raw.RawLayouts;
import dev.vdsoscope.elf.raw.RawStruct;
import dev.vdsoscope.elf.raw.Shdr;


/**
 * One ELF image, read lazily in place. The same code reads a memory-mapped file and an image that is
 * already in memory (the vDSO of this process, or bytes copied out of another one): nothing is copied
 * and each structure is parsed when first asked for. Every offset and count is checked against the
 * image before use, so a hostile file yields an {@link ElfFormatException} naming the offset rather
 * than an allocation or loop sized by the attacker.
 */
public final class ElfFile implements AutoCloseable {
    private static final int MAX_WARNINGS = 64;
    private static final byte[] MAGIC = {0x7f, 'E', 'L', 'F'};
    /**
     * The size of the file buffer of {@link ScratchBuffers}: larger than most programs and libraries,
     * which are read, while the large libraries, of which a batch reads only the headers and tables,
     * are mapped. (512 KB rather than 128: ldd over /usr/bin spent 10 ms less CPU, the mapping's
     * page faults and its FFM code paths costing more than the copy; symbols over 883 libraries was
     * unchanged.)
     */
    public static final int SMALL_FILE = 512 * 1024;

    private final String name;
    private final ElfInput in;
    private final ElfHeader header;
    private final Arena arena;
    /** The file when it is read on demand ({@link #openPartly}), closed with this; else null. */
    private final FileChunks chunks;
    private final Set<String> warnings = new LinkedHashSet<>();
    /** Closing twice is a no-op: a batch reader closes what its caller may close too. */
    private boolean closed;

    private List<ProgramHeader> segments;
    private List<Section> sections;
    private Optional<DynamicTable> dynamic;
    private Optional<SymbolTable> dynamicSymbols;
    private Optional<SymbolTable> staticSymbols;
    private SymbolVersions versions;
    private Optional<HashTable> hashTable;

    /** The image is {@code segment}, else {@code buffer} (from 0 to its limit), else {@code chunks}. */
    private ElfFile(String name, MemorySegment segment, ByteBuffer buffer, FileChunks chunks, Arena arena,
            ScratchBuffers scratch) {
        this.name = name;
        this.arena = arena;
        this.chunks = chunks;
        long size = segment != null ? segment.byteSize() : buffer != null ? buffer.limit() : chunks.size();
        ByteBuffer ident;
        if (segment != null) {
            ident = segment.asSlice(0, Math.min(size, EI_NIDENT)).asByteBuffer();
        } else if (buffer != null) {
            ident = buffer;
        } else {
            byte[] head = new byte[(int) Math.min(size, EI_NIDENT)];
            chunks.copy(0, head, 0, head.length);
            ident = ByteBuffer.wrap(head);
        }
        if (size == 0) {
            throw new ElfFormatException(ElfFormatException.Kind.EMPTY, "empty file", -1);
        }
        if (size < 4 || !startsWithMagic(ident)) {
            throw new ElfFormatException(ElfFormatException.Kind.NOT_ELF, "not an ELF file (no \\177ELF magic)", 0);
        }
        if (size < EI_NIDENT) {
            throw new ElfFormatException(ElfFormatException.Kind.BAD_IDENTIFICATION, "truncated ELF identification", 0);
        }
        ElfClass elfClass = ElfClass.of(ident.get(EI_CLASS));
        if (elfClass == null) {
            throw new ElfFormatException(ElfFormatException.Kind.BAD_IDENTIFICATION, "invalid ELF class " + ident.get(EI_CLASS), EI_CLASS);
        }
        ElfData data = ElfData.of(ident.get(EI_DATA));
        if (data == null) {
            throw new ElfFormatException(ElfFormatException.Kind.BAD_IDENTIFICATION, "invalid ELF byte order " + ident.get(EI_DATA), EI_DATA);
        }
        this.in = segment != null ? new ElfInput(segment, data.order(), scratch)
                : buffer != null ? new ElfInput(buffer, data.order(), scratch)
                : new ElfInput(chunks, data.order(), scratch);
        if (scratch != null) {
            scratch.serve(in);
        }
        this.header = readHeader(elfClass, data);
    }

    /** Reads an image that is already in memory; the caller keeps the memory alive. */
    public static ElfFile of(String name, MemorySegment image) {
        return new ElfFile(name, image, null, null, null, null);
    }

    /** Reads an image held in a buffer, from its position to its limit. */
    public static ElfFile of(String name, ByteBuffer image) {
        return new ElfFile(name, null, image.slice(), null, null, null);
    }

    /**
     * Maps a file read-only. Refuses what is not a regular file (a directory, a FIFO, /dev/zero) so
     * that nothing blocks or reads without end.
     */
    public static ElfFile open(Path path) throws IOException {
        return open(path, Files.readAttributes(path, BasicFileAttributes.class), false, null);
    }

    /**
     * For batches that read one file after another on one thread: a regular file of at most
     * {@link #SMALL_FILE} bytes is {@linkplain #read read} into the scratch buffers (null for none),
     * since one copy costs less than mapping a small file, faulting its pages in and unmapping it (which
     * makes the kernel flush the other CPUs' TLBs). Anything else, and a small file that does not read
     * as ELF, is mapped (into a confined arena: closing it needs no handshake with other threads), so that
     * every error is said in the mapping's words.
     * Either way the file's tables are copied into the scratch buffers' arrays: the file and what is
     * read from it last until the buffers are used for the next file.
     */
    static ElfFile openConfined(Path path, BasicFileAttributes attributes, ScratchBuffers scratch)
            throws IOException {
        if (scratch != null && attributes.isRegularFile() && attributes.size() <= scratch.file().capacity()) {
            try {
                return read(path, attributes, scratch);
            } catch (IOException | ElfFormatException e) {
                // Said again by the mapping: a file that cannot be read whole (sysfs) may still map.
            }
        }
        return open(path, attributes, true, scratch);
    }

    /**
     * For readers that need a few tables of each file (the loader: headers, the dynamic table, some
     * strings): a regular file of at most {@link #SMALL_FILE} bytes is {@linkplain #read read} into
     * the scratch buffers, a larger one (up to 2 GiB) is read on demand, 16 KB at a time, and is
     * never mapped. Reading the few chunks needed costs less than mapping the file, and the first
     * mapping of a run starts the JDK's FFM machinery (3 ms). Anything else is
     * {@linkplain #openConfined mapped}. What is read lasts until the buffers are used for the next
     * file; the file stays open until this is closed. For one thread; and what needs the whole image
     * as a segment ({@link #contents}, notes) reads the whole file onto the heap.
     */
    static ElfFile openPartly(Path path, BasicFileAttributes attributes, ScratchBuffers scratch)
            throws IOException {
        if (!attributes.isRegularFile() || attributes.size() <= SMALL_FILE
                || attributes.size() > ElfInput.MAX_VIEW) {
            return openConfined(path, attributes, scratch);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            if (scratch != null) {
                scratch.startFile();
            }
            FileChunks chunks = new FileChunks(channel, attributes.size());
            return new ElfFile(path.toString(), null, null, chunks, null, scratch);
        } catch (RuntimeException | Error e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Reads a regular file of at most {@link #SMALL_FILE} bytes whole into the scratch buffers, and
     * returns the image there: it lasts until the buffers are used for the next file. Reads as many
     * bytes as the attributes say, as a mapping would (a file that grew since is read up to that size).
     */
    static ElfFile read(Path path, BasicFileAttributes attributes, ScratchBuffers scratch) throws IOException {
        ByteBuffer into = scratch.file();
        if (!attributes.isRegularFile() || attributes.size() > into.capacity()) {
            throw new IllegalArgumentException(path + " is not a regular file of at most " + into.capacity()
                    + " bytes");
        }
        scratch.startFile();
        into.clear().limit((int) attributes.size());
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (into.hasRemaining() && channel.read(into) >= 0) {
                // Until the size looked up, or the end of a file that shrank.
            }
        }
        int length = into.position();
        // Kept a buffer, not made a segment: see ElfInput.
        return new ElfFile(path.toString(), null, into.slice(0, length), null, null, scratch);
    }

    private static ElfFile open(Path path, BasicFileAttributes attributes, boolean confined, ScratchBuffers scratch)
            throws IOException {
        if (attributes.isDirectory()) {
            throw new ElfFormatException(ElfFormatException.Kind.NOT_A_FILE, "is a directory", -1);
        }
        if (!attributes.isRegularFile()) {
            throw new ElfFormatException(ElfFormatException.Kind.NOT_A_FILE, "not a regular file", -1);
        }
        Arena arena = confined ? Arena.ofConfined() : Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment image = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            if (scratch != null) {
                scratch.startFile();
            }
            return new ElfFile(path.toString(), image, null, null, arena, scratch);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Whether the segment starts with the ELF magic; cheap, for sorting ELF from other files. Read
     * through a ByteBuffer, as {@link ElfInput} reads: a segment read goes through a VarHandle, whose
     * method-handle chain the JVM spins on first use, milliseconds of start-up for four bytes.
     */
    public static boolean startsWithMagic(MemorySegment bytes) {
        return bytes.byteSize() >= MAGIC.length && startsWithMagic(bytes.asSlice(0, MAGIC.length).asByteBuffer());
    }

    private static boolean startsWithMagic(ByteBuffer head) {
        if (head.limit() < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head.get(i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (arena != null) {
            arena.close();
        }
        if (chunks != null) {
            try {
                chunks.close();
            } catch (IOException e) {
                // Read-only: nothing was left unwritten.
            }
        }
    }

    /** The name used in messages: a path, "pid 123 [vdso]", or "[vdso]". */
    public String name() {
        return name;
    }

    public ElfInput input() {
        return in;
    }

    public ElfHeader header() {
        return header;
    }

    public Machine machine() {
        return header.machine();
    }

    public ByteOrder byteOrder() {
        return in.order();
    }

    /**
     * The layout of this file's class: {@code elf32} or {@code elf64}. For the library's own readers
     * (compat, loader): the layouts of elf.raw are not exported, their widths are no promise to users.
     */
    @SuppressWarnings("exports")
    public <T extends RawStruct> T struct(T elf32, T elf64) {
        return header.is64() ? elf64 : elf32;
    }

    /** Problems that did not stop the reading but make some answer partial; shown as warnings. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Records a warning; bounded, since a hostile file could otherwise produce one per entry. */
    void warn(String warning) {
        if (warnings.size() < MAX_WARNINGS) {
            warnings.add(warning);
        }
    }

    private ElfHeader readHeader(ElfClass elfClass, ElfData data) {
        Ehdr eh = elfClass == ElfClass.ELFCLASS64 ? RawLayouts.ELF64_EHDR : RawLayouts.ELF32_EHDR;
        in.require(0, eh.size(), "ELF header");
        int ePhnum = (int) in.field(0, eh.e_phnum);
        int eShnum = (int) in.field(0, eh.e_shnum);
        int eShstrndx = (int) in.field(0, eh.e_shstrndx);
        long shoff = in.field(0, eh.e_shoff);
        int shentsize = (int) in.field(0, eh.e_shentsize);
        long phnum = ePhnum;
        long shnum = eShnum;
        long shstrndx = eShstrndx;
        // The escapes keep their real values in section header 0 (gABI "Extended Section Numbering").
        boolean escaped = ePhnum == SectionIndex.PN_XNUM || eShstrndx == SectionIndex.SHN_XINDEX
                || (eShnum == 0 && shoff != 0);
        Shdr sh = elfClass == ElfClass.ELFCLASS64 ? RawLayouts.ELF64_SHDR : RawLayouts.ELF32_SHDR;
        if (escaped && shoff != 0 && (shentsize < sh.size() || !in.contains(shoff, sh.size()))) {
            // The real counts are lost; the raw fields stand (as file(1) and readelf read them), so
            // that the header and whatever else can be read are still shown.
            warn("extended numbering needs section header 0, which is missing (at offset 0x"
                    + Long.toHexString(shoff) + "): the header's raw counts are used");
        } else if (escaped && shoff != 0) {
            if (eShnum == 0) {
                shnum = in.field(shoff, sh.sh_size);
            }
            if (ePhnum == SectionIndex.PN_XNUM) {
                phnum = in.field(shoff, sh.sh_info);
            }
            if (eShstrndx == SectionIndex.SHN_XINDEX) {
                shstrndx = in.field(shoff, sh.sh_link);
            }
        }
        return new ElfHeader(elfClass, data, in.u8(EI_VERSION), new OsAbi(in.u8(EI_OSABI)),
                in.u8(EI_ABIVERSION), new ElfType(in.field(0, eh.e_type)),
                new Machine(in.field(0, eh.e_machine)), in.field(0, eh.e_version),
                in.field(0, eh.e_entry), in.field(0, eh.e_phoff), shoff,
                in.field(0, eh.e_flags), (int) in.field(0, eh.e_ehsize),
                (int) in.field(0, eh.e_phentsize), phnum, shentsize, shnum, shstrndx,
                ePhnum, eShnum, eShstrndx);
    }

    /** The program headers; an empty list when there are none. */
    public List<ProgramHeader> segments() {
        if (segments == null) {
            segments = readSegments();
        }
        return segments;
    }

    private List<ProgramHeader> readSegments() {
        if (header.phnum() == 0 || header.phoff() == 0) {
            return List.of();
        }
        Phdr ph = struct(RawLayouts.ELF32_PHDR, RawLayouts.ELF64_PHDR);
        long stride = header.phentsize();
        if (stride < ph.size()) {
            throw new ElfFormatException("program header size " + stride + " is smaller than "
                    + ph.name() + " (" + ph.size() + ")", ehdr().e_phentsize.offset());
        }
        in.requireTable(header.phoff(), header.phnum(), stride, "program header table");
        List<ProgramHeader> list = new ArrayList<>((int) header.phnum());
        RawStruct.Field pType = ph.p_type, pFlags = ph.p_flags, pOffset = ph.p_offset,
                pVaddr = ph.p_vaddr, pPaddr = ph.p_paddr, pFilesz = ph.p_filesz,
                pMemsz = ph.p_memsz, pAlign = ph.p_align;
        for (int i = 0; i < header.phnum(); i++) {
            long at = header.phoff() + i * stride;
            list.add(new ProgramHeader(i, at, new SegmentType(in.field(at, pType)), in.field(at, pFlags),
                    in.field(at, pOffset), in.field(at, pVaddr), in.field(at, pPaddr), in.field(at, pFilesz),
                    in.field(at, pMemsz), in.field(at, pAlign)));
        }
        return List.copyOf(list);
    }

    /** The file header's layout for this file's class. */
    private Ehdr ehdr() {
        return struct(RawLayouts.ELF32_EHDR, RawLayouts.ELF64_EHDR);
    }

    /** The section headers (index 0 included); an empty list when the file has none. */
    public List<Section> sections() {
        if (sections == null) {
            sections = readSections();
        }
        return sections;
    }

    private List<Section> readSections() {
        if (header.shnum() == 0 || header.shoff() == 0) {
            return List.of();
        }
        Shdr sh = struct(RawLayouts.ELF32_SHDR, RawLayouts.ELF64_SHDR);
        long stride = header.shentsize();
        if (stride < sh.size()) {
            throw new ElfFormatException("section header size " + stride + " is smaller than "
                    + sh.name() + " (" + sh.size() + ")", ehdr().e_shentsize.offset());
        }
        in.requireTable(header.shoff(), header.shnum(), stride, "section header table");
        int count = (int) header.shnum();
        // The fields are looked up once, not once per header: a batch reads millions of headers.
        RawStruct.Field shName = sh.sh_name, shType = sh.sh_type, shFlags = sh.sh_flags,
                shAddr = sh.sh_addr, shOffset = sh.sh_offset, shSize = sh.sh_size,
                shLink = sh.sh_link, shInfo = sh.sh_info, shAddralign = sh.sh_addralign,
                shEntsize = sh.sh_entsize;
        // The section name table, read first so that each header is read once; -1 when there is none.
        long namesStart = -1;
        long namesEnd = -1;
        if (header.shstrndx() != SectionIndex.SHN_UNDEF) { // else the gABI's "no section name string table"
            long at = header.shoff() + header.shstrndx() * stride;
            long offset = header.shstrndx() < count ? in.field(at, shOffset) : -1;
            long size = header.shstrndx() < count ? in.field(at, shSize) : -1;
            if (offset >= 0 && in.contains(offset, size)) {
                namesStart = offset;
                namesEnd = offset + size;
            } else {
                warn("section name table (index " + header.shstrndx() + ") is missing or out of range");
            }
        }
        List<Section> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long at = header.shoff() + i * stride;
            String sectionName = "";
            if (namesStart >= 0) {
                try {
                    sectionName = in.cString(namesStart + in.field(at, shName), namesEnd, "section name");
                } catch (ElfFormatException e) {
                    warn(e.getMessage() + " (section " + i + ")");
                }
            }
            list.add(new Section(i, sectionName, new SectionType(in.field(at, shType)), in.field(at, shFlags),
                    in.field(at, shAddr), in.field(at, shOffset), in.field(at, shSize), in.field(at, shLink),
                    in.field(at, shInfo), in.field(at, shAddralign), in.field(at, shEntsize)));
        }
        return List.copyOf(list);
    }

    /**
     * The raw bytes of a section's name, undecoded (section names are bytes; {@link Section#name()}
     * decodes them as UTF-8), or null when the name cannot be read.
     */
    public byte[] sectionNameBytes(int index) {
        List<Section> list = sections();
        if (index < 0 || index >= list.size() || header.shstrndx() >= list.size()) {
            return null;
        }
        Section names = list.get((int) header.shstrndx());
        Shdr sh = struct(RawLayouts.ELF32_SHDR, RawLayouts.ELF64_SHDR);
        long nameOffset = in.field(header.shoff() + (long) index * header.shentsize(), sh.sh_name);
        long end = names.offset() + names.size();
        byte[] bytes = new byte[64];
        int length = in.copyCString(names.offset() + nameOffset, end, bytes, 0);
        if (length > bytes.length) {
            bytes = new byte[length];
            length = in.copyCString(names.offset() + nameOffset, end, bytes, 0);
        }
        return length < 0 ? null : java.util.Arrays.copyOf(bytes, length);
    }

    /** The first section with this name. */
    public Optional<Section> section(String sectionName) {
        for (Section s : sections()) {
            if (s.name().equals(sectionName)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The first section of this type. */
    public Optional<Section> section(SectionType type) {
        long value = type.value();
        for (Section s : sections()) {
            if (s.type().value() == value) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The first segment of this type. */
    public Optional<ProgramHeader> segment(SegmentType type) {
        long value = type.value();
        for (ProgramHeader p : segments()) {
            if (p.type().value() == value) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The bytes a section holds in the file, checked. */
    public MemorySegment contents(Section section) {
        if (!section.hasFileBytes()) {
            return MemorySegment.NULL.reinterpret(0);
        }
        return in.slice(section.offset(), section.size(), section.label());
    }

    /**
     * Translates a virtual address (as found in the dynamic table) to an offset in this image, through
     * the PT_LOAD segments, as the dynamic loader and the kernel's parse_vdso.c do. A vDSO is laid out
     * so that this is also the offset from its load address, which is why memory and files agree.
     */
    public long offsetOf(long address, String what) {
        for (ProgramHeader p : segments()) {
            if (p.type().value() == SegmentType.PT_LOAD.value() && p.containsFileBacked(address)) {
                return p.offset() + (address - p.vaddr());
            }
        }
        throw new ElfFormatException(ElfFormatException.Kind.OUT_OF_BOUNDS, what + " address 0x" + Long.toHexString(address)
                + " is not inside any loadable segment", -1);
    }

    /** Whether a PT_LOAD segment holds file bytes for this address (not, say, .bss). */
    public boolean isFileBacked(long address) {
        for (ProgramHeader p : segments()) {
            if (p.type().value() == SegmentType.PT_LOAD.value() && p.containsFileBacked(address)) {
                return true;
            }
        }
        return false;
    }

    /** The interpreter named by PT_INTERP, if any. */
    public Optional<String> interpreter() {
        Optional<ProgramHeader> interp = segment(SegmentType.PT_INTERP);
        if (interp.isEmpty()) {
            return Optional.empty();
        }
        ProgramHeader p = interp.get();
        in.require(p.offset(), p.filesz(), "PT_INTERP");
        long nul = in.indexOfNul(p.offset(), p.offset() + p.filesz());
        long length = (nul < 0 ? p.offset() + p.filesz() : nul) - p.offset();
        if (length > Integer.MAX_VALUE - 8) {
            throw new ElfFormatException("PT_INTERP of " + length + " bytes is too long for a path", p.offset());
        }
        return Optional.of(in.string(p.offset(), (int) length));
    }

    /** The dynamic table, from PT_DYNAMIC (what the loader uses) or else the SHT_DYNAMIC section. */
    public Optional<DynamicTable> dynamic() {
        if (dynamic == null) {
            dynamic = DynamicTable.read(this);
        }
        return dynamic;
    }

    /** The dynamic symbols: {@code .dynsym} when sections exist, else found from the dynamic table. */
    public Optional<SymbolTable> dynamicSymbols() {
        if (dynamicSymbols == null) {
            dynamicSymbols = SymbolTable.dynamic(this);
        }
        return dynamicSymbols;
    }

    /**
     * The dynamic symbols and their versions as the dynamic loader finds them: through DT_SYMTAB,
     * DT_STRTAB, the hash table's count and DT_VERSYM/DT_VERDEF, ignoring section headers. This is how
     * the kernel's parse_vdso.c reads a vDSO, and it works on images whose sections are gone.
     */
    public Optional<SymbolTable> loaderSymbols() {
        return SymbolTable.fromDynamicTable(this);
    }

    public SymbolVersions loaderVersions() {
        return SymbolVersions.readFromDynamicTable(this);
    }

    /** The static symbol table {@code .symtab}, absent from stripped files. */
    public Optional<SymbolTable> staticSymbols() {
        if (staticSymbols == null) {
            staticSymbols = SymbolTable.fromSection(this, SectionType.SHT_SYMTAB);
        }
        return staticSymbols;
    }

    /** The GNU symbol-versioning tables of the dynamic symbols (possibly all empty). */
    public SymbolVersions versions() {
        if (versions == null) {
            versions = SymbolVersions.read(this);
        }
        return versions;
    }

    /** The symbol hash table the loader would use: DT_GNU_HASH if present, else DT_HASH. */
    public Optional<HashTable> hashTable() {
        if (hashTable == null) {
            hashTable = HashTable.read(this);
        }
        return hashTable;
    }

    /** All notes, from SHT_NOTE sections if there are any, else from PT_NOTE segments. */
    public List<Note> notes() {
        return Note.readAll(this);
    }

    /**
     * The notes of the PT_NOTE segments alone: where readelf -n finds notes when the section table
     * cannot be read.
     */
    public List<Note> segmentNotes() {
        return Note.readSegments(this);
    }
}
