package dev.vdsoscope.loader.cpu;

import static dev.vdsoscope.loader.cpu.X86CpuFeatures.HWCAP_X86_64;
import static dev.vdsoscope.loader.cpu.X86CpuFeatures.HWCAP_X86_AVX512_1;
import static dev.vdsoscope.loader.cpu.X86CpuFeatures.HWCAP_X86_SSE2;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.linux.Cpuid.Registers;
import dev.vdsoscope.loader.cpu.X86CpuFeatures.Kind;

/**
 * Real CPUs, recorded (the InstLatx64 dumps shipped as recorded CPUs), replayed through the model of
 * glibc 2.36's CPU detection. Each expected outcome is worked out by hand from the dump's bits and
 * glibc's source, cited as file and function; the comments give the reasoning, so a failure says
 * which rule the model breaks. References:
 * <ul>
 * <li>[kind] sysdeps/x86/cpu-features.c init_cpu_features: the vendor string picks the kind;
 * family/model from get_common_indices (extended family and model only for family 0xF, plus the
 * extended model for Intel family 6 and always for Zhaoxin).</li>
 * <li>[usable] update_active: AVX needs OSXSAVE and XCR0 bits 1 and 2; AVX512F needs XCR0 bits 5, 6
 * and 7 as well.</li>
 * <li>[isa] sysdeps/x86/get-isa-level.h get_isa_level: v2 = CX16, LAHF, POPCNT, SSE3, SSSE3,
 * SSE4.1, SSE4.2; v3 = AVX, AVX2, BMI1, BMI2, F16C, FMA, LZCNT, MOVBE; v4 = AVX512 F, BW, CD, DQ, VL.</li>
 * <li>[platform] the end of init_cpu_features: only on Intel, xeon_phi (AVX512 CD, ER, PF) or haswell
 * (AVX2, FMA, BMI1, BMI2, LZCNT, MOVBE, POPCNT), and HWCAP_X86_AVX512_1 with AVX512 CD, BW, DQ, VL
 * and no ER; dl_hwcap is HWCAP_X86_64 otherwise. 32-bit: i686 with CMOV, sse2 with SSE2.</li>
 * <li>[subdirs] sysdeps/x86_64/dl-hwcaps-subdirs.c _dl_hwcaps_subdirs_active, from get_isa_level.</li>
 * </ul>
 */
class RecordedCpusTest {
    private static final int BASELINE = 1, V2 = 2, V3 = 4, V4 = 8;

    private static X86CpuFeatures replay(String name) throws Exception {
        return replay(name, GlibcTunables.none());
    }

    private static X86CpuFeatures replay(String name, GlibcTunables tunables) throws Exception {
        CpuProfile.Recorded recorded = (CpuProfile.Recorded) CpuProfile.load(name);
        return X86CpuFeatures.compute(recorded.cpu(), tunables);
    }

    private static void assertX86_64(X86CpuFeatures cpu, String platform, long hwcap, List<String> subdirectories) {
        assertThat(cpu.platformX86_64("x86_64")).as("dl_platform").isEqualTo(platform);
        assertThat(cpu.hwcapX86_64()).as("dl_hwcap").isEqualTo(hwcap);
        assertThat(cpu.glibcHwcapsX86_64()).as("glibc-hwcaps").isEqualTo(subdirectories);
    }

    /** Core i7-4770: family 6 model 0x3C; XCR0 7 enables AVX but not AVX-512 [usable]. */
    @Test
    void haswellIsTheHaswellPlatform() throws Exception {
        X86CpuFeatures cpu = replay("intel-haswell");
        assertThat(cpu.kind()).isEqualTo(Kind.arch_kind_intel);
        assertThat(List.of(cpu.family(), cpu.model(), cpu.stepping())).containsExactly(6, 0x3c, 3);
        assertThat(cpu.isa1()).isEqualTo(BASELINE | V2 | V3);
        // Every haswell condition holds [platform]; no AVX512CD, so no avx512_1.
        assertX86_64(cpu, "haswell", HWCAP_X86_64, List.of("x86-64-v3", "x86-64-v2"));
        assertThat(cpu.platformI386("i686")).isEqualTo("i686");
        assertThat(cpu.hwcapI386()).isEqualTo(HWCAP_X86_SSE2);
    }

