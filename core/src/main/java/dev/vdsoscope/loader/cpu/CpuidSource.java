package dev.vdsoscope.loader.cpu;

import java.util.Optional;

import dev.vdsoscope.linux.Cpuid;
import dev.vdsoscope.linux.Cpuid.Registers;

/**
 * Where the answers to {@code cpuid} and {@code xgetbv(0)} come from: this CPU, or a recorded one
 * ({@link RecordedCpu}). glibc's CPU model reads nothing else.
 */
public interface CpuidSource {
    /** The registers cpuid gives for EAX = leaf, ECX = subleaf. */
    Registers query(int leaf, int subleaf);

    /**
     * XCR0, the register states the operating system has enabled; asked only when CPUID.1:ECX.OSXSAVE
     * is set, as glibc asks it.
     */
    long xcr0();

    /** What this source is, for messages ("this CPU", a file name). */
    String description();

    /** This process's CPU, or empty (with the reason) where cpuid cannot be executed. */
    static Optional<CpuidSource> host() {
        if (!Cpuid.available()) {
            return Optional.empty();
        }
        return Optional.of(new CpuidSource() {
            @Override
            public Registers query(int leaf, int subleaf) {
                return Cpuid.query(leaf, subleaf).orElseThrow();
            }

            @Override
            public long xcr0() {
                return Cpuid.xcr0().orElse(0L);
            }

            @Override
            public String description() {
                return "this CPU (cpuid and xgetbv executed by vdsoscope)";
            }
        });
    }
}
