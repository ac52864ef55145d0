package dev.vdsoscope.elf;

/**
 * The file header with the extended-numbering escapes already resolved: {@link #phnum()},
 * {@link #shnum()} and {@link #shstrndx()} are the real values even when {@code e_phnum} is
 * {@code PN_XNUM}, {@code e_shnum} is 0 or {@code e_shstrndx} is {@code SHN_XINDEX}; the raw header
 * fields stay available as {@code ePhnum}, {@code eShnum} and {@code eShstrndx}.
 */
public record ElfHeader(
        ElfClass elfClass,
        ElfData data,
        int identVersion,
        OsAbi osAbi,
        int abiVersion,
        ElfType type,
        Machine machine,
        long version,
        long entry,
        long phoff,
        long shoff,
        long flags,
        int ehsize,
        int phentsize,
        long phnum,
        int shentsize,
        long shnum,
        long shstrndx,
        int ePhnum,
        int eShnum,
        int eShstrndx) {

    public boolean is64() {
        return elfClass == ElfClass.ELFCLASS64;
    }

    /** Whether the escapes were used, i.e. a raw field differs from its resolved value. */
    public boolean usesExtendedNumbering() {
        return ePhnum != phnum || eShnum != shnum || eShstrndx != shstrndx;
    }
}
