package dev.vdsoscope.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Many names pointing into one long table without a NUL must not cost a full scan each. */
class UnterminatedStringsTest {
    @Test
    void repeatedScansOfAnUnterminatedTableStayLinear() {
        byte[] table = new byte[64 << 20];
        java.util.Arrays.fill(table, (byte) 'a');
        ElfInput in = new ElfInput(MemorySegment.ofArray(table), ByteOrder.LITTLE_ENDIAN);
        // 100,000 lookups into a 64 MiB run: quadratic scanning would read 6.4 TB.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 100_000; i++) {
                assertThat(in.indexOfNul(i * 7L, table.length)).isEqualTo(-1);
            }
        });
        table[table.length - 1] = 0;
        ElfInput terminated = new ElfInput(MemorySegment.ofArray(table), ByteOrder.LITTLE_ENDIAN);
        assertThat(terminated.indexOfNul(5, table.length)).isEqualTo(table.length - 1);
    }
}
