package dev.vdsoscope.compat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import dev.vdsoscope.elf.DynamicTable;
import dev.vdsoscope.elf.DynamicTag;
import dev.vdsoscope.elf.ElfClass;
import dev.vdsoscope.elf.ElfData;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.ElfInput;
import dev.vdsoscope.elf.ElfType;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.elf.OsAbi;
import dev.vdsoscope.elf.SectionType;
import dev.vdsoscope.elf.SegmentType;
import dev.vdsoscope.elf.raw.RawLayouts;

/**
 * The line file(1) 5.44 prints for an ELF image ({@code file -b}). It follows file's own reading,
 * quirks included (any DT_FLAGS_1 makes "static-pie", a .debug_info section counts as "not stripped",
 * the last section's name is never looked at); the facts as the ELF states them are the views of the
 * elf package ({@link dev.vdsoscope.elf.Linkage}, {@link dev.vdsoscope.elf.Stripping}), which the
 * JSON output uses.
 *
 * <p>The line has two halves, built in this order: the program and section headers are read first
 * ({@code file_tryelf} in readelf.c: linking, interpreter, notes, debug_info, stripped), because that
 * walk decides whether an {@code ET_DYN} is a "pie executable"; then the magic words
 * ({@link FileMagic}) are put in front. Every limit and message of file 5.44 that a malformed file can
 * reach is kept (docs/FILE-COMPAT.md lists the few that are not).
 */
public final class FileDescription {
    /** file's default limits ({@code elf_phnum_max}, {@code elf_shnum_max}, {@code elf_shsize_max}). */
    static final int PHNUM_MAX = 2048, SHNUM_MAX = 32768;
    static final long NOTE_SECTION_MAX = 64L << 20;
    /** file reads at most BUFSIZ bytes of a segment's contents. */
    static final int READ_MAX = 8192;
    private static final long PT_DYNAMIC = SegmentType.PT_DYNAMIC.value(), PT_INTERP = SegmentType.PT_INTERP.value(),
            PT_NOTE = SegmentType.PT_NOTE.value();
    private static final long SHT_SYMTAB = SectionType.SHT_SYMTAB.value(), SHT_NOTE = SectionType.SHT_NOTE.value();
    /** Solaris's SHT_SUNW_cap, the number GNU's SHT_GNU_ATTRIBUTES also has (file tells them apart, FileCapabilities). */
    private static final long SHT_SUNW_CAP = SectionType.SHT_GNU_ATTRIBUTES.value();

    private final ElfFile elf;
    private final ElfHeader h;
    private final ElfInput in;
    private final long fileSize;
    private final StringBuilder text = new StringBuilder();
    private FileNotes notes;
    private final int mode;
    private boolean executableMode;

    private boolean anyFlags1;
    private int needed;
    private String magic;

    private FileDescription(ElfFile elf, int mode) {
        this.elf = elf;
        this.h = elf.header();
        this.in = elf.input();
        this.fileSize = in.size();
        this.mode = mode;
        this.executableMode = (mode & 0111) != 0;
    }

    /**
     * Describes an image. {@code mode} is the file's {@code st_mode} permission bits: file starts the
     * line with "setuid", "setgid" and "sticky", and an {@code ET_DYN} without a dynamic table is a
     * "pie executable" when an x bit is set.
     */
    public static FileDescription of(ElfFile elf, int mode) {
        FileDescription d = new FileDescription(elf, mode);
        d.readelf();
        d.magic = FileMagic.describe(d.h, d.in, d.executableMode);
        return d;
    }

    /**
     * Describes a file whose EI_DATA is neither LSB nor MSB but whose class is known, as file(1) on a
     * little-endian host does: the words of {@link #ofUnreadableHeader}, then readelf.c's part read
     * in big-endian order (elfclass.h takes any EI_DATA other than the host's as "swap").
     *
     * @param readAsMsb the same image, read as ELFDATA2MSB
     * @param headerWords what {@link #ofUnreadableHeader} gives for the file
     */
    public static FileDescription ofInvalidByteOrder(ElfFile readAsMsb, String headerWords, int mode) {
        FileDescription d = new FileDescription(readAsMsb, mode);
        d.readelf();
        d.magic = headerWords;
        return d;
    }

    /** The whole line without the file name, as {@code file -b} prints it. */
    public String text() {
        return printable(specialBits() + magic + text);
    }

