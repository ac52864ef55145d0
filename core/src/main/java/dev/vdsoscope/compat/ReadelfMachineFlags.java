package dev.vdsoscope.compat;

import java.util.Map;
import java.util.Optional;

import dev.vdsoscope.elf.Machine;

/**
 * The words readelf -h prints after e_flags ({@code Flags: 0x5000400, Version5 EABI, hard-float
 * ABI}), as get_machine_flags in binutils 2.40's readelf.c makes them, for the machines Linux
 * distributions ship: ARM (EABI version 5 and the generic bits), MIPS, RISC-V and PowerPC64. The
 * values are the C names of include/elf/arm.h, mips.h, riscv.h and ppc64.h.
 */
public final class ReadelfMachineFlags {
    // include/elf/arm.h
    private static final long EF_ARM_RELEXEC = 0x01, EF_ARM_PIC = 0x20, EF_ARM_EABIMASK = 0xff000000L,
            EF_ARM_EABI_VER5 = 0x05000000L, EF_ARM_BE8 = 0x00800000L, EF_ARM_LE8 = 0x00400000L,
            EF_ARM_ABI_FLOAT_SOFT = 0x200, EF_ARM_ABI_FLOAT_HARD = 0x400;
    private static final Map<Long, String> ARM_EABI5_FLAGS = Map.of(EF_ARM_BE8, "BE8", EF_ARM_LE8, "LE8",
            EF_ARM_ABI_FLOAT_SOFT, "soft-float ABI", EF_ARM_ABI_FLOAT_HARD, "hard-float ABI");
    // include/elf/mips.h
    private static final long EF_MIPS_NOREORDER = 0x1, EF_MIPS_PIC = 0x2, EF_MIPS_CPIC = 0x4, EF_MIPS_UCODE = 0x10,
            EF_MIPS_ABI2 = 0x20, EF_MIPS_OPTIONS_FIRST = 0x80, EF_MIPS_32BITMODE = 0x100, EF_MIPS_FP64 = 0x200,
            EF_MIPS_NAN2008 = 0x400, EF_MIPS_MACH = 0x00ff0000L, EF_MIPS_ABI = 0xf000,
            EF_MIPS_ARCH_ASE_MDMX = 0x08000000L, EF_MIPS_ARCH_ASE_M16 = 0x04000000L,
            EF_MIPS_ARCH_ASE_MICROMIPS = 0x02000000L, EF_MIPS_ARCH = 0xf0000000L;
    private static final Map<Long, String> MIPS_MACHINES = Map.ofEntries(Map.entry(0x00810000L, "3900"),
            Map.entry(0x00820000L, "4010"), Map.entry(0x00830000L, "4100"), Map.entry(0x00880000L, "4111"),
            Map.entry(0x00870000L, "4120"), Map.entry(0x00850000L, "4650"), Map.entry(0x00910000L, "5400"),
            Map.entry(0x00980000L, "5500"), Map.entry(0x00920000L, "5900"), Map.entry(0x008a0000L, "sb1"),
            Map.entry(0x00990000L, "9000"), Map.entry(0x00a00000L, "loongson-2e"),
            Map.entry(0x00a10000L, "loongson-2f"), Map.entry(0x00a20000L, "gs464"), Map.entry(0x00a30000L, "gs464e"),
            Map.entry(0x00a40000L, "gs264e"), Map.entry(0x008b0000L, "octeon"), Map.entry(0x008d0000L, "octeon2"),
            Map.entry(0x008e0000L, "octeon3"), Map.entry(0x008c0000L, "xlr"),
            Map.entry(0x00930000L, "interaptiv-mr2")); // E_MIPS_MACH_3900 ... E_MIPS_MACH_IAMR2
    private static final Map<Long, String> MIPS_ABIS = Map.of(0x1000L, "o32", 0x2000L, "o64", 0x3000L, "eabi32",
            0x4000L, "eabi64"); // E_MIPS_ABI_O32, _O64, _EABI32, _EABI64
    private static final Map<Long, String> MIPS_ARCHES = Map.ofEntries(Map.entry(0x00000000L, "mips1"),
            Map.entry(0x10000000L, "mips2"), Map.entry(0x20000000L, "mips3"), Map.entry(0x30000000L, "mips4"),
            Map.entry(0x40000000L, "mips5"), Map.entry(0x50000000L, "mips32"), Map.entry(0x70000000L, "mips32r2"),
            Map.entry(0x90000000L, "mips32r6"), Map.entry(0x60000000L, "mips64"), Map.entry(0x80000000L, "mips64r2"),
            Map.entry(0xa0000000L, "mips64r6")); // E_MIPS_ARCH_1 ... E_MIPS_ARCH_64R6
    // include/elf/riscv.h
    private static final long EF_RISCV_RVC = 0x1, EF_RISCV_FLOAT_ABI = 0x6, EF_RISCV_FLOAT_ABI_SOFT = 0x0,
            EF_RISCV_FLOAT_ABI_SINGLE = 0x2, EF_RISCV_FLOAT_ABI_DOUBLE = 0x4, EF_RISCV_RVE = 0x8, EF_RISCV_TSO = 0x10;
    // include/elf/ppc64.h
    private static final long EF_PPC64_ABI = 3;

