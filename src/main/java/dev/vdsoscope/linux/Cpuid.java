package dev.vdsoscope.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * The x86 CPUID instruction as the kernel's cpuid driver offers it: reading 16 bytes of
 * /dev/cpu/0/cpuid at offset LEAF gives EAX, EBX, ECX and EDX. Needs the driver and root
 * (CAP_SYS_RAWIO); empty otherwise, so callers say "unknown" rather than guess.
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

    public static Optional<Registers> leaf(int leaf) {
        int fd;
        try {
            fd = Libc.openReadOnly("/dev/cpu/0/cpuid");
        } catch (Libc.ErrnoException e) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(16, 4);
            if (Libc.pread(fd, buffer, Integer.toUnsignedLong(leaf)) != 16) {
                return Optional.empty();
            }
            return Optional.of(new Registers(buffer.get(JAVA_INT, 0), buffer.get(JAVA_INT, 4), buffer.get(JAVA_INT, 8),
                    buffer.get(JAVA_INT, 12)));
        } catch (Libc.ErrnoException e) {
            return Optional.empty();
        } finally {
            Libc.close(fd);
        }
    }

    /** The hypervisor's signature from leaf 0x40000000 (EBX, ECX, EDX), e.g. "KVMKVMKVM". */
    public static Optional<String> hypervisorSignature() {
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
