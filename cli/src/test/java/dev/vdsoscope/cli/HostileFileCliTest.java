package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.elf.testing.ElfImage;
import dev.vdsoscope.elf.testing.ElfImageBuilder;

/** What the commands print about files whose names and strings are themselves hostile. */
class HostileFileCliTest {
    @TempDir
    Path directory;

    /** An image whose .dynsym is named ".dyn\nym" in .shstrtab: its "s" made a newline. */
    private static ElfImage newlineInSectionName() {
        ElfImage image = ElfImageBuilder.typical(true, ByteOrder.LITTLE_ENDIAN, ElfImageBuilder.EM_X86_64).build();
        long names = image.section(".shstrtab").offset();
        String table = new String(image.bytes(), (int) names, (int) image.section(".shstrtab").size(),
                StandardCharsets.ISO_8859_1);
        return image.put8(names + table.indexOf(".dynsym\0") + 4, '\n');
    }

    private Cli.Result symbols(ElfImage image, String file) {
        Cli.Result run = Cli.run("symbols", image.write(directory.resolve(file)).toString());
        assertThat(run.stderr().lines().toList()).isNotEmpty().allSatisfy(
                line -> assertThat(line).startsWith("vdsoscope: " + directory.resolve(file) + ": "));
        return run;
    }

    @Test
    void aWarningAboutASectionWithANewlineInItsNameStaysOnOneLine() {
        ElfImage image = newlineInSectionName();
        image.sectionHeader(image.section(".dynsym").index(), "sh_link", 999);
        Cli.Result run = symbols(image, "warning.so");
        assertThat(run.exitCode()).isZero();
        assertThat(run.stderr()).contains("section .dyn\\x0aym links to a missing string table");
    }

    @Test
    void aFailureAboutASectionWithANewlineInItsNameIsOneLine() {
        ElfImage image = newlineInSectionName();
        image.sectionHeader(image.section(".dynsym").index(), "sh_entsize", 4);
        Cli.Result run = symbols(image, "failure.so");
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.stderr().lines()).hasSize(1);
    }
}
