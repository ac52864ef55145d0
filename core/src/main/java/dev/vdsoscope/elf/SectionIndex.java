package dev.vdsoscope.elf;

/** Reserved section indexes ({@code SHN_*}) found in {@code st_shndx} and {@code e_shstrndx}. */
public final class SectionIndex {
    private SectionIndex() {}

    public static final int SHN_UNDEF = 0;
    public static final int SHN_LORESERVE = 0xff00;
    public static final int SHN_ABS = 0xfff1;
    public static final int SHN_COMMON = 0xfff2;
    /** The real index is elsewhere: in {@code SHT_SYMTAB_SHNDX}, or in section 0's {@code sh_link}. */
    public static final int SHN_XINDEX = 0xffff;
    /** {@code e_phnum} escape: the real count is in section 0's {@code sh_info}. */
    public static final int PN_XNUM = 0xffff;

    // Processor-specific indexes (SHN_LOPROC and up), which reuse the same numbers on each machine.
    /** x86-64: a large common symbol. */
    public static final int SHN_X86_64_LCOMMON = 0xff02;
    /** MIPS: allocated common, .text, .data, small common and small undefined symbols. */
    public static final int SHN_MIPS_ACOMMON = 0xff00, SHN_MIPS_TEXT = 0xff01, SHN_MIPS_DATA = 0xff02,
            SHN_MIPS_SCOMMON = 0xff03, SHN_MIPS_SUNDEFINED = 0xff04;
    /** M32R: a small common symbol. */
    public static final int SHN_M32R_SCOMMON = 0xff00;

    /** The C name of a reserved index, or null for an ordinary one. */
    public static String reservedName(int index) {
        return switch (index) {
            case SHN_UNDEF -> "SHN_UNDEF";
            case SHN_ABS -> "SHN_ABS";
            case SHN_COMMON -> "SHN_COMMON";
            case SHN_XINDEX -> "SHN_XINDEX";
            default -> index >= SHN_LORESERVE ? "SHN_0x" + Integer.toHexString(index) : null;
        };
    }
}
