package dev.vdsoscope.linux;

import java.util.Optional;

import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.abi.LinuxAbi;

/**
 * The x86 {@code cpuid} and {@code xgetbv} instructions, executed by this process on the CPU it
 * runs on, exactly as glibc's ld.so executes them at start-up (so the answers are the ones ld.so
 * sees: a hypervisor's CPUID, the OS's XCR0). No root, no /dev/cpu driver. On any other machine
 * than x86-64 {@link #available()} is false and every query is empty.
 */
public final class Cpuid {
    private Cpuid() {}

    /** The four registers of one leaf. */
    public record Registers(int eax, int ebx, int ecx, int edx) {}

    /** The hypervisor leaves (0x40000000 and up) describe the hypervisor; KVM's features sit in 0x40000001. */
    public static final int HYPERVISOR_LEAF = 0x40000000;
    public static final int KVM_FEATURES_LEAF = 0x40000001;
    /** KVM_FEATURE_CLOCKSOURCE_STABLE_BIT: the host guarantees kvm-clock's PVCLOCK_TSC_STABLE_BIT. */
    public static final int KVM_FEATURE_CLOCKSOURCE_STABLE_BIT = 24;
    /** CPUID.1:ECX.OSXSAVE: the OS has set CR4.OSXSAVE, so {@code xgetbv} may be executed. */
    private static final int OSXSAVE = 1 << 27;

    /**
     * x86-64 System V code, two functions.
     * At 0, {@code uint64_t cpuid(uint32_t leaf, uint32_t subleaf, uint32_t half)}: EDX:EAX... as
     * two halves, EBX:EAX for half 0 and EDX:ECX otherwise (two calls, but no memory passed):
     * push rbx; mov eax,edi; mov ecx,esi; mov r8d,edx; cpuid; test r8d,r8d; jnz high;
     * shl rbx,32; or rax,rbx; pop rbx; ret; high: mov eax,ecx; shl rdx,32; or rax,rdx; pop rbx; ret.
     * At 40, {@code uint64_t xgetbv(uint32_t index)}: mov ecx,edi; xgetbv; shl rdx,32; or rax,rdx; ret.
     * (A 32-bit register write clears the upper half, so each shifted register holds only its value.)
     */
    private static final byte[] CODE = {
        0x53, (byte) 0x89, (byte) 0xf8, (byte) 0x89, (byte) 0xf1, 0x41, (byte) 0x89, (byte) 0xd0, 0x0f, (byte) 0xa2,
        0x45, (byte) 0x85, (byte) 0xc0, 0x75, 0x09,
        0x48, (byte) 0xc1, (byte) 0xe3, 0x20, 0x48, 0x09, (byte) 0xd8, 0x5b, (byte) 0xc3,
        (byte) 0x89, (byte) 0xc8, 0x48, (byte) 0xc1, (byte) 0xe2, 0x20, 0x48, 0x09, (byte) 0xd0, 0x5b, (byte) 0xc3,
        (byte) 0x90, (byte) 0x90, (byte) 0x90, (byte) 0x90, (byte) 0x90,
        (byte) 0x89, (byte) 0xf9, 0x0f, 0x01, (byte) 0xd0, 0x48, (byte) 0xc1, (byte) 0xe2, 0x20,
        0x48, 0x09, (byte) 0xd0, (byte) 0xc3,
    };
    private static final int CPUID_ENTRY = 0;
    private static final int XGETBV_ENTRY = 40;

    /** Bound on first use: a process that never asks maps no code. */
    private static final class Bound {
        static final MachineCode.Function CPUID;
        static final MachineCode.Function XGETBV;
        static final String UNAVAILABLE;

        static {
            MachineCode.Function cpuid = null;
            MachineCode.Function xgetbv = null;
            String why = null;
            if (!isX86_64()) {
                why = "cpuid is an x86-64 instruction here, and this is "
                        + LinuxAbi.host().map(LinuxAbi::displayName).orElse("another machine");
            } else {
                try {
                    MachineCode code = MachineCode.load(CODE);
                    cpuid = code.function(CPUID_ENTRY);
                    xgetbv = code.function(XGETBV_ENTRY);
                } catch (MachineCode.UnavailableException e) {
                    why = e.getMessage();
                }
            }
            CPUID = cpuid;
            XGETBV = xgetbv;
            UNAVAILABLE = why;
        }
    }

    private static boolean isX86_64() {
        return LinuxAbi.host().map(LinuxAbi::instructionSet).orElse(null) == InstructionSet.X86_64;
    }

    /** Whether this process can execute cpuid; {@link #unavailableReason()} says why not. */
    public static boolean available() {
        return Bound.CPUID != null;
    }

    /** Why cpuid cannot be executed here; empty when it can. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(Bound.UNAVAILABLE);
    }

    /** cpuid with EAX = leaf and ECX = subleaf. */
    public static Optional<Registers> query(int leaf, int subleaf) {
        if (!available()) {
            return Optional.empty();
        }
        long low = Bound.CPUID.call(Integer.toUnsignedLong(leaf), Integer.toUnsignedLong(subleaf), 0);
        long high = Bound.CPUID.call(Integer.toUnsignedLong(leaf), Integer.toUnsignedLong(subleaf), 1);
        return Optional.of(new Registers((int) low, (int) (low >>> 32), (int) high, (int) (high >>> 32)));
    }

    /** cpuid with EAX = leaf and ECX = 0. */
    public static Optional<Registers> leaf(int leaf) {
        return query(leaf, 0);
    }

    /**
     * xgetbv(0): XCR0, the register states the OS saves and restores. Empty where the OS has not
     * enabled XSAVE (CPUID.1:ECX.OSXSAVE clear), where the instruction would fault. Only XCR0 is
     * offered: reading XCR1 needs CPUID.(0xD,1):EAX[2] too, and any other index faults, which in this
     * process would end the JVM.
     */
    public static Optional<Long> xcr0() {
        Optional<Registers> leaf1 = leaf(1);
        if (leaf1.isEmpty() || (leaf1.get().ecx() & OSXSAVE) == 0 || leaf(0).orElseThrow().eax() < 1) {
            return Optional.empty();
        }
        return Optional.of(Bound.XGETBV.call(0, 0, 0));
    }

    /**
     * The hypervisor's signature from leaf 0x40000000 (EBX, ECX, EDX), e.g. "KVMKVMKVM"; empty on
     * bare metal (CPUID.1:ECX bit 31 clear), where that leaf holds unrelated data.
     */
    public static Optional<String> hypervisorSignature() {
        if (leaf(1).map(r -> r.ecx() >= 0).orElse(true)) {
            return Optional.empty();
        }
        return leaf(HYPERVISOR_LEAF).map(r -> {
            StringBuilder s = new StringBuilder();
            for (int word : new int[] {r.ebx(), r.ecx(), r.edx()}) {
                for (int i = 0; i < 4; i++) {
                    char c = (char) ((word >>> (8 * i)) & 0xff);
                    if (c != 0) {
                        s.append(c);
                    }
                }
            }
            return s.toString();
        });
    }
}
