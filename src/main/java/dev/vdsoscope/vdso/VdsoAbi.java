package dev.vdsoscope.vdso;

import static dev.vdsoscope.vdso.VdsoFunction.CLOCK_GETRES;
import static dev.vdsoscope.vdso.VdsoFunction.CLOCK_GETTIME;
import static dev.vdsoscope.vdso.VdsoFunction.CLOCK_GETTIME64;
import static dev.vdsoscope.vdso.VdsoFunction.GETCPU;
import static dev.vdsoscope.vdso.VdsoFunction.GETRANDOM;
import static dev.vdsoscope.vdso.VdsoFunction.GETTIMEOFDAY;
import static dev.vdsoscope.vdso.VdsoFunction.TIME;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.Machine;

/**
 * What each architecture's vDSO is called and exports: the soname, the symbol prefix and the version
 * node, from the kernel's linker scripts (arch/*&#47;vdso*.lds.S) and its selftests
 * (tools/testing/selftests/vDSO/vdso_config.h).
 */
public enum VdsoAbi {
    X86_64("x86-64", "linux-vdso.so.1", "__vdso_", "LINUX_2.6",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, TIME, CLOCK_GETRES, GETCPU, GETRANDOM)),
    X32("x32", "linux-vdso.so.1", "__vdso_", "LINUX_2.6",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, TIME, CLOCK_GETRES, GETCPU, GETRANDOM)),
    I386("i386", "linux-gate.so.1", "__vdso_", "LINUX_2.6",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, TIME, CLOCK_GETRES, GETCPU, CLOCK_GETTIME64)),
    ARM64("arm64", "linux-vdso.so.1", "__kernel_", "LINUX_2.6.39",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, GETRANDOM)),
    ARM("arm", "linux-vdso.so.1", "__vdso_", "LINUX_2.6",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, CLOCK_GETTIME64)),
    PPC64("ppc64", "linux-vdso64.so.1", "__kernel_", "LINUX_2.6.15",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, TIME, CLOCK_GETRES, GETCPU, GETRANDOM)),
    PPC32("ppc32", "linux-vdso32.so.1", "__kernel_", "LINUX_2.6.15",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, TIME, CLOCK_GETRES, GETCPU, CLOCK_GETTIME64)),
    S390X("s390x", "linux-vdso64.so.1", "__kernel_", "LINUX_2.6.29",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, GETCPU, GETRANDOM)),
    S390("s390", "linux-vdso32.so.1", "__kernel_", "LINUX_2.6.29",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, GETCPU)),
    RISCV("riscv", "linux-vdso.so.1", "__vdso_", "LINUX_4.15",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, GETCPU)),
    LOONGARCH("loongarch", "linux-vdso.so.1", "__vdso_", "LINUX_5.10",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, GETCPU, GETRANDOM)),
    MIPS("mips", "linux-vdso.so.1", "__vdso_", "LINUX_2.6",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, CLOCK_GETTIME64)),
    SPARC64("sparc64", "linux-vdso.so.1", "__vdso_", "LINUX_2.6",
            EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, TIME));

    private final String displayName;
    private final String soname;
    private final String prefix;
    private final String version;
    private final Set<VdsoFunction> functions;

    VdsoAbi(String displayName, String soname, String prefix, String version, Set<VdsoFunction> functions) {
        this.displayName = displayName;
        this.soname = soname;
        this.prefix = prefix;
        this.version = version;
        this.functions = functions;
    }

    public String displayName() {
        return displayName;
    }

    /** The soname ld.so and ldd print for this ABI's vDSO. */
    public String soname() {
        return soname;
    }

    /** The version node every exported function carries, e.g. LINUX_2.6. */
    public String version() {
        return version;
    }

    /** The functions a current kernel exports for this ABI (older kernels may lack some). */
    public Set<VdsoFunction> functions() {
        return functions;
    }

    /** The exported symbol name of a function, e.g. {@code __vdso_clock_gettime}. */
    public String symbol(VdsoFunction function) {
        return prefix + function.cName();
    }

    /**
     * Whether the functions follow the C calling convention. PowerPC's report errors in CR0[SO]
     * like a system call, so calling them as C functions would misread failures.
     */
    public boolean callableFromC() {
        return this != PPC64 && this != PPC32;
    }

    /** The ABI of an image, from its machine and class. */
    public static Optional<VdsoAbi> of(ElfHeader header) {
        boolean is64 = header.is64();
        Machine m = header.machine();
        VdsoAbi abi = switch ((int) m.value()) {
            case 62 -> is64 ? X86_64 : X32;
            case 3 -> I386;
            case 183 -> ARM64;
            case 40 -> ARM;
            case 21 -> PPC64;
            case 20 -> PPC32;
            case 22 -> is64 ? S390X : S390;
            case 243 -> RISCV;
            case 258 -> LOONGARCH;
            case 8, 10 -> MIPS;
            case 43 -> SPARC64;
            default -> null;
        };
        return Optional.ofNullable(abi);
    }
}
