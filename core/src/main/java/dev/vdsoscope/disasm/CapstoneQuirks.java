package dev.vdsoscope.disasm;

import dev.vdsoscope.abi.InstructionSet;
/** Corrections for instructions Capstone 4 gets wrong, where the vDSO's code meets them. */
final class CapstoneQuirks {
    private CapstoneQuirks() {}

    static Instruction correct(InstructionSet isa, Instruction insn) {
        if (isa.isX86() && insn.mnemonic().startsWith("rdseed")) {
            return rdpid(isa, insn);
        }
        if (isa == InstructionSet.S390X && insn.mnemonic().equals(".short") && insn.bytes()[0] == 0x0a) {
            // SVC I (opcode 0x0a, an 8-bit immediate): Capstone 4's SystemZ tables lack it.
            return new Instruction(insn.address(), insn.bytes(), "svc", Integer.toString(insn.bytes()[1] & 0xff));
        }
        return insn;
    }

    /**
     * Capstone 4 reads RDPID (F3 0F C7 /7 with a register operand, the getcpu alternative) as RDSEED,
     * ignoring the F3 prefix; binutils and the SDM say RDPID, whose operand is 64-bit in 64-bit mode.
     */
    private static Instruction rdpid(InstructionSet isa, Instruction insn) {
        byte[] b = insn.bytes();
        int opcode = b.length >= 4 && (b[1] & 0xf0) == 0x40 ? 2 : 1;
        boolean rdpid = (b[0] & 0xff) == 0xf3 && b.length == opcode + 3 && b[opcode] == 0x0f
                && (b[opcode + 1] & 0xff) == 0xc7 && (b[opcode + 2] & 0xf8) == 0xf8;
        if (!rdpid) {
            return insn;
        }
        String operand = insn.operands();
        if (isa == InstructionSet.X86_64) {
            operand = operand.replaceFirst("(%?)e([a-z]{2})$", "$1r$2").replaceFirst("(%?r\\d+)d$", "$1");
        }
        return new Instruction(insn.address(), b, "rdpid", operand);
    }
}
