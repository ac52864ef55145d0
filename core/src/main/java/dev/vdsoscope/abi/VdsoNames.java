package dev.vdsoscope.abi;

import java.util.Set;

/**
 * What an ABI's vDSO is called and exports: the soname, the symbol prefix and the version node, from
 * the kernel's linker scripts (arch/*&#47;vdso*.lds.S) and its selftests
 * (tools/testing/selftests/vDSO/vdso_config.h).
 *
 * @param soname        what ld.so and ldd print for it, e.g. {@code linux-vdso.so.1}
 * @param prefix        of every exported name, e.g. {@code __vdso_}
 * @param version       the version node every exported function carries, e.g. {@code LINUX_2.6}
 * @param functions     what a current kernel exports (older kernels may lack some)
 * @param callableFromC whether the functions follow the C calling convention: PowerPC's report
 *                      errors in CR0[SO] like a system call, so calling them as C functions would
 *                      misread failures
 */
public record VdsoNames(String soname, String prefix, String version, Set<VdsoFunction> functions,
        boolean callableFromC) {

    public VdsoNames {
        functions = Set.copyOf(functions);
    }

    /** The exported symbol name of a function, e.g. {@code __vdso_clock_gettime}. */
    public String symbol(VdsoFunction function) {
        return prefix + function.cName();
    }
}