    /**
     * Xeon Silver 4108: family 6 model 0x55 stepping 4. XCR0 0x2FF enables the AVX-512 state, so
     * AVX512 F/CD/BW/DQ/VL are usable and the ISA level is v4; Intel with CD, BW, DQ, VL and no ER
     * adds avx512_1 [platform]. Model 0x55 with stepping at most 5 gets TSX switched off: HLE and RTM
     * cleared and RTM_ALWAYS_ABORT set although CPUID does not report it (init_cpu_features,
     * "disable_tsx").
     */
    @Test
    void skylakeSpHasAvx512AndItsTsxSwitchedOff() throws Exception {
        X86CpuFeatures cpu = replay("intel-skylake-sp");
        assertThat(List.of(cpu.family(), cpu.model(), cpu.stepping())).containsExactly(6, 0x55, 4);
        assertThat(cpu.isa1()).isEqualTo(BASELINE | V2 | V3 | V4);
        assertX86_64(cpu, "haswell", HWCAP_X86_64 | HWCAP_X86_AVX512_1, List.of("x86-64-v4", "x86-64-v3", "x86-64-v2"));
        assertThat(cpu.present(GlibcCpuFeature.RTM)).isTrue();
        assertThat(cpu.usable(GlibcCpuFeature.RTM)).isFalse();
        assertThat(cpu.usable(GlibcCpuFeature.HLE)).isFalse();
        assertThat(cpu.present(GlibcCpuFeature.RTM_ALWAYS_ABORT)).isFalse();
        assertThat(cpu.usable(GlibcCpuFeature.RTM_ALWAYS_ABORT)).isTrue();
    }

    /**
     * The same CPU under an operating system that leaves the AVX-512 state off (XCR0 7): AVX512F is
     * never set [usable], so v4 and avx512_1 go, and haswell stays.
     */
    @Test
    void skylakeSpWithAvx512StateDisabledByTheOs() throws Exception {
        RecordedCpu recorded = ((CpuProfile.Recorded) CpuProfile.load("intel-skylake-sp")).cpu();
        RecordedCpu withoutAvx512 = new RecordedCpu("skylake-sp, XCR0 7", recorded.answers(),
                java.util.OptionalLong.of(7));
        X86CpuFeatures cpu = X86CpuFeatures.compute(withoutAvx512, GlibcTunables.none());
        assertThat(cpu.present(GlibcCpuFeature.AVX512F)).isTrue();
        assertThat(cpu.usable(GlibcCpuFeature.AVX512F)).isFalse();
        assertThat(cpu.isa1()).isEqualTo(BASELINE | V2 | V3);
        assertX86_64(cpu, "haswell", HWCAP_X86_64, List.of("x86-64-v3", "x86-64-v2"));
    }

    /**
     * A dump may state XCR0 itself: the parser reads "# xcr0:" and the model uses it.
     */
    @Test
    void aDumpCanStateXcr0() throws Exception {
        String text = "CPUID 00000000: 0000000D-756E6547-6C65746E-49656E69\n# xcr0: 0x3\n";
        assertThat(RecordedCpu.parse("t", text).xcr0()).isEqualTo(3);
        assertThat(RecordedCpu.parse("t", text.replace("# xcr0: 0x3\n", "")).xcr0()).as("leaf 0xD absent").isZero();
    }

    /**
     * Xeon Phi 7210 (Knights Landing): AVX512 CD, ER and PF usable makes it xeon_phi, and ER rules
     * out avx512_1 [platform]. Without AVX512 BW, DQ and VL it is not v4 [isa].
     */
    @Test
    void knightsLandingIsTheXeonPhiPlatform() throws Exception {
        X86CpuFeatures cpu = replay("intel-knl");
        assertThat(List.of(cpu.family(), cpu.model())).containsExactly(6, 0x57);
        assertThat(cpu.isa1()).isEqualTo(BASELINE | V2 | V3);
        assertX86_64(cpu, "xeon_phi", HWCAP_X86_64, List.of("x86-64-v3", "x86-64-v2"));
    }

    /**
     * Ryzen 9 PRO 3900: family 0xF + 8 = 0x17, model 1 + 0x70 = 0x71 [kind]. AVX2 and the rest of v3
     * are there, but the platform and avx512_1 rules are Intel's only, so an AMD CPU keeps the
     * kernel's x86_64 and no avx512_1 [platform]: the rule the first model got wrong.
     */
    @Test
    void zen2KeepsTheKernelsPlatform() throws Exception {
        X86CpuFeatures cpu = replay("amd-zen2");
        assertThat(cpu.kind()).isEqualTo(Kind.arch_kind_amd);
        assertThat(List.of(cpu.family(), cpu.model(), cpu.stepping())).containsExactly(0x17, 0x71, 0);
        assertThat(cpu.isa1()).isEqualTo(BASELINE | V2 | V3);
        assertX86_64(cpu, "x86_64", HWCAP_X86_64, List.of("x86-64-v3", "x86-64-v2"));
    }

