package dev.vdsoscope.elf;

/**
 * The bits of {@code e_flags}, which mean something different for each machine, by their C names in
 * {@code <elf.h>} (and binutils' include/elf/*.h where glibc has none). Masks and values, not a
 * type: every machine packs its own fields into the word.
 */
public final class MachineFlags {
    private MachineFlags() {}

    // EM_MIPS
    /** The n32 ABI. */
    public static final long EF_MIPS_ABI2 = 0x20;
    public static final long EF_MIPS_ARCH_ASE_MICROMIPS = 0x02000000L;
    public static final long EF_MIPS_ARCH = 0xf0000000L;
    public static final long EF_MIPS_ARCH_64 = 0x60000000L;
    public static final long EF_MIPS_ARCH_64R2 = 0x80000000L;
    public static final long EF_MIPS_ARCH_64R6 = 0xa0000000L;

    // EM_SPARC32PLUS, EM_SPARCV9
    public static final long EF_SPARC_EXT_MASK = 0xffff00;
    public static final long EF_SPARC_32PLUS = 0x100;
    public static final long EF_SPARC_SUN_US1 = 0x200;
    public static final long EF_SPARC_HAL_R1 = 0x400;
    public static final long EF_SPARC_SUN_US3 = 0x800;
    /** The memory model of SPARC V9: TSO, PSO or RMO. */
    public static final long EF_SPARCV9_MM = 3;
    public static final long EF_SPARCV9_TSO = 0;
    public static final long EF_SPARCV9_PSO = 1;
    public static final long EF_SPARCV9_RMO = 2;

    // EM_ARM
    public static final long EF_ARM_EABIMASK = 0xff000000L;
    public static final long EF_ARM_EABI_VER4 = 0x04000000L;
    public static final long EF_ARM_EABI_VER5 = 0x05000000L;
    public static final long EF_ARM_BE8 = 0x00800000L;
    public static final long EF_ARM_LE8 = 0x00400000L;

    // EM_RISCV
    public static final long EF_RISCV_RVC = 0x1;
    public static final long EF_RISCV_FLOAT_ABI = 0x6;
    public static final long EF_RISCV_FLOAT_ABI_SOFT = 0x0;
    public static final long EF_RISCV_FLOAT_ABI_SINGLE = 0x2;
    public static final long EF_RISCV_FLOAT_ABI_DOUBLE = 0x4;
    public static final long EF_RISCV_RVE = 0x8;

    // EM_PPC64
    /** The ELF ABI version: 0 unspecified, 1 the original (function descriptors), 2 ELFv2. */
    public static final long EF_PPC64_ABI = 3;

    // EM_68K
    public static final long EF_M68K_CPU32 = 0x00810000L;
    public static final long EF_M68K_M68000 = 0x01000000L;

    // EM_PARISC
    public static final long EF_PARISC_LP64 = 0x00080000L;
    public static final long EF_PARISC_ARCH = 0x0000ffffL;
    public static final long EFA_PARISC_1_0 = 0x020b;
    public static final long EFA_PARISC_1_1 = 0x0210;
    public static final long EFA_PARISC_2_0 = 0x0214;
}
