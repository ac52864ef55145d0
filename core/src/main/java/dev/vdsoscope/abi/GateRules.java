package dev.vdsoscope.abi;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How an ABI's code enters the kernel, as data for the gate analysis: the entry instructions, the
 * register that carries the system-call number, and how a constant is loaded into it. Register and
 * mnemonic names are Capstone's, in AT&amp;T syntax on x86 (the syntax the analysis disassembles in).
 *
 * @param entries          the kernel-entry instructions
 * @param numberRegisters  the names of the system-call number register (all widths and spellings)
 * @param destinationLast  whether an instruction's destination is its last operand (AT&amp;T, SPARC)
 * @param numberInEntry    whether the entry instruction may carry the number itself (s390 {@code svc N},
 *                         N below 256; 0 means "in %r1")
 * @param loadMnemonics    instructions that load a constant into a register
 * @param addToZero        instructions that load a constant by adding it to the zero register
 *                         ({@code addiu $v0, $zero, N})
 * @param zeroRegisters    the zero register's spellings
 * @param calls            instructions that call: a walk back for the number stops there
 * @param entryFunction    the vDSO function that programs call to enter the kernel, where there is
 *                         one: i386's {@code __kernel_vsyscall}, which holds the fastest gate the CPU has
 */
public record GateRules(List<KernelEntry> entries, Set<String> numberRegisters, boolean destinationLast,
        boolean numberInEntry, Set<String> loadMnemonics, Set<String> addToZero, Set<String> zeroRegisters,
        Set<String> calls, Optional<String> entryFunction) {

    /**
     * One kernel-entry instruction: known by its exact bytes ({@code encoding}, x86) or by its
     * mnemonic (the others), and shown as {@code spelled}, followed by its operands when
     * {@code withOperands}.
     */
    public record KernelEntry(String spelled, byte[] encoding, Set<String> mnemonics, boolean withOperands) {
        static KernelEntry bytes(String spelled, int... encoding) {
            byte[] bytes = new byte[encoding.length];
            for (int i = 0; i < encoding.length; i++) {
                bytes[i] = (byte) encoding[i];
            }
            return new KernelEntry(spelled, bytes, Set.of(), false);
        }

        static KernelEntry mnemonic(String spelled, boolean withOperands, String... mnemonics) {
            return new KernelEntry(spelled, null, Set.of(mnemonics), withOperands);
        }

        /** How an instruction is shown when it is this entry, or null when it is not. */
        public String match(byte[] instruction, String mnemonic, String operands) {
            if (encoding != null) {
                return Arrays.equals(encoding, instruction) ? spelled : null;
            }
            if (!mnemonics.contains(mnemonic)) {
                return null;
            }
            return withOperands && !operands.isEmpty() ? spelled + " " + operands : spelled;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof KernelEntry k && k.spelled.equals(spelled) && Arrays.equals(k.encoding, encoding)
                    && k.mnemonics.equals(mnemonics) && k.withOperands == withOperands;
        }

        @Override
        public int hashCode() {
            return spelled.hashCode() * 31 + Arrays.hashCode(encoding);
        }

        @Override
        public String toString() {
            return spelled;
        }
    }

    /** The entry this instruction is, shown the usual way, or null. */
    public String entry(byte[] instruction, String mnemonic, String operands) {
        for (KernelEntry e : entries) {
            String shown = e.match(instruction, mnemonic, operands);
            if (shown != null) {
                return shown;
            }
        }
        return null;
    }

    /** Loads of a constant, as Capstone spells them on every ISA here (a .w or .n width suffix dropped). */
    private static final Set<String> LOADS = Set.of("mov", "movs", "movw", "movz", "movl", "movq", "li", "li.w",
            "lghi", "lhi", "lgfi");
    private static final Set<String> ADD_TO_ZERO = Set.of("addi", "addiu", "ori");
    private static final Set<String> ZERO = Set.of("$zero", "zero", "$0", "r0", "0");
    private static final Set<String> CALLS = Set.of("call", "calll", "callq", "callw", "bl", "jal", "bal", "brasl", "bras");

    static final GateRules X86 = rules(true, false, Set.of("%eax", "%rax"), KernelEntry.bytes("int $0x80", 0xcd, 0x80),
            KernelEntry.bytes("sysenter", 0x0f, 0x34), KernelEntry.bytes("syscall", 0x0f, 0x05))
            .withEntryFunction("__kernel_vsyscall");
    static final GateRules ARM = rules(false, false, Set.of("r7"), KernelEntry.mnemonic("svc", true, "svc", "swi"));
    static final GateRules AARCH64 = rules(false, false, Set.of("x8", "w8"), KernelEntry.mnemonic("svc", true, "svc"));
    static final GateRules PPC = rules(false, false, Set.of("r0", "0"), KernelEntry.mnemonic("sc", true, "sc"),
            KernelEntry.mnemonic("scv", true, "scv"));
    static final GateRules S390 = rules(false, true, Set.of("%r1"), KernelEntry.mnemonic("svc", true, "svc"));
    static final GateRules MIPS = rules(false, false, Set.of("$v0", "$2", "v0"),
            KernelEntry.mnemonic("syscall", true, "syscall"));
    static final GateRules RISCV = rules(false, false, Set.of("a7"), KernelEntry.mnemonic("ecall", false, "ecall"));
    static final GateRules LOONGARCH = rules(false, false, Set.of("$a7", "$r11"),
            KernelEntry.mnemonic("syscall", true, "syscall"));
    static final GateRules SPARC = rules(true, false, Set.of("%g1"), KernelEntry.mnemonic("ta", true, "ta"));

    private static GateRules rules(boolean destinationLast, boolean numberInEntry, Set<String> numberRegisters,
            KernelEntry... entries) {
        return new GateRules(List.of(entries), numberRegisters, destinationLast, numberInEntry, LOADS, ADD_TO_ZERO,
                ZERO, CALLS, Optional.empty());
    }

    private GateRules withEntryFunction(String name) {
        return new GateRules(entries, numberRegisters, destinationLast, numberInEntry, loadMnemonics, addToZero,
                zeroRegisters, calls, Optional.of(name));
    }
}
