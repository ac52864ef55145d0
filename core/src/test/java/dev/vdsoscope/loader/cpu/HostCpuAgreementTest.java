package dev.vdsoscope.loader.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.vdsoscope.linux.Cpuid;

/**
 * On whatever x86 machine runs the tests, the model fed with this CPU's own cpuid and xgetbv must
 * say what this machine's ld.so says of itself ({@code ld.so --list-diagnostics}): the vendor kind,
 * family, model and stepping, every raw and every usable CPUID word, isa_1, the preferred I586/I686
 * bits, the platform, AT_HWCAP, HWCAP_IMPORTANT and the glibc-hwcaps subdirectories. Nothing about
 * the CPU is assumed: the oracle is the ld.so in front of us. Also run under GLIBC_TUNABLES that
 * switch features off, given to both. The 32-bit ld.so is asked too where this machine can run it
 * (it needs the kernel's IA32 emulation and gcc-multilib's libc6-i386), and is skipped visibly
 * elsewhere.
 */
class HostCpuAgreementTest {
    private static final String LD_SO_64 = "/lib64/ld-linux-x86-64.so.2";
    private static final String LD_SO_32 = "/lib/ld-linux.so.2";

    private static LdSoDiagnostics diagnostics(String ldSo, String tunables) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(ldSo, "--list-diagnostics").redirectErrorStream(true);
        builder.environment().remove("GLIBC_TUNABLES");
        builder.environment().remove("LD_HWCAP_MASK");
        if (!tunables.isEmpty()) {
            builder.environment().put("GLIBC_TUNABLES", tunables);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assumeTrue(process.exitValue() == 0, ldSo + " --list-diagnostics failed here (exit "
                + process.exitValue() + "): " + output.lines().findFirst().orElse(""));
        return LdSoDiagnostics.parse(ldSo, output);
    }

    /** The diagnostics of an ld.so of the glibc the model follows; other glibcs are skipped, visibly. */
    private static LdSoDiagnostics modelledDiagnostics(String ldSo, String tunables) throws Exception {
        LdSoDiagnostics diagnostics = diagnostics(ldSo, tunables);
        assumeTrue(diagnostics.version().equals(java.util.Optional.of(MODELLED_GLIBC)), "the CPU model is glibc "
                + MODELLED_GLIBC + "'s; " + ldSo + " is glibc " + diagnostics.version().orElse("(unknown)"));
        return diagnostics;
    }

    private static final String MODELLED_GLIBC = "2.36";

    private static X86CpuFeatures model(String tunables) {
        assumeTrue(Cpuid.available(), "cpuid cannot run here: " + Cpuid.unavailableReason().orElse(""));
        return X86CpuFeatures.compute(CpuidSource.host().orElseThrow(),
                GlibcTunables.parse(tunables.isEmpty() ? null : tunables, null));
    }

    /** Leaf 1 EBX bits 31-24 are the initial APIC id of the CPU that ran cpuid: it differs per core. */
    private static int[][] withoutApicId(int[][] words) {
        words[0][1] &= 0x00ffffff;
        return words;
    }

    private static void assertSameFeatures(X86CpuFeatures ours, X86CpuFeatures ldSo) {
        assertThat(ours.kind()).as("basic.kind").isEqualTo(ldSo.kind());
        assertThat(ours.maxCpuid()).as("basic.max_cpuid").isEqualTo(ldSo.maxCpuid());
        assertThat(List.of(ours.family(), ours.model(), ours.stepping())).as("family, model, stepping")
                .isEqualTo(List.of(ldSo.family(), ldSo.model(), ldSo.stepping()));
        assertThat(withoutApicId(ours.cpuid())).as("cpuid words").isDeepEqualTo(withoutApicId(ldSo.cpuid()));
        int[][] ourActive = ours.active();
        int[][] theirActive = ldSo.active();
        for (int index = 0; index < ourActive.length; index++) {
            for (int register = 0; register < 4; register++) {
                assertThat(Integer.toHexString(ourActive[index][register]))
                        .as("active[%d][%d] (features[0x%x].active[0x%x])", index, register, index, register)
                        .isEqualTo(Integer.toHexString(theirActive[index][register]));
            }
        }
        assertThat(ours.isa1()).as("isa_1").isEqualTo(ldSo.isa1());
        assertThat(List.of(ours.preferI586(), ours.preferI686())).as("preferred I586, I686")
                .isEqualTo(List.of(ldSo.preferI586(), ldSo.preferI686()));
    }