    /** "setuid, setgid, sticky " as far as the mode has those bits (file's fsmagic.c). */
    private String specialBits() {
        List<String> words = new ArrayList<>();
        if ((mode & 04000) != 0) {
            words.add("setuid");
        }
        if ((mode & 02000) != 0) {
            words.add("setgid");
        }
        if ((mode & 01000) != 0) {
            words.add("sticky");
        }
        return words.isEmpty() ? "" : String.join(", ", words) + " ";
    }

    /** The type word without its comma ("pie executable", "shared object"), or null. */
    public String typeDescription() {
        String word = FileMagic.typeWord(h, executableMode);
        return word == null ? null : word.substring(0, word.length() - 1);
    }

    private void add(String words) {
        text.append(words);
    }

    private void readelf() {
        if (fileSize <= (h.is64() ? 64 : 52)) {
            return;
        }
        boolean core = h.type().is(ElfType.ET_CORE);
        notes = new FileNotes(in, h.is64(), core, core ? readableSegments() : List.of(), fileSize, text);
        ElfType type = h.type();
        if (type.is(ElfType.ET_CORE)) {
            core();
        } else if (type.is(ElfType.ET_EXEC) || type.is(ElfType.ET_DYN)) {
            if (h.ePhnum() > PHNUM_MAX) {
                add(", too many program (" + h.ePhnum() + ")");
                return;
            }
            if (h.eShnum() > SHNUM_MAX) {
                add(", too many section (" + h.eShnum() + ")");
                return;
            }
            programHeaders();
            sections();
        } else if (type.is(ElfType.ET_REL)) {
            if (h.eShnum() > SHNUM_MAX) {
                add(", too many section headers (" + h.eShnum() + ")");
                return;
            }
            sections();
        } else {
            return;
        }
        if (notes.exhausted()) {
            add(", too many notes (" + FileNotes.MAX_NOTES + ")");
        }
    }

    /** The fields of a program header that file looks at. */
    record Segment(long type, long offset, long vaddr, long filesz, long align) {}

    /**
     * The program headers that lie in the file, in order, up to the first that does not: file reads
     * them one by one ({@code e_phoff + i * e_phentsize}) and stops at the first short read.
     */
    private List<Segment> readableSegments() {
        var phdr = elf.struct(RawLayouts.ELF32_PHDR, RawLayouts.ELF64_PHDR);
        List<Segment> segments = new ArrayList<>();
        if (h.phentsize() != phdr.size()) {
            return segments;
        }
        for (int i = 0; i < h.ePhnum(); i++) {
            long at = h.phoff() + (long) i * phdr.size();
            if (!in.contains(at, phdr.size())) {
                break;
            }
            segments.add(new Segment(in.field(at, phdr.p_type), in.field(at, phdr.p_offset),
                    in.field(at, phdr.p_vaddr), in.field(at, phdr.p_filesz),
                    in.field(at, phdr.p_align)));
        }
        return segments;
    }

    /** Says "no program header" or "corrupted program header size" when that is what file finds. */
    private boolean programHeaderTableUsable() {
        if (h.ePhnum() == 0) {
            add(", no program header");
            return false;
        }
        if (h.phentsize() != elf.struct(RawLayouts.ELF32_PHDR, RawLayouts.ELF64_PHDR).size()) {
            add(", corrupted program header size");
            return false;
        }
        return true;
    }

    /** After the readable headers, the message for the first one file could not read, if any. */
    private boolean allSegmentsRead(List<Segment> segments) {
        if (segments.size() < h.ePhnum()) {
            add(", can't read elf program headers at " + (h.phoff() + (long) segments.size() * h.phentsize()));
            return false;
        }
        return true;
    }

    /** {@code dophn_exec}: notes of a file without section headers, linking, interpreter. */
    private void programHeaders() {
        if (!programHeaderTableUsable()) {
            return;
        }
        List<Segment> segments = readableSegments();
        boolean dynamic = false;
        String interpreter = null;
        for (Segment p : segments) {
            boolean read = p.type() == PT_DYNAMIC || p.type() == PT_INTERP || (p.type() == PT_NOTE && h.eShnum() == 0);
            if (read && p.offset() < 0) {
                // file's pread() fails on an offset that is negative as off_t, and it gives up here.
                add(", can't read section at " + p.offset());
                return;
            }
            if (p.type() == PT_DYNAMIC) {
                dynamic = true;
                dynamicSegment(p);
            } else if (p.type() == PT_NOTE && h.eShnum() == 0) {
                long align = p.align() == 0 ? 4 : p.align();
                if ((align & 0x80000000L) != 0 || Long.compareUnsigned(align, 4) < 0) {
                    add(", invalid note alignment 0x" + Long.toHexString(align));
                    align = 4;
                }
                notes.walk(p.offset(), readable(p.offset(), p.filesz()), align);
            } else if (p.type() == PT_INTERP) {
                needed++;
                interpreter = interpreter(p);
            }
        }
        if (!allSegmentsRead(segments)) {
            return;
        }
        // file 5.44 calls any DT_FLAGS_1 "pie", and counts PT_INTERP as a needed object.
        add(!dynamic ? ", statically linked" : anyFlags1 && needed == 0 ? ", static-pie linked" : ", dynamically linked");
        if (interpreter != null) {
            add(", interpreter " + interpreter);
        }
    }

