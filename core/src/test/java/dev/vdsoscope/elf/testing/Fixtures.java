package dev.vdsoscope.elf.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The real vDSO images kept under test-fixtures/vdso. */
public final class Fixtures {
    public static final Path DIRECTORY = Path.of("test-fixtures/vdso");

    private Fixtures() {}

    public static List<Path> vdsoImages() {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            List<Path> images = files.filter(p -> p.getFileName().toString().endsWith(".so")).sorted().toList();
            if (images.isEmpty()) {
                throw new IllegalStateException("no fixtures in " + DIRECTORY.toAbsolutePath());
            }
            return images;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] read(Path fixture) {
        try {
            return Files.readAllBytes(fixture);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
