package dev.vdsoscope.loader;

import java.util.List;
import java.util.Optional;

import dev.vdsoscope.elf.ElfClass;
import dev.vdsoscope.elf.ElfData;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.vdso.VdsoAbi;

/**
 * What glibc's dynamic loader for one ABI is built with: the ld.so.cache flags it accepts
 * (sysdeps/unix/sysv/linux/&#42;/dl-cache.h), its trusted directories and its $LIB, as Debian's
 * multiarch build configures them (checked against {@code ld.so --help} in the tests), and the
 * interpreter path the ABI's executables name.
 *
 * @param cacheFlags   the {@code _DL_CACHE_DEFAULT_ID} of the ABI: ld.so.cache entries with other
 *                     flags belong to another ABI and are passed over
 * @param multiarch    Debian's multiarch tuple, which names the trusted directories and $LIB
 */
public record TargetAbi(String name, ElfClass elfClass, ElfData data, Machine machine, int cacheFlags,
        String multiarch, String interpreter, Optional<VdsoAbi> vdso) {

    private static final int FLAG_ELF_LIBC6 = 0x0003;
    private static final int FLAG_X8664_LIB64 = 0x0300;
    private static final int FLAG_X8664_LIBX32 = 0x0800;
    private static final int FLAG_AARCH64_LIB64 = 0x0a00;
    private static final int FLAG_ARM_LIBHF = 0x0900;
    private static final int FLAG_POWERPC_LIB64 = 0x0500;
    private static final int FLAG_S390_LIB64 = 0x0400;
    private static final int FLAG_RISCV_FLOAT_ABI_DOUBLE = 0x1000;
    private static final int FLAG_LARCH_FLOAT_ABI_DOUBLE = 0x1200;

    /** The ABI of an executable or library, or empty for machines this model does not know. */
    public static Optional<TargetAbi> of(ElfHeader header) {
        boolean is64 = header.is64();
        ElfData data = header.data();
        Optional<VdsoAbi> vdso = VdsoAbi.of(header);
        TargetAbi abi = switch ((int) header.machine().value()) {
            case 62 -> is64
                    ? new TargetAbi("x86-64", ElfClass.ELFCLASS64, data, Machine.EM_X86_64,
                            FLAG_X8664_LIB64 | FLAG_ELF_LIBC6, "x86_64-linux-gnu", "/lib64/ld-linux-x86-64.so.2", vdso)
                    : new TargetAbi("x32", ElfClass.ELFCLASS32, data, Machine.EM_X86_64,
                            FLAG_X8664_LIBX32 | FLAG_ELF_LIBC6, "x86_64-linux-gnux32", "/libx32/ld-linux-x32.so.2", vdso);
            case 3 -> new TargetAbi("i386", ElfClass.ELFCLASS32, data, Machine.EM_386, FLAG_ELF_LIBC6,
                    "i386-linux-gnu", "/lib/ld-linux.so.2", vdso);
            case 183 -> is64 ? new TargetAbi("aarch64", ElfClass.ELFCLASS64, data, Machine.EM_AARCH64,
                    FLAG_AARCH64_LIB64 | FLAG_ELF_LIBC6, "aarch64-linux-gnu", "/lib/ld-linux-aarch64.so.1", vdso) : null;
            case 40 -> new TargetAbi("armhf", ElfClass.ELFCLASS32, data, Machine.EM_ARM,
                    FLAG_ARM_LIBHF | FLAG_ELF_LIBC6, "arm-linux-gnueabihf", "/lib/ld-linux-armhf.so.3", vdso);
            case 21 -> is64 ? new TargetAbi("ppc64el", ElfClass.ELFCLASS64, data, Machine.EM_PPC64,
                    FLAG_POWERPC_LIB64 | FLAG_ELF_LIBC6, "powerpc64le-linux-gnu", "/lib64/ld64.so.2", vdso) : null;
            case 22 -> is64 ? new TargetAbi("s390x", ElfClass.ELFCLASS64, data, Machine.EM_S390,
                    FLAG_S390_LIB64 | FLAG_ELF_LIBC6, "s390x-linux-gnu", "/lib/ld64.so.1", vdso) : null;
            case 243 -> is64 ? new TargetAbi("riscv64", ElfClass.ELFCLASS64, data, Machine.EM_RISCV,
                    FLAG_RISCV_FLOAT_ABI_DOUBLE | FLAG_ELF_LIBC6, "riscv64-linux-gnu", "/lib/ld-linux-riscv64-lp64d.so.1", vdso) : null;
            case 258 -> is64 ? new TargetAbi("loong64", ElfClass.ELFCLASS64, data, Machine.EM_LOONGARCH,
                    FLAG_LARCH_FLOAT_ABI_DOUBLE | FLAG_ELF_LIBC6, "loongarch64-linux-gnu", "/lib64/ld-linux-loongarch-lp64d.so.1", vdso) : null;
            default -> null;
        };
        return Optional.ofNullable(abi);
    }

    /**
     * The directories ld.so searches last ("system search path" in {@code ld.so --help}) when its
     * file cannot be read: Debian's multiarch layout.
     */
    public List<String> trustedDirectories() {
        return List.of("/lib/" + multiarch, "/usr/lib/" + multiarch, "/lib", "/usr/lib");
    }

    /** $PLATFORM when this CPU's does not apply: the kernel's AT_PLATFORM for the ABI. */
    public String platform() {
        return switch (name) {
            case "x86-64", "x32" -> "x86_64";
            case "i386" -> "i686";
            case "armhf" -> "v7l";
            case "ppc64el" -> "power8";
            default -> name;
        };
    }

    /** The tool's own ABI: what a candidate must match when the target's ABI is this one. */
    public static boolean isHost(TargetAbi abi) {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> abi.name.equals("x86-64");
            case "aarch64" -> abi.name.equals("aarch64");
            default -> false;
        };
    }
}
