package dev.vdsoscope.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The word-at-a-time NUL scan of {@link HeapBytes#copyCString}, against a byte-by-byte reading. */
class HeapBytesTest {
    /** Bytes that stress the scan: NUL, the bytes next to it, and those with the high bit set. */
    private static final byte[] ALPHABET = {0, 0, 1, 'a', 0x7f, (byte) 0x80, (byte) 0x81, (byte) 0xfe, (byte) 0xff};

    @Test
    void everyStartOfRandomTablesFindsTheSameStringAsAByteByByteScan() {
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            byte[] table = new byte[random.nextInt(40)];
            for (int i = 0; i < table.length; i++) {
                // Runs of non-NUL bytes of every length from 0 to past a word, so NULs land at every position.
                table[i] = random.nextInt(12) == 0 ? 0 : ALPHABET[1 + random.nextInt(ALPHABET.length - 1)];
            }
            HeapBytes bytes = HeapBytes.copy(
                    new ElfInput(MemorySegment.ofArray(table), ByteOrder.LITTLE_ENDIAN), 0, table.length);
            for (int start = -1; start <= table.length; start++) {
                byte[] copied = new byte[64];
                int length = bytes.copyCString(start, copied, 3);

                int expected = byteByByteLength(table, start);
                assertThat(length).as("table %s, start %d", Arrays.toString(table), start).isEqualTo(expected);
                if (expected > 0) {
                    assertThat(Arrays.copyOfRange(copied, 3, 3 + length))
                            .isEqualTo(Arrays.copyOfRange(table, start, start + length));
                }
            }
        }
    }

    @Test
    void aStringThatDoesNotFitIsMeasuredButNotCopied() {
        byte[] table = "a_long_symbol_name\0".getBytes();
        HeapBytes bytes = HeapBytes.copy(new ElfInput(MemorySegment.ofArray(table), ByteOrder.BIG_ENDIAN), 0, table.length);
        byte[] small = new byte[8];

        assertThat(bytes.copyCString(0, small, 0)).isEqualTo(18);
        assertThat(small).containsOnly(0);
    }

    @Test
    void aTableCopiedIntoAReusedLongerArrayEndsWhereTheTableEnds() {
        ScratchBuffers scratch = new ScratchBuffers();
        // The first file leaves NULs all over the array the next file's table is copied into.
        scratch.startFile();
        byte[] first = "a\0b\0c\0d\0e\0f\0g\0h\0".getBytes();
        HeapBytes.copy(new ElfInput(MemorySegment.ofArray(first), ByteOrder.LITTLE_ENDIAN, scratch), 0, first.length);

        scratch.startFile();
        byte[] second = "xyz".getBytes(); // unterminated: no NUL inside the table
        HeapBytes table = HeapBytes.copy(
                new ElfInput(MemorySegment.ofArray(second), ByteOrder.LITTLE_ENDIAN, scratch), 0, second.length);

        assertThat(table.length()).isEqualTo(3);
        assertThat(table.copyCString(0, new byte[16], 0)).as("no NUL within the table").isEqualTo(-1);
        assertThat(table.copyCString(3, new byte[16], 0)).as("past the table").isEqualTo(-1);
        assertThatThrownBy(() -> table.u8(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> table.u16(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void eachTableOfOneFileGetsAnArrayOfItsOwn() {
        ScratchBuffers scratch = new ScratchBuffers();
        scratch.startFile();
        byte[] image = "0123456789".getBytes();
        ElfInput in = new ElfInput(MemorySegment.ofArray(image), ByteOrder.LITTLE_ENDIAN, scratch);
        HeapBytes low = HeapBytes.copy(in, 0, 5);
        HeapBytes high = HeapBytes.copy(in, 5, 5);

        assertThat(low.u8(0)).isEqualTo('0');
        assertThat(high.u8(0)).isEqualTo('5');
    }

    /** The length of the NUL-terminated string at start, or -1 when start is outside or no NUL follows. */
    private static int byteByByteLength(byte[] table, int start) {
        if (start < 0 || start >= table.length) {
            return -1;
        }
        for (int i = start; i < table.length; i++) {
            if (table[i] == 0) {
                return i - start;
            }
        }
        return -1;
    }
}
