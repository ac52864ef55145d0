package dev.vdsoscope.loader.cpu;

import static dev.vdsoscope.loader.cpu.GlibcCpuFeature.*;

import java.util.ArrayList;
import java.util.List;

import dev.vdsoscope.linux.Cpuid.Registers;
import dev.vdsoscope.loader.cpu.GlibcCpuFeature.CpuidIndex;

/**
 * glibc 2.36's {@code struct cpu_features} for one x86 CPU, computed from its CPUID answers and
 * XCR0 as ld.so computes it at start-up (sysdeps/x86/cpu-features.c {@code init_cpu_features},
 * {@code update_active}, {@code get_common_indices}, {@code get_extended_indices};
 * sysdeps/x86/get-isa-level.h; the {@code glibc.cpu.hwcaps} tunable of sysdeps/x86/cpu-tunables.c),
 * and what follows from it for the library search: the glibc-hwcaps subdirectories
 * (sysdeps/x86_64/dl-hwcaps-subdirs.c), and the platform and AT_HWCAP bits glibc substitutes for
 * the kernel's (the end of init_cpu_features). Every quirk of that code is kept, because ld.so
 * keeps it: {@code isa_1} is taken before the tunables and the XSAVE checks change anything; the
 * Zhaoxin branch never stores the stepping; a vendor glibc does not know reads no leaf 1 at all.
 * Words and bits are those {@code ld.so --list-diagnostics} prints, which the tests compare.
 *
 * <p>Not modelled, because nothing of the library search depends on it: the {@code preferred}
 * tuning bits other than I586 and I686, cache sizes, xsave_state_size, CET (glibc 2.36 asks the
 * kernel with ARCH_CET_STATUS, which no released kernel implements, so IBT and SHSTK always end up
 * unusable, as here).
 *
 * @param kind      glibc's {@code enum cpu_features_kind}
 * @param cpuid     the raw CPUID words, [CpuidIndex][EAX..EDX]
 * @param active    the usable bits, same shape
 * @param isa1      {@code isa_1}: GNU_PROPERTY_X86_ISA_1_BASELINE (1), V2 (2), V3 (4), V4 (8)
 * @param appliedTunables the words of glibc.cpu.hwcaps that changed a bit, in order
 */
