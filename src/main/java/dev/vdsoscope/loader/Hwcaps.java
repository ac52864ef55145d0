package dev.vdsoscope.loader;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The capability subdirectories glibc 2.36 tries inside every search directory, best first
 * (elf/dl-hwcaps.c): the glibc-hwcaps subdirectories this CPU supports, then the legacy
 * combinations of tls, the platform and the important hwcap bits, then the directory itself.
 * On x86-64 the ISA levels come from the CPUID bits that sysdeps/x86/get-isa-level.h requires,
 * read here from the flags line of /proc/cpuinfo; the tests compare the result with what
 * {@code ld.so --help} lists.
 *
 * @param glibcHwcaps subdirectory names of glibc-hwcaps/, highest priority first
 * @param legacy      the legacy capability names in glibc's order (tls, platform, hwcap bits)
 * @param platform    what $PLATFORM expands to
 */
public record Hwcaps(List<String> glibcHwcaps, List<String> legacy, String platform) {

    private static final List<String> X86_64_V2 = List.of("cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3");
    // OSXSAVE is not shown by /proc/cpuinfo; the kernel hides avx when the OS does not enable it.
    private static final List<String> X86_64_V3 = List.of("avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave");
    private static final List<String> X86_64_V4 = List.of("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl");
    private static final List<String> HASWELL = List.of("avx2", "bmi1", "bmi2", "abm", "movbe", "popcnt");

    /** No capabilities: only the directories themselves (and tls, which glibc always adds). */
    public static Hwcaps none(String platform) {
        return new Hwcaps(List.of(), List.of("tls"), platform);
    }

    /** This machine's capabilities, for targets of the tool's own ABI. */
    public static Hwcaps detect() {
        String arch = System.getProperty("os.arch");
        if (!arch.equals("amd64")) {
            return none(arch);
        }
        Set<String> flags = cpuFlags();
        List<String> levels = new ArrayList<>();
        boolean v2 = flags.containsAll(X86_64_V2);
        boolean v3 = v2 && flags.containsAll(X86_64_V3);
        boolean v4 = v3 && flags.containsAll(X86_64_V4);
        if (v4) {
            levels.add("x86-64-v4");
        }
        if (v3) {
            levels.add("x86-64-v3");
        }
        if (v2) {
            levels.add("x86-64-v2");
        }
        // sysdeps/x86/cpu-features.c picks these platform names; the plain one is AT_PLATFORM.
        String platform = flags.containsAll(List.of("avx512er", "avx512pf")) ? "xeon_phi"
                : flags.containsAll(HASWELL) ? "haswell" : "x86_64";
        List<String> legacy = new ArrayList<>(List.of("tls"));
        if (!platform.equals("x86_64")) {
            legacy.add(platform);
        }
        if (v4) {
            legacy.add("avx512_1");
        }
        legacy.add("x86_64");
        return new Hwcaps(List.copyOf(levels), List.copyOf(legacy), platform);
    }

    /** The same legacy view with another glibc-hwcaps list ({@code --hwcaps}). */
    public Hwcaps withGlibcHwcaps(List<String> subdirectories) {
        return new Hwcaps(List.copyOf(subdirectories), legacy, platform);
    }

    /**
     * The ISA level for ld.so.cache's x86 entries (0 baseline, 1 v2, 2 v3, 3 v4): the highest
     * x86-64-vN in the list.
     */
    public int x86IsaLevel() {
        int level = 0;
        for (String name : glibcHwcaps) {
            if (name.startsWith("x86-64-v")) {
                level = Math.max(level, Integer.parseInt(name.substring("x86-64-v".length())) - 1);
            }
        }
        return level;
    }

    /**
     * The subdirectories in search order, each ending in '/', the last one empty: glibc-hwcaps
     * ones, then every subset of the legacy names, largest first, in the order ld.so lists them.
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

    /**
     * The flags of the first CPU in /proc/cpuinfo, read up to that line only, and split without
     * compiling a pattern at start-up.
     */
    private static Set<String> cpuFlags() {
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/cpuinfo"))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("flags")) {
                    int colon = line.indexOf(':');
                    Set<String> flags = new HashSet<>(Loader.split(line.substring(colon + 1), " \t"));
                    flags.remove("");
                    return flags;
                }
            }
        } catch (IOException e) {
            // Without /proc the loader model falls back to no capabilities, which only loses hwcaps dirs.
        }
        return Set.of();
    }
}
