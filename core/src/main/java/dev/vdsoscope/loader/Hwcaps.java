package dev.vdsoscope.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import dev.vdsoscope.linux.ChildProcess;
import dev.vdsoscope.linux.Cpuid;
import dev.vdsoscope.linux.Libc;
import dev.vdsoscope.abi.GlibcLoader.Capabilities;
import dev.vdsoscope.abi.GlibcLoader.X86Rules;
import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.loader.cpu.CpuProfile;
import dev.vdsoscope.loader.cpu.CpuidSource;
import dev.vdsoscope.loader.cpu.GlibcTunables;
import dev.vdsoscope.loader.cpu.LdSoDiagnostics;
import dev.vdsoscope.loader.cpu.X86CpuFeatures;

/**
 * The capability subdirectories one ABI's ld.so tries inside every search directory, best first
 * (elf/dl-hwcaps.c {@code _dl_important_hwcaps}), what $PLATFORM expands to, and what its
 * ld.so.cache lookup accepts (elf/dl-cache.c {@code search_cache}): the glibc-hwcaps
 * subdirectories the CPU supports, then in glibc 2.36 and older the legacy power set of the
 * AT_HWCAP bit names the hwcap mask lets through, the platform and {@code tls}, then the directory
 * itself. glibc 2.37 dropped the legacy subdirectories.
 *
 * @param glibcHwcaps    subdirectory names of glibc-hwcaps/, highest priority first
 * @param legacy         the legacy capability names in the order they appear in a path
 *                       ({@code tls}, the platform, the hwcap names from the highest bit down);
 *                       empty for a glibc without legacy subdirectories
 * @param platform       what $PLATFORM expands to (dl_platform); empty when ld.so has none
 * @param cacheHwcap     dl_hwcap &amp; hwcap mask: the legacy hwcap bits an ld.so.cache entry may carry
 * @param cachePlatform  the platform's bit in ld.so.cache entries, or -1 when entries with any
 *                       platform bit are refused
 * @param cachePlatformMask the bits of ld.so.cache entries that hold a platform
 * @param isa1           x86's isa_1, against which ld.so.cache checks each glibc-hwcaps entry's ISA
 *                       level; empty elsewhere (no check)
 * @param source         where the CPU facts come from, for --why
 * @param notes          what else a user should know (tunables honoured or ignored, guesses made)
 */