    private ReadelfMachineFlags() {}

    /**
     * readelf's words for these flags (", Version5 EABI, hard-float ABI"), empty for flags of 0 or a
     * machine whose flags readelf does not decode; none where this class does not follow readelf
     * (ARM EABI versions other than 5, other machines readelf decodes).
     */
    public static Optional<String> words(Machine machine, long flags) {
        if (flags == 0) {
            return Optional.of("");
        }
        StringBuilder b = new StringBuilder();
        if (machine.is(Machine.EM_ARM)) {
            return arm(flags, b);
        } else if (machine.is(Machine.EM_MIPS) || machine.is(Machine.EM_MIPS_RS3_LE)) {
            mips(flags, b);
        } else if (machine.is(Machine.EM_RISCV)) {
            add(b, (flags & EF_RISCV_RVC) != 0, "RVC");
            add(b, (flags & EF_RISCV_RVE) != 0, "RVE");
            add(b, (flags & EF_RISCV_TSO) != 0, "TSO");
            long floatAbi = flags & EF_RISCV_FLOAT_ABI;
            b.append(floatAbi == EF_RISCV_FLOAT_ABI_SOFT ? ", soft-float ABI"
                    : floatAbi == EF_RISCV_FLOAT_ABI_SINGLE ? ", single-float ABI"
                    : floatAbi == EF_RISCV_FLOAT_ABI_DOUBLE ? ", double-float ABI" : ", quad-float ABI");
        } else if (machine.is(Machine.EM_PPC64)) {
            add(b, (flags & EF_PPC64_ABI) != 0, "abiv" + (flags & EF_PPC64_ABI));
        } else if (machine.is(Machine.EM_X86_64) || machine.is(Machine.EM_386) || machine.is(Machine.EM_AARCH64)) {
            return Optional.of(""); // readelf decodes no e_flags bits of these
        } else {
            return Optional.empty();
        }
        return Optional.of(b.toString());
    }

    /** decode_ARM_machine_flags: the generic bits, then the EABI version's bits one at a time. */
    private static Optional<String> arm(long flags, StringBuilder b) {
        long eabi = flags & EF_ARM_EABIMASK;
        long rest = flags & ~EF_ARM_EABIMASK;
        if ((rest & EF_ARM_RELEXEC) != 0) {
            b.append(", relocatable executable");
            rest &= ~EF_ARM_RELEXEC;
        }
        if ((rest & EF_ARM_PIC) != 0) {
            b.append(", position independent");
            rest &= ~EF_ARM_PIC;
        }
        if (eabi != EF_ARM_EABI_VER5) {
            return Optional.empty();
        }
        b.append(", Version5 EABI");
        boolean unknown = false;
        while (rest != 0) {
            long flag = rest & -rest;
            rest &= ~flag;
            String word = ARM_EABI5_FLAGS.get(flag);
            if (word != null) {
                b.append(", ").append(word);
            } else {
                unknown = true;
            }
        }
        add(b, unknown, "<unknown>");
        return Optional.of(b.toString());
    }

    private static void mips(long flags, StringBuilder b) {
        add(b, (flags & EF_MIPS_NOREORDER) != 0, "noreorder");
        add(b, (flags & EF_MIPS_PIC) != 0, "pic");
        add(b, (flags & EF_MIPS_CPIC) != 0, "cpic");
        add(b, (flags & EF_MIPS_UCODE) != 0, "ugen_reserved");
        add(b, (flags & EF_MIPS_ABI2) != 0, "abi2");
        add(b, (flags & EF_MIPS_OPTIONS_FIRST) != 0, "odk first");
        add(b, (flags & EF_MIPS_32BITMODE) != 0, "32bitmode");
        add(b, (flags & EF_MIPS_NAN2008) != 0, "nan2008");
        add(b, (flags & EF_MIPS_FP64) != 0, "fp64");
        long mach = flags & EF_MIPS_MACH;
        if (mach != 0) {
            b.append(", ").append(MIPS_MACHINES.getOrDefault(mach, "unknown CPU"));
        }
        long abi = flags & EF_MIPS_ABI;
        if (abi != 0) {
            b.append(", ").append(MIPS_ABIS.getOrDefault(abi, "unknown ABI"));
        }
        add(b, (flags & EF_MIPS_ARCH_ASE_MDMX) != 0, "mdmx");
        add(b, (flags & EF_MIPS_ARCH_ASE_M16) != 0, "mips16");
        add(b, (flags & EF_MIPS_ARCH_ASE_MICROMIPS) != 0, "micromips");
        b.append(", ").append(MIPS_ARCHES.getOrDefault(flags & EF_MIPS_ARCH, "unknown ISA"));
    }

    private static void add(StringBuilder b, boolean set, String word) {
        if (set) {
            b.append(", ").append(word);
        }
    }
}
