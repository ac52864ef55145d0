package dev.vdsoscope.disasm;

import java.util.Map;

/**
 * Names of x86 CPU feature numbers (word * 32 + bit) as the kernel's
 * arch/x86/include/asm/cpufeatures.h defines them, for the features that alternatives in vDSOs and
 * their neighbours test. Numbers are stable except where noted: a name depends on the kernel version.
 */
public final class X86Feature {
    private X86Feature() {}

    private static final Map<Integer, String> STABLE = Map.ofEntries(
            Map.entry(0 * 32 + 4, "TSC"), Map.entry(0 * 32 + 11, "SEP"), Map.entry(0 * 32 + 15, "CMOV"),
            Map.entry(0 * 32 + 19, "CLFLUSH"), Map.entry(0 * 32 + 24, "FXSR"), Map.entry(0 * 32 + 25, "XMM"),
            Map.entry(0 * 32 + 26, "XMM2"),
            Map.entry(1 * 32 + 11, "SYSCALL"), Map.entry(1 * 32 + 20, "NX"), Map.entry(1 * 32 + 27, "RDTSCP"),
            Map.entry(1 * 32 + 29, "LM"),
            Map.entry(3 * 32 + 8, "CONSTANT_TSC"), Map.entry(3 * 32 + 14, "SYSCALL32"),
            Map.entry(3 * 32 + 15, "SYSENTER32"), Map.entry(3 * 32 + 16, "REP_GOOD"), Map.entry(3 * 32 + 20, "NOPL"),
            Map.entry(3 * 32 + 21, "ALWAYS"), Map.entry(3 * 32 + 24, "NONSTOP_TSC"),
            Map.entry(4 * 32 + 23, "POPCNT"), Map.entry(4 * 32 + 28, "AVX"), Map.entry(4 * 32 + 30, "RDRAND"),
            Map.entry(4 * 32 + 31, "HYPERVISOR"),
            Map.entry(9 * 32 + 5, "AVX2"), Map.entry(9 * 32 + 9, "ERMS"), Map.entry(9 * 32 + 18, "RDSEED"),
            Map.entry(9 * 32 + 20, "SMAP"), Map.entry(9 * 32 + 23, "CLFLUSHOPT"),
            Map.entry(16 * 32 + 22, "RDPID"));

    /** LFENCE_RDTSC moved from the Linux-defined word 3 to its CPUID leaf, word 20, in Linux 6.3. */
    private static final int LINUX_6_3 = 6 << 16 | 3 << 8;

    /**
     * The name of a feature number, {@code X86_FEATURE_...}, or "feature word W bit B" when unknown;
     * {@code linuxVersionCode} (KERNEL_VERSION(a, b, c), 0 when unknown) picks between numberings.
     */
    public static String name(int feature, int linuxVersionCode) {
        String name = STABLE.get(feature);
        if (feature == 3 * 32 + 18 && (linuxVersionCode == 0 || linuxVersionCode < LINUX_6_3)) {
            name = "LFENCE_RDTSC";
        } else if (feature == 20 * 32 + 2 && (linuxVersionCode == 0 || linuxVersionCode >= LINUX_6_3)) {
            name = "LFENCE_RDTSC";
        }
        return name != null ? "X86_FEATURE_" + name : "feature word " + feature / 32 + " bit " + feature % 32;
    }

    /** "word*32+bit", as cpufeatures.h writes the number. */
    public static String number(int feature) {
        return feature / 32 + "*32+" + feature % 32;
    }
}
