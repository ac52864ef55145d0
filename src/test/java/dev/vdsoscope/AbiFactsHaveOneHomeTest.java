package dev.vdsoscope;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Everything that differs per Linux ABI lives in dev.vdsoscope.abi: no other package decides an ABI
 * from the JVM's os.arch or from e_machine, or spells an ABI's names (its vDSO's soname, symbol prefix
 * and version, its loader's paths and triplets). The ELF format's own per-machine rules (dev.vdsoscope.elf)
 * and the emulated tools' tables (dev.vdsoscope.compat) are facts of the format and of those tools.
 */
class AbiFactsHaveOneHomeTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/vdsoscope");

    private static final Map<String, Pattern> ABI_FACTS = Map.of(
            "os.arch", Pattern.compile("\"os\\.arch\""),
            "an architecture name", Pattern.compile(
                    "\"(amd64|x86_64|x86-64|aarch64|arm64|armhf|ppc64le|ppc64el|s390x|riscv64|loong64|loongarch64)\""),
            "a vDSO name", Pattern.compile("\"(linux-vdso|linux-gate|__vdso_|__kernel_|LINUX_\\d)"),
            "a glibc loader path or triplet", Pattern.compile("\"/lib(64|32|x32)?/ld-|-linux-gnu"),
            "a decision on e_machine", Pattern.compile("switch\\s*\\([^)]*[mM]achine|equals\\(Machine\\.EM_"));

    /** Packages whose per-machine code is a format's or a tool's, not a Linux ABI's. */
    private static final List<String> FORMAT_AND_TOOL_PACKAGES = List.of("abi", "elf", "compat");

    /** Single files, each with the reason it may. */
    private static final Map<String, String> EXCEPTIONS = Map.of(
            "measure/MachineContext.java", "reports the JVM's os.arch verbatim, as the bench context's architecture",
            "disasm/CodeSymbols.java", "ARM's mapping symbols ($a, $t, $d) are the ARM ELF supplement's, any OS");

    @Test
    void noPackageButAbiHoldsPerAbiFacts() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String relative = SOURCES.relativize(file).toString();
                String topPackage = relative.substring(0, relative.indexOf('/'));
                if (FORMAT_AND_TOOL_PACKAGES.contains(topPackage) || EXCEPTIONS.containsKey(relative)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String code = lines.get(i).strip();
                    if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) {
                        continue;
                    }
                    for (var fact : ABI_FACTS.entrySet()) {
                        Matcher m = fact.getValue().matcher(code);
                        if (m.find()) {
                            found.add(relative + ":" + (i + 1) + ": " + fact.getKey() + ": " + code);
                        }
                    }
                }
            }
        }
        assertThat(found).as("per-ABI facts outside dev.vdsoscope.abi").isEmpty();
    }

    /** The exceptions still need to be exceptions: each file exists and holds what it is excused for. */
    @Test
    void everyExceptionIsStillNeeded() throws IOException {
        for (String relative : EXCEPTIONS.keySet()) {
            String source = Files.readString(SOURCES.resolve(relative));
            assertThat(ABI_FACTS.values().stream().anyMatch(p -> p.matcher(source).find())).as(relative).isTrue();
        }
    }
}
