package dev.vdsoscope.elf;

/** One program header (segment), width-independent. */
public record ProgramHeader(int index, long fileOffsetOfHeader, SegmentType type, long flags, long offset,
        long vaddr, long paddr, long filesz, long memsz, long align) {
    public static final int PF_X = 1, PF_W = 2, PF_R = 4;

    /** Flags as readelf prints them: "R E", "RW ". */
    public String flagString() {
        return ((flags & PF_R) != 0 ? "R" : " ") + ((flags & PF_W) != 0 ? "W" : " ")
                + ((flags & PF_X) != 0 ? "E" : " ");
    }

    /** Whether the virtual address lies in the part of this segment that is backed by file bytes. */
    public boolean containsFileBacked(long address) {
        return Long.compareUnsigned(address, vaddr) >= 0 && Long.compareUnsigned(address - vaddr, filesz) < 0;
    }
}