public record Hwcaps(List<String> glibcHwcaps, List<String> legacy, Optional<String> platform, long cacheHwcap,
        long cachePlatform, long cachePlatformMask, OptionalInt isa1, String source, List<String> notes) {

    public Hwcaps {
        glibcHwcaps = List.copyOf(glibcHwcaps);
        legacy = List.copyOf(legacy);
        notes = List.copyOf(notes);
    }

    private static final long AT_HWCAP = 16;
    private static final long AT_PLATFORM = 15;

    /**
     * The capabilities of an ABI's ld.so on the CPU the profile describes, with these tunables, for a
     * glibc of this version ("2.36"; empty when it could not be read, which assumes 2.36).
     */
    public static Hwcaps compute(LinuxAbi abi, CpuProfile profile, GlibcTunables environmentTunables,
            Optional<String> glibcVersion) {
        Capabilities caps = abi.glibc().orElseThrow().capabilities();
        String interpreter = abi.glibc().orElseThrow().interpreter();
        List<String> notes = new ArrayList<>();
        Optional<String> platform = caps.atPlatform();
        long hwcap = 0;
        List<String> glibcHwcaps = List.of();
        OptionalInt isa1 = OptionalInt.empty();
        String source;
        GlibcTunables tunables = environmentTunables;
        X86CpuFeatures x86 = null;
        boolean x86Abi = caps.x86() != X86Rules.NONE;

        if (profile instanceof CpuProfile.Host && x86Abi && abi.runsOnHost() && CpuidSource.host().isEmpty()) {
            // cpuid cannot run in this process (no executable memory here); the system's ld.so can
            // still say what it sees.
            notes.add("cpuid cannot run in this process (" + Cpuid.unavailableReason().orElse("unknown reason")
                    + "): the CPU facts are " + interpreter + "'s own, from --list-diagnostics");
            profile = new CpuProfile.SystemLoader();
        }
        if (profile instanceof CpuProfile.SystemLoader && !abi.runsOnHost()) {
            source = unknownCpu(abi, notes);
            notes.add("this machine's ld.so cannot describe a " + abi.displayName() + " CPU");
        } else if (profile instanceof CpuProfile.SystemLoader) {
            LdSoDiagnostics diagnostics;
            try {
                diagnostics = LdSoDiagnostics.run(interpreter, tunables);
            } catch (LdSoDiagnostics.FormatException | ChildProcess.ChildException e) {
                diagnostics = null;
                notes.add("ld.so --list-diagnostics could not be read (" + e.getMessage() + "): no glibc-hwcaps"
                        + " subdirectories and no AT_HWCAP bits are assumed, and the kernel's AT_PLATFORM");
            }
            if (diagnostics == null) {
                source = "no CPU facts (" + interpreter + " could not be asked)";
            } else {
                platform = diagnostics.platform();
                hwcap = diagnostics.hwcap();
                glibcHwcaps = diagnostics.glibcHwcaps();
                isa1 = diagnostics.x86().map(f -> OptionalInt.of(f.isa1())).orElse(OptionalInt.empty());
                source = interpreter + " --list-diagnostics";
            }
        } else if (profile instanceof CpuProfile.Host) {
            Optional<CpuidSource> cpu = CpuidSource.host();
            if (x86Abi && cpu.isPresent()) {
                x86 = X86CpuFeatures.compute(cpu.get(), tunables);
                source = "this CPU (cpuid and xgetbv), " + x86.summary();
            } else if (abi.isHost() && !x86Abi) {
                String atPlatform = readAuxString(AT_PLATFORM);
                platform = Optional.ofNullable(atPlatform);
                hwcap = Libc.getauxval(AT_HWCAP);
                source = "this process's AT_PLATFORM and AT_HWCAP";
                if (!caps.glibcHwcaps().isEmpty()) {
                    notes.add("the glibc-hwcaps subdirectories of " + abi.displayName()
                            + " are not detected; give --cpu ld.so, or --cpu with this machine's ld.so --list-diagnostics");
                }
            } else {
                source = unknownCpu(abi, notes);
            }
        } else if (profile instanceof CpuProfile.Recorded recorded) {
            if (x86Abi) {
                x86 = X86CpuFeatures.compute(recorded.cpu(), tunables);
                source = recorded.description() + ", " + x86.summary();
            } else {
                source = unknownCpu(abi, notes);
                notes.add("the recorded CPU is an x86 CPU, which says nothing about " + abi.displayName());
            }
        } else {
            CpuProfile.Diagnostics given = (CpuProfile.Diagnostics) profile;
            LdSoDiagnostics diagnostics = given.diagnostics();
            tunables = diagnostics.tunables();
            boolean sameLoader = diagnostics.loaderName()
                    .map(n -> interpreter.endsWith("/" + n)).orElse(false);
            if (sameLoader) {
                platform = diagnostics.platform();
                hwcap = diagnostics.hwcap();
                glibcHwcaps = diagnostics.glibcHwcaps();
                Optional<X86CpuFeatures> features = diagnostics.x86();
                if (features.isPresent()) {
                    isa1 = OptionalInt.of(features.get().isa1());
                }
                source = given.description();
            } else if (x86Abi && diagnostics.x86().isPresent()) {
                x86 = diagnostics.x86().get();
                source = given.description() + " (its cpu_features, for " + abi.displayName() + ")";
            } else {
                source = unknownCpu(abi, notes);
                notes.add(given.description() + " describes " + diagnostics.loaderName().orElse("another ld.so")
                        + ", not " + interpreter);
            }
        }
        if (x86 != null) {
            if (caps.x86() == X86Rules.X86_64) {
                platform = Optional.ofNullable(x86.platformX86_64(caps.atPlatform().orElse(null)));
                hwcap = x86.hwcapX86_64();
                glibcHwcaps = x86.glibcHwcapsX86_64();
            } else {
                platform = Optional.ofNullable(x86.platformI386(caps.atPlatform().orElse(null)));
                hwcap = x86.hwcapI386();
            }
            isa1 = OptionalInt.of(x86.isa1());
            for (String word : x86.appliedTunables()) {
                notes.add("GLIBC_TUNABLES glibc.cpu.hwcaps: " + word + " honoured, as ld.so honours it");
            }
        }
        long mask = tunables.hwcapMask().orElse(caps.hwcapImportant());
        if (tunables.hwcapMask().isPresent()) {
            notes.add("glibc.cpu.hwcap_mask (or LD_HWCAP_MASK) 0x" + Long.toHexString(mask) + " honoured");
        }
        for (String ignored : tunables.ignored()) {
            notes.add("GLIBC_TUNABLES " + ignored + " does not change the library search");
        }
        long masked = hwcap & mask;
        boolean legacySearched = glibcVersion.map(Hwcaps::hasLegacySubdirectories).orElse(true);
        List<String> legacy = new ArrayList<>();
        if (legacySearched) {
            // _dl_important_hwcaps' list is the bit names from bit 0 up, the platform, then tls; a path
            // takes them the other way round.
            legacy.add("tls");
            platform.ifPresent(legacy::add);
            for (int bit = 63; bit >= 0; bit--) {
                if ((masked & (1L << bit)) != 0) {
                    legacy.add(caps.hwcapNames().getOrDefault(bit, "hwcap-bit-" + bit));
                }
            }
        }
        if (glibcVersion.isEmpty()) {
            notes.add("the version of " + abi.displayName() + "'s ld.so could not be read; glibc 2.36 assumed");
        }
        Map<String, Integer> cachePlatforms = caps.cachePlatforms();
        long cachePlatform = platform.filter(cachePlatforms::containsKey).map(p -> 1L << cachePlatforms.get(p)).orElse(-1L);
        return new Hwcaps(glibcHwcaps, legacy, platform, legacySearched ? masked : 0, cachePlatform,
                caps.cachePlatformMask(), isa1, source, notes);
    }

    private static String unknownCpu(LinuxAbi abi, List<String> notes) {
        Capabilities caps = abi.glibc().orElseThrow().capabilities();
        notes.add("the CPU of a " + abi.displayName() + " machine is not known here: no AT_HWCAP bits and no glibc-hwcaps"
                + " subdirectories are assumed" + (caps.atPlatform().isEmpty()
                        ? ", nor a platform" : ", and AT_PLATFORM " + caps.atPlatform().get())
                + " (give --cpu with that machine's ld.so --list-diagnostics)");
        return "no CPU (" + abi.displayName() + " is not this machine's)";
    }

    /** Whether a glibc of this version ("2.36") searches legacy hwcap subdirectories: 2.36 and older. */
    static boolean hasLegacySubdirectories(String version) {
        String[] parts = version.split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("[^0-9].*$", "")) : 0;
            return major < 2 || (major == 2 && minor <= 36);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static String readAuxString(long type) {
        long address = Libc.getauxval(type);
        if (address == 0) {
            return null;
        }
        return java.lang.foreign.MemorySegment.ofAddress(address).reinterpret(256).getString(0);
    }

    /** The same search with another glibc-hwcaps list ({@code --hwcaps}). */
    public Hwcaps withGlibcHwcaps(List<String> subdirectories) {
        List<String> notes = new ArrayList<>(this.notes);
        notes.add("glibc-hwcaps subdirectories given by --hwcaps");
        return new Hwcaps(subdirectories, legacy, platform, cacheHwcap, cachePlatform, cachePlatformMask, isa1, source,
                notes);
    }

    /**
     * The subdirectories in search order, each ending in '/', the last one empty: glibc-hwcaps
     * ones, then every subset of the legacy names, largest first, in the order ld.so builds them.
     */
    public List<String> searchSubdirectories() {
        List<String> result = new ArrayList<>();
        for (String name : glibcHwcaps) {
            result.add("glibc-hwcaps/" + name + "/");
        }
        int n = legacy.size();
        for (int mask = (1 << n) - 1; mask > 0; mask--) {
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if ((mask & (1 << (n - 1 - i))) != 0) {
                    path.append(legacy.get(i)).append('/');
                }
            }
            result.add(path.toString());
        }
        result.add("");
        return List.copyOf(result);
    }
}
