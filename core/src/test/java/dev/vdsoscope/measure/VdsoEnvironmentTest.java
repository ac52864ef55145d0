package dev.vdsoscope.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.measure.VdsoEnvironment.Image;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.vdso.Vdso;

/** Telling the kernel's own vDSO from a replacement, on real images from other kernels (test-fixtures/vdso). */
@org.junit.jupiter.api.parallel.Isolated
class VdsoEnvironmentTest {
    private static final long BASE = 0x7ffd5b3fe000L;
    private static final Optional<Mapping> VDSO_MAPPING = Optional.of(
            new Mapping(BASE, BASE + 0x2000, "r-xp", 0, "00:00", 0, "[vdso]"));

    private static Vdso fixture(String name) throws Exception {
        return Vdso.of(ElfFile.open(Path.of("test-fixtures/vdso", name)), BASE);
    }

    @Test
    void theRunningKernelsImageAtItsMappingIsTheKernels() throws Exception {
        List<String> evidence = new ArrayList<>();
        Image image = VdsoEnvironment.identify(fixture("x86_64-linux-6.12.117-vdso64.so"), BASE, VDSO_MAPPING,
                "6.12.117-amd64", evidence);
        assertThat(image).isEqualTo(Image.KERNEL);
        assertThat(evidence).anyMatch(e -> e.contains("6.12.117") && e.contains("matches"));
    }

    @Test
    void anImageFromAnotherKernelOrOutsideTheVdsoMappingIsAReplacement() throws Exception {
        List<String> versionEvidence = new ArrayList<>();
        assertThat(VdsoEnvironment.identify(fixture("x86_64-linux-6.1-vdso64.so"), BASE, VDSO_MAPPING,
                "6.12.117-amd64", versionEvidence)).isEqualTo(Image.REPLACEMENT);
        assertThat(versionEvidence).anyMatch(e -> e.contains("6.1.") && e.contains("6.12.117-amd64"));

        // 6.1 must not pass for 6.12 (or 6.18) by a prefix match.
        assertThat(VdsoEnvironment.identify(fixture("x86_64-linux-6.1-vdso64.so"), BASE, VDSO_MAPPING,
                "6.18.44", new ArrayList<>())).isEqualTo(Image.REPLACEMENT);

        List<String> placeEvidence = new ArrayList<>();
        assertThat(VdsoEnvironment.identify(fixture("x86_64-linux-6.12.117-vdso64.so"), BASE + 0x10000, VDSO_MAPPING,
                "6.12.117-amd64", placeEvidence)).isEqualTo(Image.REPLACEMENT);
        assertThat(placeEvidence).anyMatch(e -> e.contains("is not the start"));
        assertThat(VdsoEnvironment.identify(fixture("x86_64-linux-6.12.117-vdso64.so"), BASE, Optional.empty(),
                "6.12.117-amd64", new ArrayList<>())).isEqualTo(Image.REPLACEMENT);
    }
}
