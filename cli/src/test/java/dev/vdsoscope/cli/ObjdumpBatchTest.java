package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Two workers must print exactly what one prints: same bytes, same messages in the same order. */
class ObjdumpBatchTest {
    private record Result(String out, String err, int code) {}

    private static Result run(List<String> files, int workers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Output output = Output.of(new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = output.bind(() -> {
            int exit = ObjdumpBatch.run(files, false, workers);
            Output.flush();
            return exit;
        });
        return new Result(out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.UTF_8), code);
    }

    @Test
    void twoWorkersPrintWhatOnePrints() throws IOException {
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("test-fixtures/vdso"))) {
            s.map(Path::toString).sorted().forEach(files::add);
        }
        Path lib = Path.of("/usr/lib/x86_64-linux-gnu");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> s = Files.list(lib)) {
                s.filter(Files::isRegularFile).map(Path::toString).sorted().limit(150).forEach(files::add);
            }
        }
        // The largest library: its block (6 MB for libLLVM-15) may pass the buffer limit and be streamed.
        if (Files.isDirectory(lib)) {
            try (Stream<Path> s = Files.list(lib)) {
                s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().contains(".so"))
                        .max(Comparator.comparingLong(ObjdumpBatchTest::size)).map(Path::toString).ifPresent(files::add);
            }
        }
        files.add("/nonexistent/file.so");
        files.add("pom.xml");
        for (int k = 0; k < 3; k++) {
            files.addAll(files.subList(0, 12));
        }
        Result one = run(files, 1);
        Result two = run(files, 2);
        assertThat(two.out()).isEqualTo(one.out());
        assertThat(two.err()).isEqualTo(one.err());
        assertThat(two.code()).isEqualTo(one.code());
        assertThat(one.err()).contains("vdsoscope: /nonexistent/file.so: no such file or directory");
    }

    /** The self target on two threads at once: each open is its own ElfFile, so the blocks are the same. */
    @Test
    void selfOnTwoWorkersPrintsWhatOnePrints() {
        List<String> files = Collections.nCopies(64, "self");
        Result one = run(files, 1);
        Result two = run(files, 2);
        assertThat(one.code()).as(one.err()).isZero();
        assertThat(two.out()).isEqualTo(one.out()).isEqualTo(run(List.of("self"), 1).out().repeat(64));
        assertThat(two.err()).isEqualTo(one.err());
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