    @ParameterizedTest(name = "GLIBC_TUNABLES={0}")
    @ValueSource(strings = {"", "glibc.cpu.hwcaps=-AVX2,-XSAVEC,-SSE4_2", "glibc.cpu.hwcaps=-AVX512F,-BMI1",
            "glibc.cpu.hwcaps=-OSXSAVE", "glibc.cpu.hwcaps=-AVX512CD,-POPCNT"})
    void theModelSaysWhatThe64BitLdSoSays(String tunables) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(LD_SO_64)), "no " + LD_SO_64);
        LdSoDiagnostics ldSo = modelledDiagnostics(LD_SO_64, tunables);
        X86CpuFeatures ours = model(tunables);
        assertSameFeatures(ours, ldSo.x86().orElseThrow());
        String atPlatform = auxvPlatform(ldSo);
        assertThat(ours.platformX86_64(atPlatform)).as("dl_platform").isEqualTo(ldSo.platform().orElse(null));
        assertThat(ours.hwcapX86_64()).as("dl_hwcap").isEqualTo(ldSo.hwcap());
        assertThat(ldSo.hwcapImportant()).as("dl_hwcap_important").isEqualTo(X86CpuFeatures.HWCAP_X86_64
                | X86CpuFeatures.HWCAP_X86_AVX512_1);
        assertThat(ours.glibcHwcapsX86_64()).as("dl_hwcaps_subdirs_active").isEqualTo(ldSo.glibcHwcaps());
    }

    @ParameterizedTest(name = "GLIBC_TUNABLES={0}")
    @ValueSource(strings = {"", "glibc.cpu.hwcaps=-SSE2,-I686"})
    void theModelSaysWhatThe32BitLdSoSays(String tunables) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(LD_SO_32)), "no 32-bit ld.so (" + LD_SO_32 + ", from libc6-i386)");
        LdSoDiagnostics ldSo = modelledDiagnostics(LD_SO_32, tunables);
        X86CpuFeatures ours = model(tunables);
        assertSameFeatures(ours, ldSo.x86().orElseThrow());
        assertThat(ours.platformI386(auxvPlatform(ldSo))).as("dl_platform").isEqualTo(ldSo.platform().orElse(null));
        assertThat(ours.hwcapI386()).as("dl_hwcap").isEqualTo(ldSo.hwcap());
        assertThat(ldSo.glibcHwcaps()).isEmpty();
    }

    /**
     * The kernel's AT_PLATFORM for the process ld.so ran as: the diagnostics print the auxiliary
     * vector's values, but a string entry only as an address, so it is taken from the AT_PLATFORM
     * that ld.so would keep when it has no rule of its own: "x86_64" for a 64-bit process and "i686"
     * for a 32-bit one on this 64-bit kernel (arch/x86/include/asm/elf.h ELF_PLATFORM,
     * COMPAT_ELF_PLATFORM), which the test checks is what the running kernel gives this JVM.
     */
    private static String auxvPlatform(LdSoDiagnostics ldSo) throws IOException {
        boolean is32 = ldSo.loaderName().map(n -> n.equals("ld-linux.so.2")).orElse(false);
        String ours = readOwnAtPlatform();
        assertThat(ours).as("this 64-bit JVM's AT_PLATFORM").isEqualTo("x86_64");
        return is32 ? "i686" : ours;
    }

    private static String readOwnAtPlatform() {
        long address = dev.vdsoscope.linux.Libc.getauxval(15);
        return java.lang.foreign.MemorySegment.ofAddress(address).reinterpret(64).getString(0);
    }

    /**
     * {@code --cpu ld.so} (the answer where cpuid cannot run) and {@code --cpu host} give the same
     * search: the same glibc-hwcaps subdirectories, platform, legacy names and cache bits.
     */
    @ParameterizedTest(name = "GLIBC_TUNABLES={0}")
    @ValueSource(strings = {"", "glibc.cpu.hwcaps=-AVX2,-XSAVEC,-SSE4_2"})
    void askingLdSoGivesTheSearchTheModelGives(String tunables) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(LD_SO_64)), "no " + LD_SO_64);
        modelledDiagnostics(LD_SO_64, tunables);
        model(tunables);
        GlibcTunables given = GlibcTunables.parse(tunables.isEmpty() ? null : tunables, null);
        java.util.Optional<String> version = java.util.Optional.of(MODELLED_GLIBC);
        dev.vdsoscope.loader.Hwcaps asked = dev.vdsoscope.loader.Hwcaps.compute(dev.vdsoscope.abi.LinuxAbi.X86_64,
                new CpuProfile.SystemLoader(), given, version);
        dev.vdsoscope.loader.Hwcaps modelled = dev.vdsoscope.loader.Hwcaps.compute(dev.vdsoscope.abi.LinuxAbi.X86_64,
                CpuProfile.host(), given, version);
        assertThat(asked.source()).endsWith("--list-diagnostics");
        assertThat(asked.searchSubdirectories()).isEqualTo(modelled.searchSubdirectories());
        assertThat(List.of(asked.platform(), asked.cacheHwcap(), asked.cachePlatform(), asked.isa1()))
                .isEqualTo(List.of(modelled.platform(), modelled.cacheHwcap(), modelled.cachePlatform(), modelled.isa1()));
    }

    /** The parser reads every line this machine's ld.so prints, for both ABIs it has. */
    @ParameterizedTest
    @ValueSource(strings = {LD_SO_64, LD_SO_32})
    void everyDiagnosticsLineIsRead(String ldSo) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(ldSo)), "no " + ldSo);
        LdSoDiagnostics diagnostics = diagnostics(ldSo, "");
        assertThat(diagnostics.version()).hasValueSatisfying(v -> assertThat(v).matches("\\d+\\.\\d+"));
        assertThat(diagnostics.systemDirectories()).isNotEmpty().allSatisfy(d -> assertThat(d).startsWith("/"));
        List<String> labels = diagnostics.labels();
        assertThat(labels).contains("dl_platform", "dl_hwcap", "x86.cpu_features.isa_1");
        assertThat(ldSo).endsWith("/" + diagnostics.loaderName().orElseThrow());
    }
}
