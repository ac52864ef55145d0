package dev.vdsoscope.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The foreign corpus that scripts/fetch-foreign-corpus unpacks from the Debian packages listed in
 * cli/src/test/resources/corpora/foreign/MANIFEST: ELF files of seven other architectures, kept out of
 * git, under {@code $VDSOSCOPE_CORPORA/foreign} (default {@code ~/.cache/vdsoscope/corpora}).
 */
public final class ForeignCorpus {
    private ForeignCorpus() {}

    public static Path directory() {
        String root = System.getenv("VDSOSCOPE_CORPORA");
        return (root != null && !root.isEmpty() ? Path.of(root)
                : Path.of(System.getProperty("user.home"), ".cache", "vdsoscope", "corpora")).resolve("foreign");
    }

    /** Every ELF file fetched, sorted by path; empty when the corpus has not been fetched. */
    public static List<Path> files() {
        Path directory = directory();
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(".fetched"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
