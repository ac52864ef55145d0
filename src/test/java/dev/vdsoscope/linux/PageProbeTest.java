package dev.vdsoscope.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.linux.PageProbe.PageState;

/** The probe on memory whose state the test made: readable pages, an inaccessible page, bad ranges. */
class PageProbeTest {
    private static final int PAGE = 4096;
    private static final int PROT_NONE = 0, PROT_READ = 1, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20;

    @Test
    void readableMemoryIsReadableAndAnInaccessiblePageIsAHole() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pages = arena.allocate(3L * PAGE, PAGE);
            assertThat(PageProbe.probe(pages.address(), 3, PAGE)).containsExactly(PageState.READABLE,
                    PageState.READABLE, PageState.READABLE);
        }
        long none = Libc.mmap(PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
        long read = Libc.mmap(PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
        assertThat(none).isNotEqualTo(-1L);
        assertThat(PageProbe.probe(none, 1, PAGE)).isEqualTo(List.of(PageState.HOLE));
        assertThat(PageProbe.probe(read, 1, PAGE)).isEqualTo(List.of(PageState.READABLE));
    }

    @Test
    void aRangeThatIsNotPageAlignedIsRefused() {
        assertThatThrownBy(() -> PageProbe.probe(PAGE + 8, 1, PAGE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a page-aligned range");
        assertThatThrownBy(() -> PageProbe.probe(PAGE, 1, 3000)).isInstanceOf(IllegalArgumentException.class);
    }
}
