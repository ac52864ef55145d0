package dev.vdsoscope;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The main sources of both artifacts, for the tests that check a rule over all the code: the library
 * (core) and the command line (cli). Paths are relative to the repository's root, where every test
 * runs.
 */
final class ProjectSources {
    /** The directory of dev.vdsoscope in each artifact's sources. */
    static final List<Path> PACKAGE_ROOTS = List.of(Path.of("core/src/main/java/dev/vdsoscope"),
            Path.of("cli/src/main/java/dev/vdsoscope"));

    private ProjectSources() {}

    /** Each top-level package's directory, by name (elf, abi, ..., cli); a name found in two artifacts fails. */
    static Map<String, Path> packages() {
        Map<String, Path> packages = new TreeMap<>();
        for (Path root : PACKAGE_ROOTS) {
            try (Stream<Path> children = Files.list(root)) {
                for (Path dir : children.filter(Files::isDirectory).toList()) {
                    Path other = packages.put(dir.getFileName().toString(), dir);
                    if (other != null) {
                        throw new IllegalStateException("package " + dir.getFileName() + " is in " + other + " and " + dir);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return packages;
    }

    /** Every .java file under the package roots, keyed by its path below its root (vdso/Vdso.java). */
    static Map<String, Path> javaFiles() {
        Map<String, Path> files = new TreeMap<>();
        for (Path root : PACKAGE_ROOTS) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> p.toString().endsWith(".java"))
                        .forEach(file -> files.put(root.relativize(file).toString(), file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }
}
