package dev.vdsoscope.disasm;

import java.nio.ByteOrder;

import dev.vdsoscope.abi.InstructionSet;

/**
 * How Capstone is told each instruction set: its architecture and mode numbers, those of capstone.h
 * in versions 4 and 5 (the same for the architectures used here; RISC-V exists only from 5 on, and
 * LoongArch in neither).
 */
final class CapstoneTarget {
    private CapstoneTarget() {}

    private static final int CS_MODE_BIG_ENDIAN = 1 << 31;
    private static final int CS_MODE_RISCVC = 1 << 2;
    /** No Capstone architecture: only the system-call gate is decoded (GateOnlyDecoder). */
    private static final int NONE = -1;

    static int arch(InstructionSet set) {
        return switch (set) {
            case X86_32, X86_64 -> 3;
            case ARM, THUMB -> 0;
            case AARCH64 -> 1;
            case MIPS32, MIPS64 -> 2;
            case PPC32, PPC64 -> 4;
            case SPARC32, SPARC64 -> 5;
            case S390X -> 6;
            case RISCV32, RISCV64 -> 15;
            case LOONGARCH64 -> NONE;
        };
    }

    static int mode(InstructionSet set, ByteOrder order) {
        int mode = switch (set) {
            case X86_32 -> 1 << 2;
            case X86_64 -> 1 << 3;
            case ARM, AARCH64, SPARC32, S390X, LOONGARCH64 -> 0;
            case THUMB -> 1 << 4;
            case MIPS32, PPC32 -> 1 << 2;
            case MIPS64, PPC64 -> 1 << 3;
            case SPARC64 -> 1 << 4;
            case RISCV32 -> 1 | CS_MODE_RISCVC;
            case RISCV64 -> (1 << 1) | CS_MODE_RISCVC;
        };
        // SystemZ and SPARC are big-endian only, and Capstone wants to be told.
        boolean big = order == ByteOrder.BIG_ENDIAN || set.bigEndianOnly();
        return big && !set.isX86() ? mode | CS_MODE_BIG_ENDIAN : mode;
    }

    /** Whether the Capstone of this major version can decode the instruction set. */
    static boolean knows(InstructionSet set, int major) {
        return arch(set) != NONE && (set != InstructionSet.RISCV32 && set != InstructionSet.RISCV64 || major >= 5);
    }
}