    /**
     * Ryzen 5 7600X: family 0x19, model 0x61. AVX-512 F/BW/CD/DQ/VL usable (XCR0 0x2E7), so v4 and
     * x86-64-v4 — but still no avx512_1 and no haswell, which are for Intel CPUs only.
     */
    @Test
    void zen4HasV4ButNoIntelPlatform() throws Exception {
        X86CpuFeatures cpu = replay("amd-zen4");
        assertThat(List.of(cpu.family(), cpu.model(), cpu.stepping())).containsExactly(0x19, 0x61, 2);
        assertThat(cpu.isa1()).isEqualTo(BASELINE | V2 | V3 | V4);
        assertX86_64(cpu, "x86_64", HWCAP_X86_64, List.of("x86-64-v4", "x86-64-v3", "x86-64-v2"));
        // AVX512_BF16 (leaf 7 subleaf 1 EAX bit 5) is read and, with the AVX-512 state, usable.
        assertThat(cpu.usable(GlibcCpuFeature.AVX512_BF16)).isTrue();
    }

    /**
     * Zhaoxin KX-6000G (CentaurHauls, family 7, model 0xB + 0x30 = 0x3B): isa_1 is taken inside
     * update_active, before the Zhaoxin branch switches AVX and AVX2 off for model 0x3B (init_cpu_features);
     * with no AVX2 or FMA in CPUID it is v2 either way. The branch declares its own stepping, so
     * basic.stepping stays 0 though the dump's is 2.
     */
    @Test
    void zhaoxinLosesAvxAndItsStepping() throws Exception {
        X86CpuFeatures cpu = replay("zhaoxin-kx6000");
        assertThat(cpu.kind()).isEqualTo(Kind.arch_kind_zhaoxin);
        assertThat(List.of(cpu.family(), cpu.model(), cpu.stepping())).containsExactly(7, 0x3b, 0);
        assertThat(cpu.present(GlibcCpuFeature.AVX)).isTrue();
        assertThat(cpu.usable(GlibcCpuFeature.AVX)).isFalse();
        assertThat(cpu.isa1()).isEqualTo(BASELINE | V2);
        assertX86_64(cpu, "x86_64", HWCAP_X86_64, List.of("x86-64-v2"));
    }

    /** Core i7-990X (Westmere): SSE4.2, POPCNT, LAHF, CX16, but no AVX and no XSAVE: v2 only. */
    @Test
    void westmereBeforeAvxIsV2() throws Exception {
        X86CpuFeatures cpu = replay("intel-westmere");
        assertThat(List.of(cpu.family(), cpu.model())).containsExactly(6, 0x2c);
        assertThat(cpu.isa1()).isEqualTo(BASELINE | V2);
        assertX86_64(cpu, "x86_64", HWCAP_X86_64, List.of("x86-64-v2"));
        assertThat(cpu.usable(GlibcCpuFeature.XSAVE)).isFalse();
    }

    /** Core i3-1220P (Alder Lake, model 0x9A): AVX-VNNI but no AVX-512 exposed: haswell, v3. */
    @Test
    void alderLakeIsHaswellV3() throws Exception {
        X86CpuFeatures cpu = replay("intel-alderlake");
        assertThat(List.of(cpu.family(), cpu.model())).containsExactly(6, 0x9a);
        assertThat(cpu.usable(GlibcCpuFeature.AVX_VNNI)).isTrue();
        assertX86_64(cpu, "haswell", HWCAP_X86_64, List.of("x86-64-v3", "x86-64-v2"));
    }

    /**
     * Hygon C86 3185, recorded under an OS that had not enabled XSAVE (OSXSAVE clear): kind amd (the
     * HygonGenuine string shares AMD's branch in 2.36), AVX never usable, XSAVE cleared, v2.
     */
    @Test
    void hygonWithoutOsxsaveHasNoAvx() throws Exception {
        X86CpuFeatures cpu = replay("hygon-dhyana");
        assertThat(cpu.kind()).isEqualTo(Kind.arch_kind_amd);
        assertThat(cpu.family()).isEqualTo(0x18);
        assertThat(cpu.usable(GlibcCpuFeature.AVX)).isFalse();
        assertThat(cpu.usable(GlibcCpuFeature.XSAVE)).isFalse();
        assertThat(cpu.isa1()).isEqualTo(BASELINE | V2);
        assertX86_64(cpu, "x86_64", HWCAP_X86_64, List.of("x86-64-v2"));
    }