    /**
     * {@code dodynamic} over one PT_DYNAMIC: the x bits are cleared, then every entry in the first
     * 8192 bytes counts, DT_NULL or not; each DT_FLAGS_1 sets the x bits if it has DF_1_PIE and clears
     * them otherwise, so the last one wins.
     */
    private void dynamicSegment(Segment p) {
        executableMode = false;
        int width = h.is64() ? 8 : 4;
        long length = readable(p.offset(), p.filesz());
        for (long at = p.offset(); at + 2L * width <= p.offset() + length; at += 2L * width) {
            long tag = in.unsigned(at, width);
            if (tag == DynamicTag.DT_FLAGS_1.value()) {
                anyFlags1 = true;
                executableMode = (in.unsigned(at + width, width) & DynamicTable.DF_1_PIE) != 0;
            } else if (tag == DynamicTag.DT_NEEDED.value()) {
                needed++;
            }
        }
    }

    /**
     * The interpreter as file reads it: at most 8192 bytes, the last byte read forced to NUL, and
     * "*empty*" when nothing could be read or the first byte is NUL.
     */
    private String interpreter(Segment p) {
        long length = readable(p.offset(), p.filesz());
        if (length == 0 || in.u8(p.offset()) == 0) {
            return "*empty*";
        }
        StringBuilder s = new StringBuilder();
        for (long at = p.offset(); at < p.offset() + length - 1 && in.u8(at) != 0; at++) {
            s.append((char) in.u8(at));
        }
        return s.toString();
    }

    /** {@code doshn}: notes in section order, then "with debug_info" and "stripped" or "not stripped". */
    private void sections() {
        if (h.eShnum() == 0) {
            add(", no section header");
            return;
        }
        var shdr = elf.struct(RawLayouts.ELF32_SHDR, RawLayouts.ELF64_SHDR);
        int entsize = shdr.size();
        if (h.shentsize() != entsize) {
            add(", corrupted section header size");
            return;
        }
        long strtabHeader = h.shoff() + (long) entsize * h.eShstrndx();
        if (!in.contains(strtabHeader, entsize)) {
            add(", missing section headers at " + strtabHeader);
            return;
        }
        // Offsets are compared as file's off_t, signed; sizes as its size_t, unsigned.
        long names = in.field(strtabHeader, shdr.sh_offset);
        if (names > fileSize) {
            add(", too large section header offset " + names);
            return;
        }
        boolean symbolTable = false;
        boolean debugInfo = false;
        FileCapabilities capabilities = new FileCapabilities(in, h.machine(), h.is64(), text);
        // file reads each name before the header it belongs to, so it tests the name of the header
        // read last: first .shstrtab's own, then sections 0 to n-2 (the last name is never tested).
        long name = in.u32(strtabHeader);
        for (int i = 0; i < h.eShnum(); i++) {
            if (names + name < 0) {
                add(", can't read name of elf section at " + (names + name));
                return;
            }
            if (sectionName(names, name).equals(".debug_info")) {
                debugInfo = true;
            }
            long at = h.shoff() + (long) i * entsize;
            if (!in.contains(at, entsize)) {
                add(", can't read elf section at " + at);
                return;
            }
            name = in.u32(at + shdr.sh_name.offset());
            long type = in.field(at, shdr.sh_type);
            long offset = in.field(at, shdr.sh_offset);
            long size = in.field(at, shdr.sh_size);
            if (type == SHT_SYMTAB) {
                symbolTable = true;
            } else if (offset > fileSize) {
                continue;
            }
            if (type == SHT_NOTE) {
                if (Long.compareUnsigned(offset + size, fileSize) > 0) {
                    add(", note offset/size " + alternateHex(offset) + "+" + alternateHex(size)
                            + " exceeds file size " + alternateHex(fileSize));
                    return;
                }
                if (Long.compareUnsigned(size, NOTE_SECTION_MAX) > 0) {
                    throw new ElfFormatException("note section size too big (" + Long.toUnsignedString(size) + " > "
                            + NOTE_SECTION_MAX + ")", offset);
                }
                if (offset < 0) {
                    add(", can't read elf note at " + offset);
                    return;
                }
                notes.walk(offset, size, 4);
            } else if (type == SHT_SUNW_CAP && !capabilities.section(offset, size)) {
                return; // file's read failed: its description ends here
            }
        }
        if (debugInfo) {
            add(", with debug_info");
        }
        add(symbolTable || debugInfo ? ", not stripped" : ", stripped");
        capabilities.describe();
    }

