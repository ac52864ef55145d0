package dev.vdsoscope.disasm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import dev.vdsoscope.abi.InstructionSet;

/**
 * For instruction sets the installed Capstone cannot decode (RISC-V before Capstone 5, LoongArch):
 * finds instruction boundaries, decodes the kernel-entry instruction and the constant load of the
 * system-call number register before it, and shows every other instruction as a raw word.
 */
final class GateOnlyDecoder {
    /** RISC-V {@code ecall}. */
    static final int RISCV_ECALL = 0x00000073;
    /** LoongArch {@code syscall 0}. */
    static final int LOONGARCH_SYSCALL_0 = 0x002b0000;
    /** RISC-V {@code addi a7, zero, imm} without its immediate: {@code li a7, imm}. */
    private static final int RISCV_LI_A7 = 0x00000893;
    /** LoongArch {@code ori a7, zero, imm} without its immediate: {@code li.w a7, imm}. */
    private static final int LOONGARCH_LI_A7 = 0x0380000b;

    private GateOnlyDecoder() {}

    static List<Instruction> decode(InstructionSet isa, MemorySegment code, long address) {
        List<Instruction> result = new ArrayList<>();
        ValueLayout.OfShort half = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfInt word = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        long offset = 0;
        while (offset < code.byteSize()) {
            long left = code.byteSize() - offset;
            // RISC-V: the low two bits 11 mark a 32-bit instruction, anything else a 16-bit compressed one.
            boolean compressed = (isa == InstructionSet.RISCV32 || isa == InstructionSet.RISCV64) && left >= 2
                    && (code.get(half, offset) & 3) != 3;
            int length = compressed ? 2 : (int) Math.min(4, left);
            byte[] bytes = code.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
            long at = address + offset;
            if (length == 4) {
                result.add(word(isa, at, bytes, code.get(word, offset)));
            } else {
                result.add(Capstone.data(bytes, at, ByteOrder.LITTLE_ENDIAN));
            }
            offset += length;
        }
        return result;
    }

    private static Instruction word(InstructionSet isa, long at, byte[] bytes, int value) {
        switch (isa) {
            case LOONGARCH64 -> {
                if (value == LOONGARCH_SYSCALL_0) {
                    return new Instruction(at, bytes, "syscall", "0x0");
                }
                if ((value & 0xffc003ff) == LOONGARCH_LI_A7) {
                    return new Instruction(at, bytes, "li.w", "$a7, " + ((value >>> 10) & 0xfff));
                }
            }
            case RISCV32, RISCV64 -> {
                if (value == RISCV_ECALL) {
                    return new Instruction(at, bytes, "ecall", "");
                }
                if ((value & 0x000fffff) == RISCV_LI_A7) {
                    return new Instruction(at, bytes, "li", "a7, " + (value >> 20));
                }
            }
            default -> throw new IllegalArgumentException("no gate-only decoder for " + isa);
        }
        return Capstone.data(bytes, at, ByteOrder.LITTLE_ENDIAN);
    }
}
