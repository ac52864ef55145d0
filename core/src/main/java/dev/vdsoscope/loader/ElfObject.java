package dev.vdsoscope.loader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import dev.vdsoscope.elf.DynamicTable;
import dev.vdsoscope.elf.DynamicTag;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.ElfType;
import dev.vdsoscope.elf.ProgramHeader;
import dev.vdsoscope.elf.BatchReader;
import dev.vdsoscope.elf.SegmentType;

/**
 * What the dynamic loader needs to know about one file, read once and kept after the file is
 * closed, so that a batch over thousands of files holds a few hundred bytes per library rather than
 * its pages. The file is read as glibc's ld.so reads it: the first bytes for open_verify, the
 * program headers for the checks of _dl_map_object_from_fd, and the dynamic table at PT_DYNAMIC's
 * p_vaddr (where ld.so finds it once the file is mapped), its strings at DT_STRTAB's address; section
 * headers play no part.
 *
 * @param fileKey   device and inode, which is how ld.so notices that two names are one file
 * @param head      the file's size and first bytes, as open_verify reads them
 * @param header    the ELF header, or null when the project's reader could not read the file at all
 *                  (open_verify then speaks from {@code head})
 * @param hasDynamic whether ld.so finds a dynamic table (l_ld != NULL): a PT_DYNAMIC with a non-zero
 *                  address and file size
 * @param mapSpan   bytes from the lowest to the highest PT_LOAD address, page-rounded: the size of
 *                  the mapping ld.so would reserve, used only to lay out ldd-style addresses
 * @param refusal   what _dl_map_object_from_fd says when it refuses the file, as a library and as
 *                  the program ldd is asked about (OPENEXEC)
 * @param crash     where ld.so itself would fault (SIGBUS, SIGSEGV) reading the file's dynamic
 *                  table or strings
 * @param unreadable why vdsoscope's reader cannot follow ld.so into the file (its program headers
 *                  or header do not read), when open_verify may still accept it
 * @param versions  its symbol-version tables (needed and defined), as ld.so reads them
 * @param relr      whether it has DT_RELR (relative relocations in the compact format)
 */
