package dev.vdsoscope.loader;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.vdsoscope.elf.ElfClass;
import dev.vdsoscope.elf.ElfData;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.vdso.VdsoAbi;

/**
 * What glibc's dynamic loader for one ABI is built with: the ld.so.cache flags it accepts
 * (sysdeps/unix/sysv/linux/&#42;/dl-cache.h), its trusted directories and its $LIB, as Debian's
 * multiarch build configures them (checked against {@code ld.so --help} in the tests), the
 * interpreter path the ABI's executables name, and its capability rules.
 *
 * @param cacheFlags   the {@code _DL_CACHE_DEFAULT_ID} of the ABI: ld.so.cache entries with other
 *                     flags belong to another ABI and are passed over
 * @param multiarch    Debian's multiarch tuple, which names the trusted directories and $LIB
 * @param capabilities what the ABI's glibc 2.36 ld.so derives its capability subdirectories from
 */
public record TargetAbi(String name, ElfClass elfClass, ElfData data, Machine machine, int cacheFlags,
        String multiarch, String interpreter, Optional<VdsoAbi> vdso, Capabilities capabilities) {

    private static final int FLAG_ELF_LIBC6 = 0x0003;
    private static final int FLAG_X8664_LIB64 = 0x0300;
    private static final int FLAG_X8664_LIBX32 = 0x0800;
    private static final int FLAG_AARCH64_LIB64 = 0x0a00;
    private static final int FLAG_ARM_LIBHF = 0x0900;
    private static final int FLAG_POWERPC_LIB64 = 0x0500;
    private static final int FLAG_S390_LIB64 = 0x0400;
    private static final int FLAG_RISCV_FLOAT_ABI_DOUBLE = 0x1000;
    private static final int FLAG_LARCH_FLOAT_ABI_DOUBLE = 0x1200;

    /** How glibc's x86 CPU model (X86CpuFeatures) gives this ABI's platform and AT_HWCAP, if it does. */
    public enum X86Rules { NONE, X86_64, I386 }

    /**
     * The capability facts of one ABI's glibc 2.36 ld.so.
     *
     * @param atPlatform     the kernel's AT_PLATFORM for processes of the ABI, when it does not
     *                       depend on the CPU model (empty when it does, or when there is none)
     * @param hwcapImportant HWCAP_IMPORTANT: the AT_HWCAP bits that name legacy subdirectories
     * @param hwcapNames     glibc's names of those bits (_dl_hwcap_string), by bit number
     * @param glibcHwcaps    the ABI's glibc-hwcaps subdirectory names (_dl_hwcaps_subdirs), best first
     * @param x86            whether the x86 CPU model applies, and which of its two rules
     * @param cachePlatforms the platform names that ld.so.cache entries encode as hwcap bits, with
     *                       their bit (_dl_string_platform); empty where this model does not read them
     * @param cachePlatformMask _DL_HWCAP_PLATFORM: the hwcap bits that hold a platform in ld.so.cache
     */
    public record Capabilities(Optional<String> atPlatform, long hwcapImportant, Map<Integer, String> hwcapNames,
            List<String> glibcHwcaps, X86Rules x86, Map<String, Integer> cachePlatforms, long cachePlatformMask) {
        static Capabilities plain(String atPlatform, long important, Map<Integer, String> names, List<String> subdirs) {
            return new Capabilities(Optional.ofNullable(atPlatform), important, names, subdirs, X86Rules.NONE, Map.of(), 0);
        }

        /**
         * Every name a capability subdirectory of this ABI can start with, whatever the CPU (with the
         * default hwcap mask): glibc-hwcaps, tls, the platforms and the capability bits' names. A
         * directory holding none of them is searched the same way on every CPU.
         */
        public java.util.Set<String> subdirectoryRoots() {
            java.util.Set<String> roots = new java.util.HashSet<>(List.of("tls"));
            if (!glibcHwcaps.isEmpty()) {
                roots.add("glibc-hwcaps");
            }
            atPlatform.ifPresent(roots::add);
            roots.addAll(cachePlatforms.keySet());
            roots.addAll(hwcapNames.values());
            return java.util.Set.copyOf(roots);
        }
    }

    private static final Capabilities X86_64_CAPABILITIES = new Capabilities(Optional.of("x86_64"), 0b110,
            Map.of(1, "x86_64", 2, "avx512_1"), List.of("x86-64-v4", "x86-64-v3", "x86-64-v2"), X86Rules.X86_64,
            Map.of("haswell", 50, "xeon_phi", 51), 0xfL << 48);
    /** A 32-bit process on a 64-bit kernel gets AT_PLATFORM "i686" (the compat ELF_PLATFORM). */
    private static final Capabilities I386_CAPABILITIES = new Capabilities(Optional.of("i686"), 0b1,
            Map.of(0, "sse2"), List.of(), X86Rules.I386, Map.of("i586", 48, "i686", 49), 0x3L << 48);

    /** The ABI of an executable or library, or empty for machines this model does not know. */
    public static Optional<TargetAbi> of(ElfHeader header) {
        boolean is64 = header.is64();
        ElfData data = header.data();
        Optional<VdsoAbi> vdso = VdsoAbi.of(header);
        TargetAbi abi = switch ((int) header.machine().value()) {
            case 62 -> is64
                    ? new TargetAbi("x86-64", ElfClass.ELFCLASS64, data, Machine.EM_X86_64,
                            FLAG_X8664_LIB64 | FLAG_ELF_LIBC6, "x86_64-linux-gnu", "/lib64/ld-linux-x86-64.so.2", vdso,
                            X86_64_CAPABILITIES)
                    : new TargetAbi("x32", ElfClass.ELFCLASS32, data, Machine.EM_X86_64,
                            FLAG_X8664_LIBX32 | FLAG_ELF_LIBC6, "x86_64-linux-gnux32", "/libx32/ld-linux-x32.so.2", vdso,
                            X86_64_CAPABILITIES);
            case 3 -> new TargetAbi("i386", ElfClass.ELFCLASS32, data, Machine.EM_386, FLAG_ELF_LIBC6,
                    "i386-linux-gnu", "/lib/ld-linux.so.2", vdso, I386_CAPABILITIES);
            case 183 -> is64 ? new TargetAbi("aarch64", ElfClass.ELFCLASS64, data, Machine.EM_AARCH64,
                    FLAG_AARCH64_LIB64 | FLAG_ELF_LIBC6, "aarch64-linux-gnu", "/lib/ld-linux-aarch64.so.1", vdso,
                    Capabilities.plain("aarch64", 1 << 8, Map.of(8, "atomics"), List.of())) : null;
            case 40 -> new TargetAbi("armhf", ElfClass.ELFCLASS32, data, Machine.EM_ARM,
                    FLAG_ARM_LIBHF | FLAG_ELF_LIBC6, "arm-linux-gnueabihf", "/lib/ld-linux-armhf.so.3", vdso,
                    Capabilities.plain(null, (1 << 6) | (1 << 12), Map.of(6, "vfp", 12, "neon"), List.of()));
            case 21 -> is64 ? new TargetAbi("ppc64el", ElfClass.ELFCLASS64, data, Machine.EM_PPC64,
                    FLAG_POWERPC_LIB64 | FLAG_ELF_LIBC6, "powerpc64le-linux-gnu", "/lib64/ld64.so.2", vdso,
                    Capabilities.plain(null, (1 << 28) | (1 << 10), Map.of(28, "altivec", 10, "dfp"),
                            List.of("power10", "power9"))) : null;
            case 22 -> is64 ? new TargetAbi("s390x", ElfClass.ELFCLASS64, data, Machine.EM_S390,
                    FLAG_S390_LIB64 | FLAG_ELF_LIBC6, "s390x-linux-gnu", "/lib/ld64.so.1", vdso,
                    Capabilities.plain(null, (1 << 1) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 11) | (1 << 13) | (1 << 15),
                            Map.of(1, "zarch", 4, "ldisp", 5, "eimm", 6, "dfp", 11, "vx", 13, "vxe", 15, "vxe2"),
                            List.of("z16", "z15", "z14", "z13"))) : null;
            case 243 -> is64 ? new TargetAbi("riscv64", ElfClass.ELFCLASS64, data, Machine.EM_RISCV,
                    FLAG_RISCV_FLOAT_ABI_DOUBLE | FLAG_ELF_LIBC6, "riscv64-linux-gnu", "/lib/ld-linux-riscv64-lp64d.so.1",
                    vdso, Capabilities.plain(null, 0, Map.of(), List.of())) : null;
            case 258 -> is64 ? new TargetAbi("loong64", ElfClass.ELFCLASS64, data, Machine.EM_LOONGARCH,
                    FLAG_LARCH_FLOAT_ABI_DOUBLE | FLAG_ELF_LIBC6, "loongarch64-linux-gnu",
                    "/lib64/ld-linux-loongarch-lp64d.so.1", vdso, Capabilities.plain(null, 0, Map.of(), List.of())) : null;
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

    /** The size of ElfW(Ehdr) for this ABI's ld.so: what open_verify must read before anything else. */
    public int elfHeaderSize() {
        return elfClass == ElfClass.ELFCLASS64 ? 64 : 52;
    }

    /** The size of ElfW(Phdr), which e_phentsize must equal. */
    public int programHeaderSize() {
        return elfClass == ElfClass.ELFCLASS64 ? 56 : 32;
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

    /**
     * Whether this machine runs the ABI's processes with its own CPU: the host ABI, and i386 and
     * x32 processes on an x86-64 machine.
     */
    public static boolean runsOnHost(TargetAbi abi) {
        String arch = System.getProperty("os.arch");
        boolean x86_64Host = arch.equals("amd64") || arch.equals("x86_64");
        return isHost(abi) || (x86_64Host && abi.capabilities.x86() != X86Rules.NONE);
    }
}
