package dev.vdsoscope.elf;

/** One section header, width-independent, with its name already looked up. */
public record Section(int index, String name, SectionType type, long flags, long addr, long offset,
        long size, long link, long info, long addralign, long entsize) {
    public static final long SHF_WRITE = 0x1, SHF_ALLOC = 0x2, SHF_EXECINSTR = 0x4, SHF_MERGE = 0x10,
            SHF_STRINGS = 0x20, SHF_INFO_LINK = 0x40, SHF_LINK_ORDER = 0x80, SHF_OS_NONCONFORMING = 0x100,
            SHF_GROUP = 0x200, SHF_TLS = 0x400, SHF_COMPRESSED = 0x800, SHF_EXCLUDE = 0x80000000L;

    /** "section .dynsym" for messages, or "section [5]" when the name could not be read. */
    public String label() {
        return name.isEmpty() ? "section [" + index + "]" : "section " + name;
    }

    /** Whether the section has bytes in the file (everything but SHT_NOBITS and SHT_NULL). */
    public boolean hasFileBytes() {
        return !type.equals(SectionType.SHT_NOBITS) && !type.equals(SectionType.SHT_NULL);
    }

    /** Flags as readelf's key letters: W A X M S I L O G T C E. */
    public String flagString() {
        StringBuilder s = new StringBuilder();
        long[] bits = {SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR, SHF_MERGE, SHF_STRINGS, SHF_INFO_LINK,
                SHF_LINK_ORDER, SHF_OS_NONCONFORMING, SHF_GROUP, SHF_TLS, SHF_COMPRESSED, SHF_EXCLUDE};
        String letters = "WAXMSILOGTCE";
        for (int i = 0; i < bits.length; i++) {
            if ((flags & bits[i]) != 0) {
                s.append(letters.charAt(i));
            }
        }
        return s.toString();
    }
}
