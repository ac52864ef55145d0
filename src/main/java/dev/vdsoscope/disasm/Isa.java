package dev.vdsoscope.disasm;

import java.nio.ByteOrder;

import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.Machine;

/**
 * An instruction set as Capstone needs to be told: architecture, word size and byte order. The
 * architecture and mode numbers are those of capstone.h in versions 4 and 5 (the same for the
 * architectures used here; RISC-V exists only from 5 on).
 */
public enum Isa {
    X86_32(3, 1 << 2, 1),
    X86_64(3, 1 << 3, 1),
    ARM(0, 0, 4),
    THUMB(0, 1 << 4, 2),
    AARCH64(1, 0, 4),
    MIPS32(2, 1 << 2, 4),
    MIPS64(2, 1 << 3, 4),
    PPC32(4, 1 << 2, 4),
    PPC64(4, 1 << 3, 4),
    SPARC32(5, 0, 4),
    SPARC64(5, 1 << 4, 4),
    S390X(6, 0, 2),
    /** Capstone 5 only; with Capstone 4 only the system-call gate is decoded. */
    RISCV32(15, 1, 2),
    RISCV64(15, 1 << 1, 2),
    /** Not in Capstone 4 or 5: only the system-call gate is decoded. */
    LOONGARCH64(-1, 0, 4);

    private static final int CS_MODE_BIG_ENDIAN = 1 << 31;
    private static final int CS_MODE_RISCVC = 1 << 2;
    private static final long EF_MIPS_ARCH = 0xf0000000L;

    private final int capstoneArch;
    private final int capstoneMode;
    private final int minimumLength;

    Isa(int capstoneArch, int capstoneMode, int minimumLength) {
        this.capstoneArch = capstoneArch;
        this.capstoneMode = capstoneMode;
        this.minimumLength = minimumLength;
    }

    /** An image whose machine has no decoder here, not even the gate-only one. */
    public static final class UnsupportedInstructionSetException extends RuntimeException {
        UnsupportedInstructionSetException(String message) {
            super(message);
        }
    }

    /** The instruction set of an ELF image's code (ARM images may switch to Thumb per symbol). */
    public static Isa of(ElfHeader header) {
        Machine m = header.machine();
        boolean is64 = header.is64();
        if (m.equals(Machine.EM_386) || m.equals(Machine.EM_IAMCU)) {
            return X86_32;
        }
        if (m.equals(Machine.EM_X86_64)) {
            return X86_64; // x32 is ELFCLASS32 but runs 64-bit code
        }
        if (m.equals(Machine.EM_ARM)) {
            return ARM;
        }
        if (m.equals(Machine.EM_AARCH64)) {
            return AARCH64;
        }
        if (m.equals(Machine.EM_MIPS) || m.equals(Machine.EM_MIPS_RS3_LE)) {
            // n32 images are ELFCLASS32 with 64-bit code: the e_flags architecture field says so.
            long arch = header.flags() & EF_MIPS_ARCH;
            return is64 || arch == 0x60000000L || arch == 0x80000000L || arch == 0xa0000000L ? MIPS64 : MIPS32;
        }
        if (m.equals(Machine.EM_PPC)) {
            return PPC32;
        }
        if (m.equals(Machine.EM_PPC64)) {
            return PPC64;
        }
        if (m.equals(Machine.EM_SPARC) || m.equals(Machine.EM_SPARC32PLUS)) {
            return SPARC32;
        }
        if (m.equals(Machine.EM_SPARCV9)) {
            return SPARC64;
        }
        if (m.equals(Machine.EM_S390)) {
            return S390X;
        }
        if (m.equals(Machine.EM_RISCV)) {
            return is64 ? RISCV64 : RISCV32;
        }
        if (m.equals(Machine.EM_LOONGARCH)) {
            return LOONGARCH64;
        }
        throw new UnsupportedInstructionSetException("no disassembler for " + m.description() + " (" + m.cName() + ")");
    }

    /** Whether the Capstone of this major version can decode this instruction set. */
    public boolean capstoneKnows(int major) {
        return capstoneArch >= 0 && (this != RISCV32 && this != RISCV64 || major >= 5);
    }

    int capstoneArch() {
        return capstoneArch;
    }

    int capstoneMode(ByteOrder order) {
        int mode = capstoneMode;
        if (this == RISCV32 || this == RISCV64) {
            mode |= CS_MODE_RISCVC;
        }
        // SystemZ and SPARC are big-endian only, and Capstone wants to be told.
        boolean big = order == ByteOrder.BIG_ENDIAN || this == S390X || this == SPARC32 || this == SPARC64;
        return big && this != X86_32 && this != X86_64 ? mode | CS_MODE_BIG_ENDIAN : mode;
    }

    /** The shortest instruction: how far to step over bytes that do not decode. */
    public int minimumLength() {
        return minimumLength;
    }

    public boolean isX86() {
        return this == X86_32 || this == X86_64;
    }

    public boolean isArm32() {
        return this == ARM || this == THUMB;
    }
}