    /** {@code dophn_core}: the notes of every PT_NOTE segment. */
    private void core() {
        if (h.ePhnum() > PHNUM_MAX) {
            add(", too many program headers (" + h.ePhnum() + ")");
            return;
        }
        if (!programHeaderTableUsable()) {
            return;
        }
        List<Segment> segments = readableSegments();
        for (Segment p : segments) {
            if (p.type() == PT_NOTE && p.offset() <= fileSize) {
                if (p.offset() < 0) {
                    add(" can't read note section at " + p.offset());
                    return;
                }
                notes.walk(p.offset(), readable(p.offset(), p.filesz()), 4);
            }
        }
        allSegmentsRead(segments);
    }

    /** The section name file compares: up to 49 bytes at the name table offset, up to a NUL or the end. */
    private String sectionName(long table, long name) {
        long at = table + name;
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 49 && at + i < fileSize; i++) {
            int c = in.u8(at + i);
            if (c == 0) {
                break;
            }
            s.append((char) c);
        }
        return s.toString();
    }

    /** How many bytes file's read of min(size, 8192) bytes at {@code offset} gets before the end of the file. */
    private long readable(long offset, long size) {
        if (offset < 0 || offset >= fileSize) {
            return 0;
        }
        long wanted = Long.compareUnsigned(size, READ_MAX) < 0 ? size : READ_MAX;
        return Math.min(wanted, fileSize - offset);
    }

    /** C's {@code %#jx}: "0" for zero, else 0x and the hex digits. */
    static String alternateHex(long value) {
        return value == 0 ? "0" : "0x" + Long.toHexString(value);
    }

    /**
     * Files up to this size whose byte order is invalid are read whole, as big-endian, for the part
     * of file(1)'s line that follows the header's words; a larger one gets the header's words only.
     */
    private static final long INVALID_BYTE_ORDER_READ_MAX = 64L << 20;
    private static final int ELFDATA2MSB = 2;

    /**
     * file(1)'s line for a regular file whose ELF header no reader goes past ({@link
     * #ofUnreadableHeader(byte[], long, int)}); with a known class and an invalid byte order, the
     * rest of the line is read as file(1) reads it, big-endian ({@link #ofInvalidByteOrder}).
     * Empty for a file the reader does read.
     */
    public static Optional<String> ofUnreadableHeader(Path path, int mode)
            throws IOException {
        byte[] head = new byte[(int) ELF64_HEADER_SIZE];
        int length;
        try (InputStream in = Files.newInputStream(path)) {
            length = in.readNBytes(head, 0, head.length);
        }
        long size = Files.size(path);
        Optional<String> words = ofUnreadableHeader(Arrays.copyOf(head, length), size, mode);
        boolean knownClass = ElfClass.of(head[EI_CLASS] & 0xff) != null;
        boolean invalidByteOrder = ElfData.of(head[EI_DATA] & 0xff) == null;
        if (words.isEmpty() || !knownClass || !invalidByteOrder || size > INVALID_BYTE_ORDER_READ_MAX) {
            return words;
        }
        byte[] image = Files.readAllBytes(path);
        image[EI_DATA] = ELFDATA2MSB;
        try (ElfFile asMsb = ElfFile.of(path.toString(), ByteBuffer.wrap(image))) {
            return Optional.of(ofInvalidByteOrder(asMsb, words.get(), mode).text());
        } catch (ElfFormatException e) {
            return words; // a header too short to read: file(1) stops at its words too
        }
    }

    /**
     * What file(1) says of an ELF file whose header no reader goes past: a class (EI_CLASS) or byte
     * order (EI_DATA) that does not exist, or a file shorter than its ELF header. Magdir/elf prints
     * the class ("invalid class" for 0), the byte order ("invalid byte order" for 0), then, in a
     * known byte order, the type, machine and version words of the fields that lie in the file, and
     * the OS/ABI; readelf.c's file_tryelf adds "unknown class N" for a class it does not know, and
     * nothing for a header it cannot read whole (elfclass.h: {@code nbytes <= sizeof(elfhdr)}).
     * Machine flag words are left out. Empty for a file the reader does read.
     *
     * @param head the file's first bytes (at least the 16 of e_ident, up to the 64 of a header)
     * @param fileSize the file's size
     * @param mode the file's permission bits, as for {@link #of}
     */
    public static Optional<String> ofUnreadableHeader(byte[] head, long fileSize, int mode) {
        if (head.length < EI_NIDENT || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
            return Optional.empty();
        }
        ElfClass elfClass = ElfClass.of(head[EI_CLASS] & 0xff);
        ElfData data = ElfData.of(head[EI_DATA] & 0xff);
        long headerSize = elfClass == ElfClass.ELFCLASS64 ? ELF64_HEADER_SIZE : ELF32_HEADER_SIZE;
        if (elfClass != null && data != null && fileSize >= headerSize) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder("ELF");
        text.append(elfClass == ElfClass.ELFCLASS32 ? " 32-bit" : elfClass == ElfClass.ELFCLASS64 ? " 64-bit"
                : head[EI_CLASS] == 0 ? " invalid class" : "");
        if (head[EI_DATA] == 0) {
            text.append(" invalid byte order");
        }
        OsAbi osAbi = new OsAbi(head[EI_OSABI] & 0xff);
        if (data != null) {
            text.append(data.littleEndian() ? " LSB" : " MSB");
            long available = Math.min(fileSize, head.length);
            ByteBuffer fields = ByteBuffer.wrap(head).order(data.order());
            if (available >= E_TYPE + 2) {
                Machine machine = new Machine(available >= E_MACHINE + 2 ? fields.getShort(E_MACHINE) & 0xffff : 0);
                ElfHeader h = new ElfHeader(elfClass, data, head[EI_VERSION] & 0xff, osAbi, 0,
                        new ElfType(fields.getShort(E_TYPE) & 0xffff), machine, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0);
                String type = FileMagic.typeWord(h, (mode & 0111) != 0);
                if (type != null) {
                    text.append(' ').append(type);
                }
                if (available >= E_MACHINE + 2) {
                    text.append(' ').append(FileMagic.machineName(machine));
                }
                if (available >= E_VERSION + 4) {
                    long version = fields.getInt(E_VERSION) & 0xffffffffL;
                    text.append(version == 0 ? " invalid version" : version == 1 ? " version 1" : "");
                }
            }
        }
        String osAbiName = FileMagic.osAbiName(osAbi);
        if (osAbiName != null) {
            text.append(" (").append(osAbiName).append(')');
        }
        if (elfClass == null) {
            text.append(", unknown class ").append(head[EI_CLASS] & 0xff);
        }
        return Optional.of(text.toString());
    }

    /** e_ident's size and indexes, and the header fields Magdir/elf reads, at the same offset in both classes. */
    private static final int EI_NIDENT = 16, EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6, EI_OSABI = 7,
            E_TYPE = 16, E_MACHINE = 18, E_VERSION = 20;
    private static final long ELF32_HEADER_SIZE = 52, ELF64_HEADER_SIZE = 64;

    /**
     * A file name as file(1) shows it in a UTF-8 locale: printable characters as they are, anything
     * else (controls, and U+FFFD standing for bytes that were not UTF-8) as its UTF-8 bytes in octal.
     */
    public static String printableName(String name) {
        StringBuilder s = new StringBuilder(name.length());
        name.codePoints().forEach(c -> {
            boolean printable = c >= 0x20 && c != 0x7f && c != 0xfffd && !Character.isISOControl(c)
                    && Character.isDefined(c) && Character.getType(c) != Character.SURROGATE;
            if (printable) {
                s.appendCodePoint(c);
            } else {
                for (byte b : Character.toString(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    octal(s, b & 0xff);
                }
            }
        });
        return s.toString();
    }

    private static void octal(StringBuilder s, int b) {
        s.append('\\').append((char) ('0' + ((b >> 6) & 3))).append((char) ('0' + ((b >> 3) & 7)))
                .append((char) ('0' + (b & 7)));
    }

    /** file's last pass: every byte that is not printable ASCII becomes a backslash and 3 octal digits. */
    static String printable(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                s.append(c);
            } else {
                octal(s, c);
            }
        }
        return s.toString();
    }
}
