package dev.vdsoscope.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.vdsoscope.linux.Cpuid.Registers;
import dev.vdsoscope.loader.cpu.GlibcTunables;
import dev.vdsoscope.loader.cpu.LdSoDiagnostics;
import dev.vdsoscope.loader.cpu.RecordedCpu;
import dev.vdsoscope.loader.cpu.X86CpuFeatures;

/**
 * Fuzzing of what the CPU model takes from outside: recorded CPUID dumps, saved ld.so diagnostics
 * (both given with --cpu), GLIBC_TUNABLES, and the CPUID answers themselves (a hypervisor may
 * report anything). None may throw anything but the documented format exception.
 */
class CpuModelFuzzTest {
    @FuzzTest
    void recordedCpu(byte[] data) {
        try {
            RecordedCpu cpu = RecordedCpu.parse("fuzz", new String(data, StandardCharsets.ISO_8859_1));
            X86CpuFeatures features = X86CpuFeatures.compute(cpu, GlibcTunables.none());
            features.glibcHwcapsX86_64();
            features.platformX86_64("x86_64");
            features.platformI386("i686");
        } catch (RecordedCpu.FormatException expected) {
            // A malformed dump is refused with the line at fault.
        }
    }

    @FuzzTest
    void ldSoDiagnostics(byte[] data) {
        try {
            LdSoDiagnostics diagnostics = LdSoDiagnostics.parse("fuzz", new String(data, StandardCharsets.ISO_8859_1));
            diagnostics.platform();
            diagnostics.hwcap();
            diagnostics.glibcHwcaps();
            diagnostics.systemDirectories();
            diagnostics.tunables();
            diagnostics.version();
            diagnostics.x86().ifPresent(X86CpuFeatures::glibcHwcapsX86_64);
        } catch (LdSoDiagnostics.FormatException expected) {
            // Refused with the line at fault.
        }
    }

    @FuzzTest
    void tunables(FuzzedDataProvider data) {
        GlibcTunables tunables = GlibcTunables.parse(data.consumeString(500), data.consumeRemainingAsString());
        tunables.hwcapsWords();
    }

    /** Any CPUID answers and XCR0, with any tunables: the model always gives an answer. */
    @FuzzTest
    void model(FuzzedDataProvider data) {
        Map<Long, Registers> answers = new HashMap<>();
        int[] leaves = {0, 1, 7, 0xd, 0x14, 0x19, 0x80000000, 0x80000001, 0x80000007, 0x80000008};
        for (int leaf : leaves) {
            for (int subleaf = 0; subleaf < 2; subleaf++) {
                answers.put((Integer.toUnsignedLong(leaf) << 32) | subleaf, new Registers(data.consumeInt(),
                        data.consumeInt(), data.consumeInt(), data.consumeInt()));
            }
        }
        long xcr0 = data.consumeLong();
        GlibcTunables tunables = GlibcTunables.parse(data.consumeRemainingAsString(), null);
        X86CpuFeatures features = X86CpuFeatures.compute(new RecordedCpu("fuzz", answers, OptionalLong.of(xcr0)),
                tunables);
        features.glibcHwcapsX86_64();
        features.hwcapX86_64();
        features.platformX86_64(null);
        features.hwcapI386();
    }
}
