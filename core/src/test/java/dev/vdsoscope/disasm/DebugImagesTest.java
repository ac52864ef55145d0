package dev.vdsoscope.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.elf.ElfFile;

class DebugImagesTest {
    static final Path FIXTURES = Path.of("test-fixtures/vdso");
    static final Path IMAGE_612 = FIXTURES.resolve("x86_64-linux-6.12.117-vdso64.so");

    @Test
    void foundByBuildId(@TempDir Path root) throws Exception {
        Path byId = root.resolve(".build-id/0d/e635643e0fbfed140bcef4e6f4ae28dfe6535d.debug");
        Files.createDirectories(byId.getParent());
        Files.copy(IMAGE_612, byId);
        try (ElfFile live = ElfFile.open(IMAGE_612)) {
            assertThat(DebugImages.find(live, root, null)).contains(byId);
        }
    }

    @Test
    void foundByKernelReleaseOnlyWithTheSameBuildId(@TempDir Path root) throws Exception {
        Path vdso = root.resolve("lib/modules/6.12.117+deb12-amd64/vdso");
        Files.createDirectories(vdso);
        Files.copy(FIXTURES.resolve("x86_64-linux-6.1-vdso64.so"), vdso.resolve("vdso32.so"));
        Files.copy(IMAGE_612, vdso.resolve("vdso64.so"));
        try (ElfFile live = ElfFile.open(IMAGE_612)) {
            assertThat(DebugImages.find(live, root, "6.12.117+deb12-amd64")).contains(vdso.resolve("vdso64.so"));
            assertThat(DebugImages.find(live, root, "6.1.0-50-amd64")).isEmpty();
        }
        try (ElfFile other = ElfFile.open(FIXTURES.resolve("x32-linux-6.12.117-vdsox32.so"))) {
            assertThat(DebugImages.find(other, root, "6.12.117+deb12-amd64")).isEmpty();
        }
    }
}
