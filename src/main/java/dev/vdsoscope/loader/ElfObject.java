package dev.vdsoscope.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

import dev.vdsoscope.elf.DynamicTable;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.ProgramHeader;
import dev.vdsoscope.elf.ScratchBuffers;
import dev.vdsoscope.elf.SegmentType;

/**
 * What the dynamic loader needs to know about one file, read once and kept after the mapping is
 * closed, so that a batch over thousands of files holds a few hundred bytes per library rather than
 * its pages.
 *
 * @param fileKey   device and inode, which is how ld.so notices that two names are one file
 * @param mapSpan   bytes from the lowest to the highest PT_LOAD address, page-rounded: the size of
 *                  the mapping ld.so would reserve, used only to lay out ldd-style addresses
 */
public record ElfObject(Object fileKey, ElfHeader header, boolean hasDynamic, Optional<String> interpreter, Optional<String> soname,
        List<String> needed, Optional<String> rpath, Optional<String> runpath, long flags1, long mapSpan,
        List<String> warnings) {

    private static final long PAGE = 4096;

    /** Reads a file; the mapping is closed before this returns. */
    public static ElfObject read(Path file) throws IOException {
        return read(file, Files.readAttributes(file, BasicFileAttributes.class), null);
    }

    /**
     * Reads a file whose attributes the caller has already looked up, with buffers reused from file to
     * file (null for none), as {@link ElfFile#openPartly(Path, BasicFileAttributes, ScratchBuffers)}
     * takes them: only the parts it needs of a large file. Nothing of the image is kept: the strings
     * are copied out.
     */
    static ElfObject read(Path file, BasicFileAttributes attributes, ScratchBuffers scratch) throws IOException {
        try (ElfFile elf = ElfFile.openPartly(file, attributes, scratch)) {
            return of(elf, attributes.fileKey());
        }
    }

    static ElfObject of(ElfFile elf, Object key) {
        Optional<DynamicTable> dynamic = elf.dynamic();
        Optional<String> interpreter = elf.interpreter();
        List<String> needed = List.of();
        Optional<String> soname = Optional.empty();
        Optional<String> rpath = Optional.empty();
        Optional<String> runpath = Optional.empty();
        long flags1 = 0;
        if (dynamic.isPresent()) {
            DynamicTable table = dynamic.get();
            needed = List.copyOf(table.needed());
            soname = table.soname();
            rpath = table.rpath();
            runpath = table.runpath();
            flags1 = table.flags1();
        }
        return new ElfObject(key, elf.header(), elf.segment(SegmentType.PT_DYNAMIC).isPresent(), interpreter, soname, needed, rpath, runpath,
                flags1, span(elf.segments()), elf.warnings());
    }

    private static long span(List<ProgramHeader> segments) {
        long low = Long.MAX_VALUE;
        long high = 0;
        for (ProgramHeader p : segments) {
            if (p.type().value() == SegmentType.PT_LOAD.value()) {
                low = Math.min(low, p.vaddr() & -PAGE);
                high = Math.max(high, p.vaddr() + p.memsz());
            }
        }
        return low == Long.MAX_VALUE ? PAGE : (high - low + PAGE - 1) & -PAGE;
    }

    /** ld.so ignores DT_RPATH when DT_RUNPATH is present (elf/get-dynamic-info.h). */
    public Optional<String> effectiveRpath() {
        return runpath.isPresent() ? Optional.empty() : rpath;
    }

    public boolean noDefaultLib() {
        return (flags1 & DynamicTable.DF_1_NODEFLIB) != 0;
    }
}
