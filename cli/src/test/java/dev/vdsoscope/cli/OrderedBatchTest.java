package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The in-order writing of two threads, with workers made to fail: what two threads print is what
 * one prints, and a thread that cannot go on stops the batch instead of losing what follows.
 */
class OrderedBatchTest {
    private record Result(String out, String err, int code) {}

    private static List<String> files(int count) {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            files.add("file" + i);
        }
        return files;
    }

    private static Result run(List<String> files, int threads, OrderedBatch.Worker worker) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Output output = Output.of(new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = output.bind(() -> {
            int exit = OrderedBatch.run(files, threads, () -> worker);
            Output.flush();
            return exit;
        });
        return new Result(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), code);
    }

    /** Output, warnings before and after it, failures and streamed blocks, in file order. */
    private static void mixed(String file, OrderedBatch.Block block) throws IOException {
        int i = Integer.parseInt(file.substring(4));
        if (i % 5 == 1) {
            block.warn(List.of("before " + i));
        }
        byte[] text = ("out " + i + "\n").getBytes(StandardCharsets.UTF_8);
        if (i % 11 == 0) {
            block.stream(text, 0, text.length);
        } else {
            block.out(text, 0, text.length);
        }
        if (i % 7 == 3) {
            throw new IOException("cannot read " + i);
        }
        block.warn(List.of("after " + i));
    }

    @Test
    void twoThreadsPrintWhatOnePrints() {
        List<String> files = files(300);
        Result one = run(files, 1, OrderedBatchTest::mixed);
        Result two = run(files, 2, OrderedBatchTest::mixed);

        assertThat(two).isEqualTo(one);
        assertThat(one.out().lines()).hasSize(300).startsWith("out 0", "out 1");
        assertThat(one.err().lines()).contains("vdsoscope: file1: warning: before 1", "vdsoscope: file3: cannot read 3")
                .doesNotContain("vdsoscope: file3: warning: after 3");
        assertThat(one.code()).isEqualTo(ExitCode.BAD_INPUT);
    }

    /**
     * A failure that cannot even be described (its toString throws) is not a file's failure: the
     * batch stops with an error on both thread counts, within seconds, instead of waiting for a
     * block that will never come or ending with exit 0 and files missing.
     */
    @Test
    void aThreadThatCannotGoOnStopsTheBatch() {
        OrderedBatch.Worker worker = (file, block) -> {
            byte[] text = (file + "\n").getBytes(StandardCharsets.UTF_8);
            block.out(text, 0, text.length);
            if (file.equals("file150")) {
                throw new IllegalStateException() {
                    @Override
                    public String toString() {
                        throw new UnsupportedOperationException("no words for it");
                    }
                };
            }
        };
        for (int threads = 1; threads <= 2; threads++) {
            int count = threads;
            assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                    assertThatThrownBy(() -> run(files(400), count, worker))
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("a thread of the batch failed"));
        }
    }
}
