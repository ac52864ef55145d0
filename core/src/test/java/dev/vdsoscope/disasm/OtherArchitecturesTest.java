package dev.vdsoscope.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.abi.SyscallTable;

/**
 * The architectures without a fixture: hand-assembled signal trampolines (the system-call number
 * loaded, then the kernel entry), decoded by Capstone or, where it has no decoder, by the gate-only
 * decoder. Encodings are from each architecture's manual; the expected numbers from the syscall tables.
 */
class OtherArchitecturesTest {
    @ParameterizedTest
    @CsvSource({
            // li r0, 172 ; sc  (ppc64 big-endian rt_sigreturn)
            "PPC64, BIG_ENDIAN, 380000ac44000002, sc, 172, PPC, rt_sigreturn",
            // the same, little-endian
            "PPC64LE, LITTLE_ENDIAN, ac00003802000044, sc, 172, PPC, rt_sigreturn",
            // lghi %r1, 119 ; svc 0  (s390x sigreturn through r1)
            "S390X, BIG_ENDIAN, a71900770a00, svc 0, 119, S390, sigreturn",
            // svc 173  (s390x rt_sigreturn: the number in the instruction)
            "S390X, BIG_ENDIAN, 0aad, svc 173, 173, S390, rt_sigreturn",
            // addiu $v0, $zero, 4119 ; syscall  (mips o32 little-endian sigreturn)
            "MIPS_O32, LITTLE_ENDIAN, 171002240c000000, syscall, 4119, MIPS_O32, sigreturn",
            // li a7, 139 ; ecall  (riscv64 rt_sigreturn)
            "RISCV64, LITTLE_ENDIAN, 9308b00873000000, ecall, 139, GENERIC, rt_sigreturn",
            // li.w $a7, 139 ; syscall 0  (loongarch64 rt_sigreturn)
            "LOONGARCH64, LITTLE_ENDIAN, 0b2c8203 00002b00, syscall 0x0, 139, GENERIC, rt_sigreturn",
            // mov r7, #119 ; svc #0  (arm sigreturn)
            "ARM, LITTLE_ENDIAN, 7770a0e3000000ef, svc #0, 119, ARM, sigreturn",
            // mov x8, #139 ; svc #0  (arm64 rt_sigreturn)
            "AARCH64, LITTLE_ENDIAN, 681180d2010000d4, svc #0, 139, GENERIC, rt_sigreturn"})
    void trampolinesAreRecognised(LinuxAbi abi, String order, String hex, String entry, long number, SyscallTable table,
            String name) throws Exception {
        InstructionSet isa = abi.instructionSet();
        assertThat(abi.syscalls()).as("the ABI's system-call table").isEqualTo(table);
        ByteOrder byteOrder = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        byte[] bytes = HexFormat.of().parseHex(hex.replace(" ", ""));
        List<Instruction> code;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            CapstoneLibrary library = CapstoneLibrary.find().orElse(null);
            if (library != null && library.supports(isa)) {
                try (Capstone cs = Capstone.open(library, isa, byteOrder, Syntax.att)) {
                    code = cs.decode(segment, 0x1000);
                }
            } else {
                code = GateOnlyDecoder.decode(isa, segment, 0x1000);
            }
        }
        int last = code.size() - 1;
        assertThat(GateAnalysis.entryInstruction(abi.gate(), code.get(last))).as(code.toString()).contains(entry);
        assertThat(GateAnalysis.systemCallNumber(abi.gate(), code.get(last), code, last)).as(code.toString()).hasValue(number);
        assertThat(table.name(number)).contains(name);
    }
}
