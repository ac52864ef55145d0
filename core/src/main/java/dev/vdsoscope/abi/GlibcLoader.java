package dev.vdsoscope.abi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;

/**
 * What an ABI's glibc dynamic loader is built with, as Debian's multiarch build configures it
 * (checked against {@code ld.so --help} in the tests): the ld.so.cache flags it accepts
 * (sysdeps/unix/sysv/linux/&#42;/dl-cache.h {@code _DL_CACHE_DEFAULT_ID}), its trusted directories and
 * $LIB, the interpreter its programs name, and the capability rules of glibc 2.36.
 *
 * @param cacheFlags   ld.so.cache entries with other flags belong to another ABI and are passed over
 * @param multiarch    Debian's multiarch tuple, which names the trusted directories and $LIB
 * @param interpreter  the PT_INTERP of the ABI's programs
 * @param libcAbiMax   LIBC_ABI_MAX: open_verify accepts EI_ABIVERSION below it for ELFOSABI_GNU files.
 *                     scripts/gen-libc-abis numbers DEFAULT, UNIQUE and ABSOLUTE everywhere and IFUNC
 *                     where libc-abis lists the target (x86, big-endian powerpc, sparc, riscv), so it
 *                     is 4 there and 3 elsewhere
 * @param capabilities where its capability subdirectories and $PLATFORM come from
 */
public record GlibcLoader(int cacheFlags, String multiarch, String interpreter, int libcAbiMax,
        Capabilities capabilities) {

    /**
     * The directories ld.so searches last ("system search path" in {@code ld.so --help}) when its file
     * cannot be read: Debian's multiarch layout.
     */
    public List<String> trustedDirectories() {
        return List.of("/lib/" + multiarch, "/usr/lib/" + multiarch, "/lib", "/usr/lib");
    }

    /** How glibc's x86 CPU model gives an ABI's platform and AT_HWCAP, if it does. */
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
        public Set<String> subdirectoryRoots() {
            Set<String> roots = new HashSet<>(List.of("tls"));
            if (!glibcHwcaps.isEmpty()) {
                roots.add("glibc-hwcaps");
            }
            atPlatform.ifPresent(roots::add);
            roots.addAll(cachePlatforms.keySet());
            roots.addAll(hwcapNames.values());
            return Set.copyOf(roots);
        }
    }

    static final Capabilities X86_64_CAPABILITIES = new Capabilities(Optional.of("x86_64"), 0b110,
            Map.of(1, "x86_64", 2, "avx512_1"), List.of("x86-64-v4", "x86-64-v3", "x86-64-v2"), X86Rules.X86_64,
            Map.of("haswell", 50, "xeon_phi", 51), 0xfL << 48);
    /** A 32-bit process on a 64-bit kernel gets AT_PLATFORM "i686" (the compat ELF_PLATFORM). */
    static final Capabilities I386_CAPABILITIES = new Capabilities(Optional.of("i686"), 0b1,
            Map.of(0, "sse2"), List.of(), X86Rules.I386, Map.of("i586", 48, "i686", 49), 0x3L << 48);
}
