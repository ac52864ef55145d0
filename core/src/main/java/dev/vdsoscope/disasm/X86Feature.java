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

    /** What cpuid answers for EAX = leaf, ECX = subleaf: EAX, EBX, ECX, EDX. */
    @FunctionalInterface
    public interface Cpuid {
        int[] query(int leaf, int subleaf);
    }

    /**
     * The features a 64-bit Linux kernel (6.x) sets on a CPU with these cpuid answers, for the
     * feature numbers vDSO alternatives test: the CPUID words (0: leaf 1 EDX, 1: 0x80000001 EDX,
     * 4: leaf 1 ECX, 9: leaf 7 EBX, 16: leaf 7 ECX, 20: 0x80000021 EAX) as read, and the
     * Linux-defined ones as the vendor code sets them: SYSENTER32 on Intel, Centaur and Zhaoxin
     * (intel.c, centaur.c, zhaoxin.c), SYSCALL32 on AMD and Hygon (amd.c, hygon.c), LFENCE_RDTSC
     * (either number) wherever SSE2 is present (intel.c; amd.c and hygon.c set the DE_CFG bit that
     * makes LFENCE dispatch-serialising, and on families without that MSR it already is). A model of a
     * 64-bit kernel, for the features the vDSO's alternatives use, not the kernel's whole cpufeatures.
     */
    public static java.util.function.IntPredicate linuxFeatures(Cpuid cpuid) {
        int[] vendor = cpuid.query(0, 0);
        String name = new String(new byte[] {(byte) vendor[1], (byte) (vendor[1] >> 8), (byte) (vendor[1] >> 16),
                (byte) (vendor[1] >> 24), (byte) vendor[3], (byte) (vendor[3] >> 8), (byte) (vendor[3] >> 16),
                (byte) (vendor[3] >> 24), (byte) vendor[2], (byte) (vendor[2] >> 8), (byte) (vendor[2] >> 16),
                (byte) (vendor[2] >> 24)}, java.nio.charset.StandardCharsets.ISO_8859_1);
        int maxLeaf = vendor[0];
        int maxExtended = cpuid.query(0x8000_0000, 0)[0];
        int[] leaf1 = cpuid.query(1, 0);
        int[] leaf7 = maxLeaf >= 7 ? cpuid.query(7, 0) : new int[4];
        int[] extended1 = Integer.compareUnsigned(maxExtended, 0x8000_0001) >= 0 ? cpuid.query(0x8000_0001, 0) : new int[4];
        int[] extended21 = Integer.compareUnsigned(maxExtended, 0x8000_0021) >= 0 ? cpuid.query(0x8000_0021, 0) : new int[4];
        boolean intelLike = name.equals("GenuineIntel") || name.equals("CentaurHauls") || name.equals("  Shanghai  ");
        boolean amdLike = name.equals("AuthenticAMD") || name.equals("HygonGenuine");
        boolean sse2 = (leaf1[3] & (1 << 26)) != 0;
        boolean lfenceRdtsc = sse2 && (intelLike || amdLike) || (extended21[0] & (1 << 2)) != 0;
        return feature -> switch (feature / 32) {
            case 0 -> (leaf1[3] & (1 << (feature % 32))) != 0;
            case 1 -> (extended1[3] & (1 << (feature % 32))) != 0;
            case 3 -> switch (feature % 32) {
                case 14 -> amdLike;
                case 15 -> intelLike;
                case 18 -> lfenceRdtsc;
                default -> false;
            };
            case 4 -> (leaf1[2] & (1 << (feature % 32))) != 0;
            case 9 -> (leaf7[1] & (1 << (feature % 32))) != 0;
            case 16 -> (leaf7[2] & (1 << (feature % 32))) != 0;
            case 20 -> feature % 32 == 2 ? lfenceRdtsc : (extended21[0] & (1 << (feature % 32))) != 0;
            default -> false;
        };
    }

    /** "word*32+bit", as cpufeatures.h writes the number. */
    public static String number(int feature) {
        return feature / 32 + "*32+" + feature % 32;
    }
}
