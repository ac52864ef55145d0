package dev.vdsoscope.vdso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.elf.testing.ElfViews;

/** The self target: every open is an ElfFile of its own over the one mapped vDSO, so threads may each open it. */
class ImageTargetTest {
    @Test
    void eachOpenOfSelfIsItsOwnElfFileOverTheSameBytes() throws Exception {
        assumeTrue(Vdso.find().isPresent(), "this process has a vDSO");
        try (ImageTarget.Opened a = ImageTarget.parse("self").open();
                ImageTarget.Opened b = ImageTarget.parse("self").open()) {
            assertThat(a.elf()).isNotSameAs(b.elf()).isNotSameAs(Vdso.current().image());
            assertThat(a.elf().input().segment().address()).isEqualTo(Vdso.current().image().input().segment().address());
            assertThat(ElfViews.snapshot(a.elf())).isEqualTo(ElfViews.snapshot(Vdso.current().image()));
        }
    }

    /** Two threads opening self and reading every view at once see what one thread sees. */
    @Test
    void selfOpenedOnTwoThreadsAtOnceReadsTheSame() throws Exception {
        assumeTrue(Vdso.find().isPresent(), "this process has a vDSO");
        String expected;
        try (ImageTarget.Opened once = ImageTarget.parse("self").open()) {
            expected = ElfViews.snapshot(once.elf());
        }
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                results.add(threads.submit(() -> {
                    List<String> seen = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        try (ImageTarget.Opened opened = ImageTarget.parse("self").open()) {
                            seen.add(ElfViews.snapshot(opened.elf()));
                        }
                    }
                    return seen;
                }));
            }
            for (Future<List<String>> result : results) {
                assertThat(result.get()).hasSize(50).containsOnly(expected);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
