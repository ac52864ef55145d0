package dev.vdsoscope.vdso;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.vdsoscope.abi.VdsoFunction;
import dev.vdsoscope.abi.VdsoNames;
import java.util.OptionalLong;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.vdsoscope.elf.ElfFile;

/**
 * The loader-style lookup (hash table + version definition, no section headers) of every function
 * each real vDSO exports, held against the addresses objdump -T reads from the section headers.
 */
class VdsoFixtureLookupTest {
    static Stream<Path> fixtures() throws Exception {
        return Files.list(Path.of("test-fixtures/vdso")).filter(p -> p.toString().endsWith(".so")).sorted();
    }

    /** name -> (address, version) from `objdump -T`; Thumb bits are already cleared by objdump. */
    private static Map<String, String[]> objdump(Path file) throws Exception {
        Process p = new ProcessBuilder("objdump", "-T", file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Map<String, String[]> symbols = new HashMap<>();
        for (String line : out.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && line.contains(" DF ")) {
                symbols.put(f[f.length - 1], new String[] {f[0], f[f.length - 2]});
            }
        }
        return symbols;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyExportedFunctionIsFoundTheLoadersWay(Path file) throws Exception {
        Map<String, String[]> oracle = objdump(file);
        try (ElfFile image = ElfFile.open(file)) {
            Vdso vdso = Vdso.of(image, 0);
            VdsoNames abi = vdso.names().orElseThrow();
            int found = 0;
            for (VdsoFunction function : VdsoFunction.values()) {
                String name = abi.symbol(function);
                String[] expected = oracle.get(name);
                OptionalLong address = vdso.lookup(abi.version(), name);
                if (expected == null) {
                    assertThat(address).as(name).isEmpty();
                    continue;
                }
                found++;
                assertThat(expected[1]).as("version of " + name).isEqualTo(abi.version());
                assertThat(address).as(name).isPresent();
                // ARM Thumb functions carry the low bit in st_value; objdump shows it cleared.
                assertThat(address.getAsLong() & ~1L).as(name).isEqualTo(Long.parseLong(expected[0], 16));
                assertThat(vdso.lookup("LINUX_9.9", name)).as(name + " under a wrong version").isEmpty();
            }
            assertThat(found).as("functions found in " + file).isGreaterThanOrEqualTo(3);
            assertThat(vdso.soname()).isEqualTo(abi.soname());
        }
    }
}