    /**
     * glibc.cpu.hwcaps=-AVX512F (cpu-tunables.c set_hwcaps) clears AVX512F after isa_1 was taken:
     * isa_1 keeps v4, the glibc-hwcaps subdirectories (asked of get_isa_level again) lose x86-64-v4,
     * and avx512_1, which tests CD, BW, DQ and VL only, stays. -AVX2 costs haswell and v3.
     */
    @Test
    void hwcapsTunablesClearFeaturesAfterIsa1() throws Exception {
        X86CpuFeatures noAvx512 = replay("intel-skylake-sp", GlibcTunables.parse("glibc.cpu.hwcaps=-AVX512F", null));
        assertThat(noAvx512.isa1()).isEqualTo(BASELINE | V2 | V3 | V4);
        assertX86_64(noAvx512, "haswell", HWCAP_X86_64 | HWCAP_X86_AVX512_1, List.of("x86-64-v3", "x86-64-v2"));
        assertThat(noAvx512.appliedTunables()).containsExactly("-AVX512F");

        X86CpuFeatures noAvx2 = replay("intel-skylake-sp",
                GlibcTunables.parse("glibc.malloc.check=1:glibc.cpu.hwcaps=-AVX2,-Unknown,Prefer_ERMS", null));
        assertX86_64(noAvx2, "x86_64", HWCAP_X86_64 | HWCAP_X86_AVX512_1, List.of("x86-64-v2"));
        assertThat(noAvx2.appliedTunables()).containsExactly("-AVX2");
        // -I686 and -I586 take a 32-bit ld.so's platform back to the kernel's.
        X86CpuFeatures noI686 = replay("intel-haswell", GlibcTunables.parse("glibc.cpu.hwcaps=-I686,-I586", null));
        assertThat(noI686.platformI386("the kernel's")).isEqualTo("the kernel's");
        assertThat(replay("intel-haswell", GlibcTunables.parse("glibc.cpu.hwcaps=-I686", null))
                .platformI386("the kernel's")).isEqualTo("i586");
    }

    /**
     * A vendor glibc does not know: get_common_indices is called without family and model, so leaf 1
     * is never read; no SSE2, no CMOV, isa_1 0, no glibc-hwcaps, and a 32-bit ld.so keeps the kernel's
     * platform. (A crafted input: the Haswell dump with another vendor string.)
     */
    @Test
    void anUnknownVendorReadsNoLeaf1() throws Exception {
        RecordedCpu haswell = ((CpuProfile.Recorded) CpuProfile.load("intel-haswell")).cpu();
        java.util.Map<Long, Registers> answers = new java.util.HashMap<>(haswell.answers());
        Registers leaf0 = haswell.query(0, 0);
        answers.put(0L, new Registers(leaf0.eax(), 0x61746554, 0x4d6e6f72, 0x34207465)); // a vendor string glibc does not know
        X86CpuFeatures cpu = X86CpuFeatures.compute(new RecordedCpu("other", answers, java.util.OptionalLong.empty()),
                GlibcTunables.none());
        assertThat(cpu.kind()).isEqualTo(Kind.arch_kind_other);
        assertThat(cpu.cpuid()[0]).containsExactly(0, 0, 0, 0);
        assertThat(cpu.isa1()).isZero();
        assertX86_64(cpu, "x86_64", HWCAP_X86_64, List.of());
        assertThat(cpu.platformI386("the kernel's")).isEqualTo("the kernel's");
        assertThat(cpu.hwcapI386()).isZero();
    }

    @Test
    void everyRecordedCpuLoadsByName() throws Exception {
        assertThat(CpuProfile.recordedNames()).hasSizeGreaterThanOrEqualTo(9);
        for (String name : CpuProfile.recordedNames()) {
            CpuProfile profile = CpuProfile.load(name);
            assertThat(profile).as(name).isInstanceOf(CpuProfile.Recorded.class);
            assertThat(((CpuProfile.Recorded) profile).cpu().has(1, 0)).as(name).isTrue();
        }
    }

    @Test
    void tunablesParseAsLdSoParsesThem() {
        GlibcTunables t = GlibcTunables.parse("glibc.cpu.hwcaps=-AVX2:novalue:glibc.cpu.hwcap_mask=0x4:"
                + "glibc.cpu.hwcaps=-AVX512F,-BMI2:glibc.malloc.tcache_count=0", "0x2");
        assertThat(t.hwcaps()).contains("-AVX512F,-BMI2");
        assertThat(t.hwcapMask()).hasValue(4);
        assertThat(t.ignored()).containsExactly("glibc.malloc.tcache_count=0");
        assertThat(GlibcTunables.parse(null, "06").hwcapMask()).as("octal, as _dl_strtoul reads it").hasValue(6);
        assertThat(GlibcTunables.parse("glibc.cpu.hwcap_mask= 0x1f", null).hwcapMask()).hasValue(0x1f);
        assertThat(GlibcTunables.parse("glibc.cpu.hwcap_mask=zz", null).hwcapMask()).hasValue(0);
        assertThat(GlibcTunables.parse("glibc.cpu.hwcaps", null).hwcaps()).as("no '='").isEqualTo(Optional.empty());
    }
}