public record ElfObject(Object fileKey, FileHead head, ElfHeader header, boolean hasDynamic,
        Optional<String> interpreter, Optional<String> soname, List<String> needed, Optional<String> rpath,
        Optional<String> runpath, long flags1, long mapSpan, Refusal refusal, Optional<Fault> crash,
        Optional<String> unreadable, VersionTables versions, boolean relr, List<String> warnings) {

    /** A read of memory the file does not back: the signal, and where and why. */
    public record Fault(LdSoCrash.Signal signal, String explanation) {
        /** The crash of ld.so on this file, named as ld.so was given or found it. */
        public LdSoCrash of(String object, boolean mappingProgram) {
            return new LdSoCrash(object, signal, explanation, mappingProgram);
        }
    }

    private static final long PAGE = 4096;
    /** Enough for either class's ELF header, which is all of the file open_verify looks at directly. */
    static final int HEAD_SIZE = 64;

    /**
     * The first bytes of a file and its size.
     */
    public record FileHead(long size, byte[] bytes) {
        @Override
        public boolean equals(Object other) {
            return other instanceof FileHead head && head.size == size && Arrays.equals(head.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(size) * 31 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "FileHead[size=" + size + ", " + bytes.length + " bytes]";
        }
    }

    /**
     * What _dl_map_object_from_fd says of a file that passed open_verify, before it maps anything;
     * empty when it accepts it.
     */
    public record Refusal(Optional<String> asLibrary, Optional<String> asProgram) {
        static final Refusal NONE = new Refusal(Optional.empty(), Optional.empty());
    }

    /** Reads a file; the file is closed before this returns. */
    public static ElfObject read(Path file) throws IOException {
        try (BatchReader reader = BatchReader.forParts()) {
            return read(file, Files.readAttributes(file, BasicFileAttributes.class), reader);
        }
    }

    /**
     * Reads a file whose attributes the caller has already looked up, through a batch reader (only the
     * parts it needs of a large file). Nothing of the image is kept: the strings are copied out. A
     * file the project's reader refuses (not ELF, too short, an unknown class) still gives an object,
     * with its first bytes, for open_verify to judge.
     */
    static ElfObject read(Path file, BasicFileAttributes attributes, BatchReader reader) throws IOException {
        try (ElfFile elf = reader.next(file, attributes)) {
            return of(elf, attributes.fileKey());
        } catch (ElfFormatException e) {
            if (!attributes.isRegularFile()) {
                throw e; // a directory or a device: nothing for open_verify to read
            }
            return unparsed(attributes.fileKey(), readHead(file, attributes.size()), e.problem());
        }
    }

    private static FileHead readHead(Path file, long size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(HEAD_SIZE, Math.max(0, size)));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // open_verify reads until it has a header or the file ends.
            }
        }
        return new FileHead(size, Arrays.copyOf(buffer.array(), buffer.position()));
    }

    private static ElfObject unparsed(Object key, FileHead head, String problem) {
        return new ElfObject(key, head, null, false, Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
                Optional.empty(), 0, PAGE, Refusal.NONE, Optional.empty(), Optional.of("vdsoscope cannot read it: "
                        + problem), VersionTables.NONE, false, List.of());
    }

    static ElfObject of(ElfFile elf, Object key) {
        long size = elf.input().size();
        byte[] first = new byte[(int) Math.min(HEAD_SIZE, size)];
        for (int i = 0; i < first.length; i++) {
            first[i] = (byte) elf.input().u8(i); // 64 bytes: no bulk copy (a segment copy spins classes)
        }
        FileHead head = new FileHead(size, first);
        ElfHeader header = elf.header();
        List<ProgramHeader> segments;
        try {
            segments = elf.segments();
        } catch (ElfFormatException e) {
            // open_verify decides first (phentsize, a table past the end); if it accepts, this stands.
            return new ElfObject(key, head, header, false, Optional.empty(), Optional.empty(), List.of(),
                    Optional.empty(), Optional.empty(), 0, PAGE, Refusal.NONE, Optional.empty(),
                    Optional.of("vdsoscope cannot read its program headers: " + e.problem()), VersionTables.NONE, false,
                    elf.warnings());
        }
        Optional<String> interpreter = Optional.empty();
        try {
            interpreter = elf.interpreter();
        } catch (ElfFormatException e) {
            // The kernel reads PT_INTERP, not ld.so; ldd never runs it. Left out.
        }
        LoadCommands load = LoadCommands.scan(segments);
        Refusal refusal = new Refusal(load.refusal(header, false), load.refusal(header, true));
        long dynamicAddress = load.dynamicAddress();
        if (!load.hasDynamic() || refusal.asProgram().isPresent() && refusal.asLibrary().isPresent()) {
            return new ElfObject(key, head, header, load.hasDynamic(), interpreter, Optional.empty(), List.of(),
                    Optional.empty(), Optional.empty(), 0, load.span(), refusal, Optional.empty(), Optional.empty(),
                    VersionTables.NONE, false, elf.warnings());
        }
        Optional<Fault> crash = Optional.empty();
        List<String> needed = List.of();
        Optional<String> soname = Optional.empty(), rpath = Optional.empty(), runpath = Optional.empty();
        long flags1 = 0;
        VersionTables versions = VersionTables.NONE;
        boolean relr = false;
        try {
            Optional<DynamicTable> table = readDynamic(elf, segments, dynamicAddress);
            if (table.isPresent()) {
                DynamicTable dynamic = table.get();
                needed = List.copyOf(dynamic.needed());
                soname = dynamic.soname();
                rpath = dynamic.rpath();
                runpath = dynamic.runpath();
                flags1 = dynamic.flags1();
                relr = dynamic.has(DynamicTag.DT_RELR);
                versions = VersionTables.read(elf, dynamic, address -> fileOffset(segments, address));
            }
        } catch (CrashException e) {
            crash = Optional.of(e.fault);
        } catch (VersionTables.EndlessChain e) {
            // ld.so would never finish with this object: nothing to model.
            return new ElfObject(key, head, header, true, interpreter, soname, needed, rpath, runpath, flags1,
                    load.span(), refusal, Optional.empty(), Optional.of("vdsoscope cannot follow it: " + e.getMessage()),
                    VersionTables.NONE, relr, elf.warnings());
        } catch (ElfFormatException e) {
            // A string or table that lies outside the file: ld.so reads wherever the address points,
            // most likely memory nothing maps.
            crash = Optional.of(new Fault(LdSoCrash.Signal.SIGSEGV, "it reads past what the file maps ("
                    + e.problem() + ")"));
        }
        if ((flags1 & DynamicTable.DF_1_PIE) != 0 && refusal.asLibrary().isEmpty()) {
            refusal = new Refusal(Optional.of("cannot dynamically load position-independent executable"),
                    refusal.asProgram());
        }
        return new ElfObject(key, head, header, true, interpreter, soname, needed, rpath, runpath, flags1, load.span(),
                refusal, crash, Optional.empty(), versions, relr, elf.warnings());
    }

    /** Where ld.so itself would fault. */
    private static final class CrashException extends RuntimeException {
        final Fault fault;

        CrashException(LdSoCrash.Signal signal, String explanation) {
            super(explanation, null, false, false);
            this.fault = new Fault(signal, explanation);
        }
    }

    /**
     * The dynamic table at its address, as ld.so reads it from the mapped file: inside a PT_LOAD's
     * file-backed part it comes from the file, where the bytes of the file's last page past its end
     * read as zeros and a page wholly past the end faults (SIGBUS); in a PT_LOAD's zero-filled part
     * the table is empty; outside every PT_LOAD ld.so reads unmapped memory (SIGSEGV).
     */
    private static Optional<DynamicTable> readDynamic(ElfFile elf, List<ProgramHeader> segments, long address) {
        long fileSize = elf.input().size();
        long mappedEnd = (fileSize + PAGE - 1) & -PAGE;
        for (ProgramHeader p : segments) {
            if (p.type().value() != SegmentType.PT_LOAD.value() || Long.compareUnsigned(address, p.vaddr()) < 0
                    || Long.compareUnsigned(address - p.vaddr(), p.memsz()) >= 0) {
                continue;
            }
            long intoSegment = address - p.vaddr();
            if (Long.compareUnsigned(intoSegment, p.filesz()) >= 0) {
                return Optional.empty(); // zero-filled memory: the first entry is DT_NULL
            }
            long offset = p.offset() + intoSegment;
            if (offset < 0 || offset >= mappedEnd) {
                throw new CrashException(LdSoCrash.Signal.SIGBUS, "its dynamic table (file offset 0x"
                        + Long.toHexString(offset) + ") lies past the end of the file (" + fileSize + " bytes)");
            }
            if (offset >= fileSize) {
                return Optional.empty(); // the zeros after the end of the file's last page
            }
            // ld.so reads entries up to DT_NULL whatever PT_DYNAMIC's sizes say: only the mapping bounds it.
            long available = Math.min(p.filesz() - intoSegment, fileSize - offset);
            DynamicTable table = DynamicTable.at(elf, offset, available);
            long entrySize = elf.header().is64() ? 16 : 8;
            long tableEnd = offset + (table.entries().size() + 1) * entrySize;
            if (tableEnd > fileSize && fileSize == mappedEnd) {
                throw new CrashException(LdSoCrash.Signal.SIGBUS, "its dynamic table runs past the end of the file ("
                        + fileSize + " bytes) without a DT_NULL");
            }
            if (table.has(DynamicTag.DT_STRTAB)) {
                long stringOffset = fileOffset(segments, table.value(DynamicTag.DT_STRTAB).getAsLong());
                if (stringOffset >= mappedEnd) {
                    throw new CrashException(LdSoCrash.Signal.SIGBUS, "its string table (file offset 0x"
                            + Long.toHexString(stringOffset) + ") lies past the end of the file (" + fileSize + " bytes)");
                }
            }
            return Optional.of(table);
        }
        throw new CrashException(LdSoCrash.Signal.SIGSEGV, "it reads its dynamic table at 0x" + Long.toHexString(address)
                + ", which no PT_LOAD segment maps");
    }

    /** The file offset of an address in a PT_LOAD's file-backed part, or -1. */
    private static long fileOffset(List<ProgramHeader> segments, long address) {
        for (ProgramHeader p : segments) {
            if (p.type().value() == SegmentType.PT_LOAD.value() && Long.compareUnsigned(address, p.vaddr()) >= 0
                    && Long.compareUnsigned(address - p.vaddr(), p.filesz()) < 0) {
                return p.offset() + (address - p.vaddr());
            }
        }
        return -1;
    }

    /**
     * The program headers as _dl_map_object_from_fd scans them before mapping: the last PT_DYNAMIC
     * (an empty one is a separate-debuginfo file), the PT_LOADs and their page alignment.
     */
    private record LoadCommands(boolean hasDynamic, boolean emptyDynamic, long dynamicAddress,
            int loads, Optional<String> misaligned, long span) {

        static LoadCommands scan(List<ProgramHeader> segments) {
            boolean emptyDynamic = false;
            long dynamicAddress = 0;
            int loads = 0;
            Optional<String> misaligned = Optional.empty();
            long low = Long.MAX_VALUE;
            long high = 0;
            for (ProgramHeader p : segments) {
                long type = p.type().value();
                if (type == SegmentType.PT_DYNAMIC.value()) {
                    if (p.filesz() == 0) {
                        emptyDynamic = true;
                    } else {
                        dynamicAddress = p.vaddr();
                    }
                } else if (type == SegmentType.PT_LOAD.value()) {
                    if (misaligned.isEmpty() && ((p.vaddr() - p.offset()) & (PAGE - 1)) != 0) {
                        misaligned = Optional.of("ELF load command address/offset not page-aligned");
                    }
                    loads++;
                    low = Math.min(low, p.vaddr() & -PAGE);
                    high = Math.max(high, p.vaddr() + p.memsz());
                }
            }
            long span = low == Long.MAX_VALUE ? PAGE : (high - low + PAGE - 1) & -PAGE;
            return new LoadCommands(dynamicAddress != 0 && !emptyDynamic, emptyDynamic, dynamicAddress,
                    loads, misaligned, span);
        }

        /** The first complaint of _dl_map_object_from_fd, in its order; empty when it maps the file. */
        Optional<String> refusal(ElfHeader header, boolean openExec) {
            if (misaligned.isPresent()) {
                return misaligned;
            }
            if (loads == 0) {
                return Optional.of("object file has no loadable segments");
            }
            boolean dyn = header.type().value() == ElfType.ET_DYN.value();
            if (!dyn && !openExec) {
                return Optional.of("cannot dynamically load executable");
            }
            if ((dynamicAddress == 0 && dyn) || emptyDynamic) {
                return Optional.of("object file has no dynamic section");
            }
            return Optional.empty();
        }
    }

    /** ld.so ignores DT_RPATH when DT_RUNPATH is present (elf/get-dynamic-info.h). */
    public Optional<String> effectiveRpath() {
        return runpath.isPresent() ? Optional.empty() : rpath;
    }

    public boolean noDefaultLib() {
        return (flags1 & DynamicTable.DF_1_NODEFLIB) != 0;
    }
}
