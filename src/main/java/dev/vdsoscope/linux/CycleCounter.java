package dev.vdsoscope.linux;

import java.util.Optional;

import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.abi.LinuxAbi;

/**
 * The CPU counter the vDSO's clocks are computed from, read by this process with the instruction
 * the vDSO itself uses, in generated code: on x86-64 the time-stamp counter ({@code rdtsc} after an
 * {@code lfence}, so it is not read before the loads that precede it, as the kernel's
 * {@code rdtsc_ordered()}); on arm64 the virtual count ({@code cntvct_el0} after an {@code isb}, as
 * the kernel's {@code __arch_counter_get_cntvct()}). Elsewhere {@link #available()} is false.
 */
public final class CycleCounter {
    private CycleCounter() {}

    /** x86-64 System V: {@code uint64_t f(void)}: lfence; rdtsc; shl rdx,32; or rax,rdx; ret. */
    private static final byte[] X86_64_CODE = {
        0x0f, (byte) 0xae, (byte) 0xe8, 0x0f, 0x31, 0x48, (byte) 0xc1, (byte) 0xe2, 0x20, 0x48, 0x09, (byte) 0xd0,
        (byte) 0xc3,
    };
    /** AArch64, little-endian words: isb (0xd5033fdf); mrs x0, cntvct_el0 (0xd53be040); ret (0xd65f03c0). */
    private static final byte[] AARCH64_CODE = {
        (byte) 0xdf, 0x3f, 0x03, (byte) 0xd5, 0x40, (byte) 0xe0, 0x3b, (byte) 0xd5, (byte) 0xc0, 0x03, 0x5f, (byte) 0xd6,
    };

    /** Bound on first use: a process that never reads the counter maps no code. */
    private static final class Bound {
        static final MachineCode.Function READ;
        static final String UNAVAILABLE;

        static {
            MachineCode.Function read = null;
            String why = null;
            Optional<InstructionSet> isa = LinuxAbi.host().map(LinuxAbi::instructionSet);
            byte[] code = isa.map(CycleCounter::codeFor).orElse(null);
            if (code == null) {
                why = "the vDSO's counter is read here only on x86-64 and arm64, and this is "
                        + LinuxAbi.host().map(LinuxAbi::displayName).orElse("another machine");
            } else {
                try {
                    read = MachineCode.load(code).function(0);
                } catch (MachineCode.UnavailableException e) {
                    why = e.getMessage();
                }
            }
            READ = read;
            UNAVAILABLE = why;
        }
    }

    private static byte[] codeFor(InstructionSet isa) {
        return switch (isa) {
            case X86_64 -> X86_64_CODE;
            case AARCH64 -> AARCH64_CODE;
            default -> null;
        };
    }

    /** Whether the counter can be read here; {@link #unavailableReason()} says why not. */
    public static boolean available() {
        return Bound.READ != null;
    }

    /** Why the counter cannot be read here; empty when it can. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(Bound.UNAVAILABLE);
    }

    /**
     * The counter's value now (on x86-64 the full 64-bit TSC; the vDSO clears its top bit itself).
     *
     * @throws IllegalStateException where it is not {@link #available()}
     */
    public static long read() {
        if (Bound.READ == null) {
            throw new IllegalStateException(Bound.UNAVAILABLE);
        }
        return Bound.READ.call(0, 0, 0);
    }
}