public record X86CpuFeatures(Kind kind, int maxCpuid, int family, int model, int stepping, int[][] cpuid,
        int[][] active, int isa1, boolean preferI586, boolean preferI686, List<String> appliedTunables) {

    /** glibc's cpu_features_kind, with its numbers (basic.kind in ld.so --list-diagnostics). */
    public enum Kind {
        arch_kind_unknown, arch_kind_intel, arch_kind_amd, arch_kind_zhaoxin, arch_kind_other;

        public int value() {
            return ordinal();
        }
    }

    public static final int ISA_BASELINE = 1, ISA_V2 = 2, ISA_V3 = 4, ISA_V4 = 8;
    /** XCR0 state components (sysdeps/x86/include/cpu-features.h bit_*_state). */
    private static final long XMM_STATE = 1 << 1, YMM_STATE = 1 << 2, OPMASK_STATE = 1 << 5,
            ZMM0_15_STATE = 1 << 6, ZMM16_31_STATE = 1 << 7, XTILECFG_STATE = 1 << 17, XTILEDATA_STATE = 1 << 18;
    /** HWCAP_X86_* (sysdeps/x86/dl-hwcap.h). */
    public static final long HWCAP_X86_SSE2 = 1, HWCAP_X86_64 = 2, HWCAP_X86_AVX512_1 = 4;

    public X86CpuFeatures {
        cpuid = copy(cpuid);
        active = copy(active);
        appliedTunables = List.copyOf(appliedTunables);
    }

    private static int[][] copy(int[][] words) {
        int[][] result = new int[words.length][];
        for (int i = 0; i < words.length; i++) {
            result[i] = words[i].clone();
        }
        return result;
    }

    @Override
    public int[][] cpuid() {
        return copy(cpuid);
    }

    @Override
    public int[][] active() {
        return copy(active);
    }

    /** CPU_FEATURE_USABLE_P: the feature's active bit. */
    public boolean usable(GlibcCpuFeature feature) {
        return (active[feature.index().ordinal()][feature.register().ordinal()] & feature.mask()) != 0;
    }

    /** CPU_FEATURE_CPU_P: the feature's CPUID bit. */
    public boolean present(GlibcCpuFeature feature) {
        return (cpuid[feature.index().ordinal()][feature.register().ordinal()] & feature.mask()) != 0;
    }

    /** get_isa_level on the features as they are now (after the tunables), as ld.so uses it for glibc-hwcaps. */
    public int currentIsaLevel() {
        return isaLevel(this::usable, this::present);
    }

    /**
     * _dl_hwcaps_subdirs_active for x86-64: the glibc-hwcaps subdirectories this CPU supports, best
     * first ({@code x86-64-v4}, {@code -v3}, {@code -v2}).
     */
    public List<String> glibcHwcapsX86_64() {
        int level = currentIsaLevel();
        List<String> result = new ArrayList<>();
        if ((level & ISA_V2) != 0) {
            if ((level & ISA_V3) != 0) {
                if ((level & ISA_V4) != 0) {
                    result.add("x86-64-v4");
                }
                result.add("x86-64-v3");
            }
            result.add("x86-64-v2");
        }
        return List.copyOf(result);
    }

    /** dl_hwcap as a 64-bit ld.so sets it: HWCAP_X86_64, and HWCAP_X86_AVX512_1 on Intel CPUs with AVX512 BW/DQ/VL. */
    public long hwcapX86_64() {
        long hwcap = HWCAP_X86_64;
        if (kind == Kind.arch_kind_intel && usable(AVX512CD) && !usable(AVX512ER)
                && usable(AVX512BW) && usable(AVX512DQ) && usable(AVX512VL)) {
            hwcap |= HWCAP_X86_AVX512_1;
        }
        return hwcap;
    }

    /**
     * dl_platform as a 64-bit ld.so sets it: on Intel CPUs only, {@code xeon_phi} (AVX512ER and PF)
     * or {@code haswell} (AVX2, FMA, BMI1, BMI2, LZCNT, MOVBE, POPCNT); otherwise the kernel's
     * AT_PLATFORM stays.
     */
    public String platformX86_64(String atPlatform) {
        if (kind != Kind.arch_kind_intel) {
            return atPlatform;
        }
        String platform = null;
        if (usable(AVX512CD) && usable(AVX512ER) && usable(AVX512PF)) {
            platform = "xeon_phi";
        }
        if (platform == null && usable(AVX2) && usable(FMA) && usable(BMI1) && usable(BMI2) && usable(LZCNT)
                && usable(MOVBE) && usable(POPCNT)) {
            platform = "haswell";
        }
        return platform != null ? platform : atPlatform;
    }

    /** dl_hwcap as a 32-bit ld.so sets it: HWCAP_X86_SSE2 when SSE2 is usable, nothing else. */
    public long hwcapI386() {
        return usable(SSE2) ? HWCAP_X86_SSE2 : 0;
    }

    /** dl_platform as a 32-bit ld.so sets it: i686 with CMOV, i586 with CX8, else the kernel's AT_PLATFORM. */
    public String platformI386(String atPlatform) {
        return preferI686 ? "i686" : preferI586 ? "i586" : atPlatform;
    }

    /** The CPU's vendor, family, model and stepping as glibc stored them, for messages. */
    public String summary() {
        return kind + " family 0x" + Integer.toHexString(family) + " model 0x" + Integer.toHexString(model)
                + " stepping 0x" + Integer.toHexString(stepping);
    }

    // ---------------------------------------------------------------------------------------------

    /** init_cpu_features, then the tunables, then the XSAVE checks, in ld.so's order. */
    public static X86CpuFeatures compute(CpuidSource cpu, GlibcTunables tunables) {
        return new Builder(cpu).run(tunables);
    }

    private interface Bit {
        boolean test(GlibcCpuFeature feature);
    }

    private static int isaLevel(Bit usable, Bit present) {
        int level = 0;
        if (usable.test(CMOV) && usable.test(CX8) && present.test(FPU) && usable.test(FXSR) && usable.test(MMX)
                && usable.test(SSE) && usable.test(SSE2)) {
            level = ISA_BASELINE;
            if (usable.test(CMPXCHG16B) && usable.test(LAHF64_SAHF64) && usable.test(POPCNT) && usable.test(SSE3)
                    && usable.test(SSSE3) && usable.test(SSE4_1) && usable.test(SSE4_2)) {
                level |= ISA_V2;
                if (usable.test(AVX) && usable.test(AVX2) && usable.test(BMI1) && usable.test(BMI2)
                        && usable.test(F16C) && usable.test(FMA) && usable.test(LZCNT) && usable.test(MOVBE)) {
                    level |= ISA_V3;
                    if (usable.test(AVX512F) && usable.test(AVX512BW) && usable.test(AVX512CD)
                            && usable.test(AVX512DQ) && usable.test(AVX512VL)) {
                        level |= ISA_V4;
                    }
                }
            }
        }
        return level;
    }

    /** The computation, with glibc's mutable state. */
    private static final class Builder {
        private final CpuidSource cpu;
        private final int[][] cpuid = new int[CpuidIndex.values().length][4];
        private final int[][] active = new int[CpuidIndex.values().length][4];
        private int maxCpuid;
        private int isa1;
        private boolean preferI586;
        private boolean preferI686;
        private final List<String> applied = new ArrayList<>();

        Builder(CpuidSource cpu) {
            this.cpu = cpu;
        }

        private boolean present(GlibcCpuFeature f) {
            return (cpuid[f.index().ordinal()][f.register().ordinal()] & f.mask()) != 0;
        }

        private boolean usable(GlibcCpuFeature f) {
            return (active[f.index().ordinal()][f.register().ordinal()] & f.mask()) != 0;
        }

        /** CPU_FEATURE_SET_ACTIVE: the active bit becomes the CPUID bit (ORed in). */
        private void setActive(GlibcCpuFeature... features) {
            for (GlibcCpuFeature f : features) {
                active[f.index().ordinal()][f.register().ordinal()] |= cpuid[f.index().ordinal()][f.register().ordinal()]
                        & f.mask();
            }
        }

        /** CPU_FEATURE_SET: the active bit is set, whatever CPUID says. */
        private void set(GlibcCpuFeature f) {
            active[f.index().ordinal()][f.register().ordinal()] |= f.mask();
        }

        /** CPU_FEATURE_UNSET. */
        private void unset(GlibcCpuFeature... features) {
            for (GlibcCpuFeature f : features) {
                active[f.index().ordinal()][f.register().ordinal()] &= ~f.mask();
            }
        }

        private void store(CpuidIndex index, Registers r) {
            cpuid[index.ordinal()] = new int[] {r.eax(), r.ebx(), r.ecx(), r.edx()};
        }

        X86CpuFeatures run(GlibcTunables tunables) {
            Registers vendor = cpu.query(0, 0);
            maxCpuid = vendor.eax();
            int ebx = vendor.ebx(), ecx = vendor.ecx(), edx = vendor.edx();
            Kind kind;
            int family = 0, model = 0, stepping = 0;
            if (ebx == 0x756e6547 && ecx == 0x6c65746e && edx == 0x49656e69) { // GenuineIntel
                kind = Kind.arch_kind_intel;
                Signature signature = readKnownVendor();
                family = signature.family();
                model = signature.model();
                stepping = signature.stepping();
                if (family == 0x06) {
                    model += signature.extendedModel();
                    intelTsx(model, stepping);
                }
            } else if ((ebx == 0x68747541 && ecx == 0x444d4163 && edx == 0x69746e65) // AuthenticAMD
                    || (ebx == 0x6f677948 && ecx == 0x656e6975 && edx == 0x6e65476e)) { // HygonGenuine
                kind = Kind.arch_kind_amd;
                Signature signature = readKnownVendor();
                family = signature.family();
                model = signature.model();
                stepping = signature.stepping();
                if (usable(AVX)) {
                    setActive(FMA4);
                }
            } else if ((ebx == 0x746e6543 && ecx == 0x736c7561 && edx == 0x48727561) // CentaurHauls
                    || (ebx == 0x68532020 && ecx == 0x20206961 && edx == 0x68676e61)) { // "  Shanghai  "
                kind = Kind.arch_kind_zhaoxin;
                Signature signature = readKnownVendor();
                family = signature.family();
                model = signature.model() + signature.extendedModel();
                // The branch declares its own stepping, so basic.stepping keeps the 0 it started with.
                if ((family == 0x6 && (model == 0xf || model == 0x19))
                        || (family == 0x7 && (model == 0x1b || model == 0x3b))) {
                    unset(AVX, AVX2);
                }
            } else {
                kind = Kind.arch_kind_other;
                commonIndices(false);
                updateActive();
            }
            preferI586 = present(CX8);
            preferI686 = present(CMOV);
            hwcapsTunable(tunables);
            boolean disableXsaveFeatures = false;
            if (!usable(OSXSAVE)) {
                unset(XSAVE, XSAVEOPT, XSAVEC, XGETBV_ECX_1, XFD);
                disableXsaveFeatures = true;
            }
            if (disableXsaveFeatures || (!usable(XSAVE) && !usable(XSAVEC))) {
                unset(AVX, AVX2, AVX_VNNI, FMA, VAES, VPCLMULQDQ, XOP, F16C, AVX512F, AVX512CD, AVX512ER, AVX512PF,
                        AVX512VL, AVX512DQ, AVX512BW, AVX512_4FMAPS, AVX512_4VNNIW, AVX512_BITALG, AVX512_IFMA,
                        AVX512_VBMI, AVX512_VBMI2, AVX512_VNNI, AVX512_VPOPCNTDQ, AVX512_VP2INTERSECT, AVX512_BF16,
                        AVX512_FP16, AMX_BF16, AMX_TILE, AMX_INT8, FMA4);
            }
            // CET: glibc's ARCH_CET_STATUS query finds no CET in the kernel, so both are cleared.
            unset(IBT, SHSTK);
            return new X86CpuFeatures(kind, maxCpuid, family, model, stepping, cpuid, active, isa1, preferI586,
                    preferI686, applied);
        }

        /** Leaf 1's EAX as get_common_indices decodes it. */
        private record Signature(int family, int model, int extendedModel, int stepping) {}

        /** get_common_indices, get_extended_indices and update_active: how each known vendor's branch starts. */
        private Signature readKnownVendor() {
            Signature signature = commonIndices(true);
            extendedIndices();
            updateActive();
            return signature;
        }

        /**
         * get_common_indices: leaf 1 (only when the caller asks for family and model), 7 subleaves
         * 0 and 1, 0xD subleaf 1, 0x14, 0x19, each when leaf 0 says it exists.
         */
        private Signature commonIndices(boolean readLeaf1) {
            int family = 0, model = 0, extendedModel = 0, stepping = 0;
            if (readLeaf1) {
                Registers leaf1 = cpu.query(1, 0);
                store(CpuidIndex.LEAF_1, leaf1);
                int eax = leaf1.eax();
                family = (eax >>> 8) & 0x0f;
                model = (eax >>> 4) & 0x0f;
                extendedModel = (eax >>> 12) & 0xf0;
                stepping = eax & 0x0f;
                if (family == 0x0f) {
                    family += (eax >>> 20) & 0xff;
                    model += extendedModel;
                }
            }
            readAsFarAs(maxCpuid, CpuidIndex.LEAF_7, CpuidIndex.LEAF_7_ECX_1, CpuidIndex.LEAF_D_ECX_1,
                    CpuidIndex.LEAF_14_ECX_0, CpuidIndex.LEAF_19);
            return new Signature(family, model, extendedModel, stepping);
        }

        /** get_extended_indices: 0x80000001, 0x80000007, 0x80000008 as far as leaf 0x80000000 allows. */
        private void extendedIndices() {
            readAsFarAs(cpu.query(0x80000000, 0).eax(), CpuidIndex.LEAF_80000001, CpuidIndex.LEAF_80000007,
                    CpuidIndex.LEAF_80000008);
        }

        /** Reads each word whose leaf is at most {@code highest}, the highest leaf the CPU says it has. */
        private void readAsFarAs(int highest, CpuidIndex... indices) {
            for (CpuidIndex index : indices) {
                if (Integer.compareUnsigned(highest, index.leaf()) >= 0) {
                    store(index, cpu.query(index.leaf(), index.subleaf()));
                }
            }
        }

        /** update_active. */
        private void updateActive() {
            setActive(SSE3, PCLMULQDQ, SSSE3, CMPXCHG16B, SSE4_1, SSE4_2, MOVBE, POPCNT, AES, OSXSAVE, TSC, CX8,
                    CMOV, CLFSH, MMX, FXSR, SSE, SSE2, HTT, BMI1, HLE, BMI2, ERMS, RDSEED, ADX, CLFLUSHOPT, CLWB, SHA,
                    PREFETCHWT1, OSPKE, WAITPKG, GFNI, RDPID, RDRAND, CLDEMOTE, MOVDIRI, MOVDIR64B, FSRM,
                    RTM_ALWAYS_ABORT, SERIALIZE, TSXLDTRK, LAHF64_SAHF64, LZCNT, SSE4A, PREFETCHW, TBM, RDTSCP,
                    WBNOINVD, FZLRM, FSRS, FSRCS, PTWRITE);
            if (!present(RTM_ALWAYS_ABORT)) {
                setActive(RTM);
            }
            setActive(IBT, SHSTK);
            if (present(OSXSAVE)) {
                long xcr0 = cpu.xcr0();
                if ((xcr0 & (YMM_STATE | XMM_STATE)) == (YMM_STATE | XMM_STATE)) {
                    if (present(AVX)) {
                        set(AVX);
                        if (present(AVX2)) {
                            set(AVX2);
                        }
                        setActive(AVX_VNNI, FMA, VAES, VPCLMULQDQ, XOP, F16C);
                    }
                    long zmm = OPMASK_STATE | ZMM0_15_STATE | ZMM16_31_STATE;
                    if ((xcr0 & zmm) == zmm && present(AVX512F)) {
                        set(AVX512F);
                        setActive(AVX512CD, AVX512ER, AVX512PF, AVX512VL, AVX512DQ, AVX512BW, AVX512_4FMAPS,
                                AVX512_4VNNIW, AVX512_BITALG, AVX512_IFMA, AVX512_VBMI, AVX512_VBMI2, AVX512_VNNI,
                                AVX512_VPOPCNTDQ, AVX512_VP2INTERSECT, AVX512_BF16, AVX512_FP16);
                    }
                }
                if ((xcr0 & (XTILECFG_STATE | XTILEDATA_STATE)) == (XTILECFG_STATE | XTILEDATA_STATE)) {
                    setActive(AMX_BF16, AMX_TILE, AMX_INT8);
                }
                set(XSAVE);
                setActive(XSAVEOPT, XSAVEC, XGETBV_ECX_1, XFD);
                // The XSAVEC re-check of the state sizes (leaf 0xD) always finds a non-zero size
                // (its offsets start at 576), so it only sets again what setActive has just set.
            }
            if (present(OSPKE)) {
                set(PKU);
            }
            if (present(AESKLE)) {
                set(AESKLE);
                setActive(KL, WIDE_KL);
            }
            isa1 = isaLevel(this::usable, this::present);
        }

        /** The TSX errata of init_cpu_features' Intel family 6 branch. */
        private void intelTsx(int model, int stepping) {
            switch (model) {
                case 0x55 -> {
                    if (stepping <= 5) {
                        disableTsx();
                    }
                }
                case 0x8e, 0x9e -> {
                    if (stepping <= 0xc) {
                        disableTsx();
                    }
                }
                case 0x4e, 0x5e -> disableTsx();
                case 0x3f -> {
                    if (stepping < 4) {
                        unset(RTM);
                    }
                }
                case 0x3c, 0x45, 0x46 -> unset(RTM);
                default -> { }
            }
        }

        private void disableTsx() {
            unset(HLE, RTM);
            set(RTM_ALWAYS_ABORT);
        }

        /**
         * set_hwcaps: each word {@code -NAME} switches off a CPU feature, compared by length as glibc
         * compares them (so only the names its switch lists work); I586 and I686 switch off the
         * preferred bits a 32-bit ld.so takes its platform from. Other words tune string functions
         * and change nothing here.
         */
        private void hwcapsTunable(GlibcTunables tunables) {
            for (String word : tunables.hwcapsWords()) {
                if (!word.startsWith("-")) {
                    continue;
                }
                String name = word.substring(1);
                switch (name) {
                    case "I586" -> preferI586 = false;
                    case "I686" -> preferI686 = false;
                    case "AVX", "CX8", "FMA", "HTT", "IBT", "RTM", "AVX2", "BMI1", "BMI2", "CMOV", "ERMS", "FMA4",
                            "SSE2", "LZCNT", "MOVBE", "SHSTK", "SSSE3", "XSAVE", "POPCNT", "SSE4_1", "SSE4_2",
                            "XSAVEC", "AVX512F", "OSXSAVE", "AVX512CD", "AVX512BW", "AVX512DQ", "AVX512ER",
                            "AVX512PF", "AVX512VL" -> unset(GlibcCpuFeature.valueOf(name));
                    default -> {
                        continue;
                    }
                }
                applied.add(word);
            }
        }
    }
}
