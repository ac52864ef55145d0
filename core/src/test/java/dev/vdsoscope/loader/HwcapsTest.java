package dev.vdsoscope.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.Section;

/** The capability and directory lists against what this machine's ld.so says about itself. */
class HwcapsTest {
    private static String help() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(Gcc.LD_SO)));
        return Gcc.run(Map.of(), Gcc.LD_SO, "--help").output();
    }

    /** The indented lines under a heading of ld.so --help. */
    private static List<String> section(String help, String heading) {
        List<String> lines = new ArrayList<>();
        boolean inside = false;
        for (String line : help.split("\n")) {
            if (line.startsWith(heading)) {
                inside = true;
            } else if (inside && line.startsWith("  ")) {
                lines.add(line.strip());
            } else if (inside) {
                break;
            }
        }
        return lines;
    }

    @Test
    void glibcHwcapsSubdirectoriesAreTheOnesLdSoSearches() throws Exception {
        List<String> searched = section(help(), "Subdirectories of glibc-hwcaps").stream()
                .filter(l -> l.contains("supported, searched")).map(l -> l.substring(0, l.indexOf(' '))).toList();
        assertThat(HostHwcaps.forX86_64().glibcHwcaps()).isEqualTo(searched);
    }

    @Test
    void legacySubdirectoriesAndPlatformAreTheOnesLdSoSearches() throws Exception {
        List<String> legacy = section(help(), "Legacy HWCAP subdirectories");
        Hwcaps hwcaps = HostHwcaps.forX86_64();
        assertThat(hwcaps.legacy()).containsExactlyInAnyOrderElementsOf(
                legacy.stream().filter(l -> l.contains("searched")).map(l -> l.substring(0, l.indexOf(' '))).toList());
        legacy.stream().filter(l -> l.contains("AT_PLATFORM")).findFirst()
                .ifPresent(l -> assertThat(hwcaps.platform()).contains(l.substring(0, l.indexOf(' '))));
    }

    @Test
    void everySubdirectoryIsTriedInLdSosOrder() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/true")));
        Gcc.Result debug = Gcc.run(Map.of("LD_LIBRARY_PATH", "/nonexistent-vdsoscope", "LD_DEBUG", "libs"), "/bin/true");
        String line = Arrays.stream(debug.output().split("\n")).filter(l -> l.contains("(LD_LIBRARY_PATH)"))
                .findFirst().orElseThrow();
        String path = line.substring(line.indexOf("search path=") + "search path=".length(), line.indexOf('\t', line.indexOf("search path=")));
        List<String> expected = Arrays.stream(path.split(":"))
                .map(p -> p.equals("/nonexistent-vdsoscope") ? "" : p.substring("/nonexistent-vdsoscope/".length()) + "/")
                .toList();
        assertThat(HostHwcaps.forX86_64().searchSubdirectories()).isEqualTo(expected);
    }

    @Test
    void trustedDirectoriesAreLdSosSystemSearchPath() throws Exception {
        List<String> system = section(help(), "Shared library search path").stream()
                .filter(l -> l.endsWith("(system search path)")).map(l -> l.substring(0, l.indexOf(' '))).toList();
        try (dev.vdsoscope.elf.ElfFile ldSo = dev.vdsoscope.elf.ElfFile.open(Path.of(Gcc.LD_SO))) {
            assertThat(dev.vdsoscope.abi.LinuxAbi.of(ldSo.header()).orElseThrow().glibc().orElseThrow().trustedDirectories()).isEqualTo(system);
        }
    }

    @Test
    void trustedDirectoriesAreReadFromEachLdSoFile() throws Exception {
        for (String ldSo : List.of(Gcc.LD_SO, "/lib/ld-linux.so.2")) {
            if (!Files.isExecutable(Path.of(ldSo))) {
                continue;
            }
            String help = Gcc.run(Map.of(), ldSo, "--help").output();
            List<String> system = section(help, "Shared library search path").stream()
                    .filter(l -> l.endsWith("(system search path)")).map(l -> l.substring(0, l.indexOf(' '))).toList();
            assertThat(LdSoBinary.at(Path.of(ldSo)).trustedDirectories()).as(ldSo).contains(system);
        }
    }
    /**
     * An ld.so whose .rodata section header lies (an offset and size whose sum overflows, or a range
     * without the string) still gives its directories: the whole file is searched then.
     */
    @Test
    void aLyingRodataHeaderFallsBackToTheWholeFile(@TempDir Path directory) throws Exception {
        Path real = Path.of(Gcc.LD_SO);
        assumeTrue(Files.isReadable(real), "no " + real);
        byte[] bytes = Files.readAllBytes(real);
        ElfFile elf = ElfFile.of(real.toString(), ByteBuffer.wrap(bytes));
        assumeTrue(elf.header().is64(), "a 64-bit ld.so");
        Section rodata = elf.section(".rodata").orElseThrow();
        int header = (int) (elf.header().shoff() + (long) rodata.index() * elf.header().shentsize());
        Optional<List<String>> expected = LdSoBinary.at(real).trustedDirectories();
        assertThat(expected).isPresent();

        long[][] lies = {
            {(1L << 32) + bytes.length - 100, Long.MIN_VALUE + Integer.MAX_VALUE - ((1L << 32) + bytes.length - 100)},
            {0, 16},
        };
        for (long[] lie : lies) {
            ByteBuffer patched = ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
            patched.putLong(header + 24, lie[0]).putLong(header + 32, lie[1]); // sh_offset, sh_size
            Path file = Files.write(directory.resolve("ld.so"), patched.array());

            assertThat(LdSoBinary.at(file).trustedDirectories()).as("sh_offset %d, sh_size %d", lie[0], lie[1]).isEqualTo(expected);
        }
    }
}
