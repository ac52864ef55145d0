package dev.vdsoscope;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The package layering of docs/ARCHITECTURE.md, read from the sources' imports: each package (with
 * its sub-packages) imports only packages below it, and only the CLI parses options or prints JSON.
 */
class LayeringTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/vdsoscope");
    /** An import, or a fully qualified name in code, of a project package or of a CLI library. */
    private static final Pattern IMPORT = Pattern.compile(
            "(?m)^import (?:static )?(picocli|com\\.fasterxml)|(?<!package )\\bdev\\.vdsoscope\\.([a-z]+)\\.");

    /** Bottom first: the ELF format, BTF, per-ABI facts, Linux calls, /proc, the vDSO, then what uses them. */
    private static final List<String> LAYERS = List.of("elf", "btf", "abi", "linux", "proc", "vdso", "disasm", "loader",
            "measure", "compat", "cli");

    @Test
    void everyPackageHasAPlaceInTheLayers() throws IOException {
        try (Stream<Path> packages = Files.list(SOURCES)) {
            List<String> names = packages.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList();
            assertThat(LAYERS).containsAll(names);
        }
    }

    @Test
    void eachPackageImportsOnlyPackagesBelowIt() throws IOException {
        for (int layer = 0; layer < LAYERS.size(); layer++) {
            String name = LAYERS.get(layer);
            Set<String> allowed = new TreeSet<>(LAYERS.subList(0, layer));
            if (name.equals("cli")) {
                allowed.addAll(List.of("picocli", "com.fasterxml"));
            }
            Set<String> used = imports(name);
            used.remove(name);
            assertThat(used).as("imports of dev.vdsoscope." + name + " (allowed: " + allowed + ")")
                    .isSubsetOf(allowed);
        }
    }

    private static Set<String> imports(String name) throws IOException {
        Set<String> used = new TreeSet<>();
        Path dir = SOURCES.resolve(name);
        if (!Files.isDirectory(dir)) {
            return used;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    used.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
        }
        return used;
    }
}
