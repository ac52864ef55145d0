package dev.vdsoscope;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The package layering of docs/ARCHITECTURE.md, read from the sources' imports. */
class LayeringTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/vdsoscope");
    private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?(dev\\.vdsoscope\\.[a-z]+|picocli|com\\.fasterxml)");

    /** What each package may import from the project (besides itself), and that none but cli may print JSON or parse options. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "elf", Set.of("elf"),
            "linux", Set.of(),
            "proc", Set.of("elf", "linux"),
            "vdso", Set.of("elf", "linux", "proc"),
            "disasm", Set.of("elf", "linux"),
            "loader", Set.of("elf", "linux", "vdso"),
            "measure", Set.of("elf", "linux", "proc", "vdso"));

    @Test
    void lowerLayersImportOnlyWhatIsBelowThem() throws Exception {
        for (var entry : ALLOWED.entrySet()) {
            Set<String> used = new TreeSet<>();
            try (var files = Files.walk(SOURCES.resolve(entry.getKey()))) {
                for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = IMPORT.matcher(Files.readString(file));
                    while (m.find()) {
                        String target = m.group(1).replace("dev.vdsoscope.", "");
                        if (!target.equals(entry.getKey())) {
                            used.add(target);
                        }
                    }
                }
            }
            assertThat(used).as("imports of dev.vdsoscope." + entry.getKey()).isSubsetOf(entry.getValue());
        }
    }
}
