package dev.vdsoscope.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads on demand, across chunk boundaries above all, against the same bytes read whole. */
class FileChunksTest {
    @TempDir
    Path temp;

    @Test
    void everyReadAgreesWithTheWholeFile() throws Exception {
        Random random = new Random(11);
        byte[] bytes = new byte[3 * 16384 + 123];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = random.nextInt(8) == 0 ? 0 : (byte) (1 + random.nextInt(255));
        }
        Path file = Files.write(temp.resolve("f"), bytes);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            ByteBuffer whole = ByteBuffer.wrap(bytes).order(order);
            try (FileChunks chunks = new FileChunks(FileChannel.open(file, StandardOpenOption.READ), bytes.length)) {
                chunks.order(order);
                for (int round = 0; round < 20_000; round++) {
                    // Half the offsets just before a chunk boundary, so that reads straddle it.
                    int offset = random.nextBoolean() ? random.nextInt(bytes.length - 8)
                            : (1 + random.nextInt(3)) * 16384 - 1 - random.nextInt(8);
                    assertThat(chunks.u8(offset)).isEqualTo(bytes[offset] & 0xff);
                    assertThat(chunks.bits(offset, 2)).isEqualTo(Short.toUnsignedInt(whole.getShort(offset)));
                    assertThat(chunks.bits(offset, 4)).isEqualTo(Integer.toUnsignedLong(whole.getInt(offset)));
                    assertThat(chunks.bits(offset, 8)).isEqualTo(whole.getLong(offset));
                    int length = random.nextInt(Math.min(40_000, bytes.length - offset));
                    byte[] copied = new byte[length];
                    chunks.copy(offset, copied, 0, length);
                    assertThat(copied).isEqualTo(Arrays.copyOfRange(bytes, offset, offset + length));
                    assertThat(chunks.indexOfNul(offset, offset + length))
                            .isEqualTo(firstNul(bytes, offset, offset + length));
                }
            }
        }
    }

    /** More chunks than are kept: evicted ones are read again, and nothing stale is returned. */
    @Test
    void aFileLargerThanTheKeptChunksReadsTheSame() throws Exception {
        Random random = new Random(13);
        byte[] bytes = new byte[150 * 16384 + 77];
        random.nextBytes(bytes);
        Path file = Files.write(temp.resolve("big"), bytes);
        try (FileChunks chunks = new FileChunks(FileChannel.open(file, StandardOpenOption.READ), bytes.length)) {
            byte[] copied = new byte[bytes.length];
            chunks.copy(0, copied, 0, bytes.length);
            assertThat(copied).isEqualTo(bytes);
            for (int round = 0; round < 20_000; round++) {
                int offset = random.nextInt(bytes.length);
                assertThat(chunks.u8(offset)).isEqualTo(bytes[offset] & 0xff);
            }
            assertThat(chunks.indexOfNul(0, bytes.length)).isEqualTo(firstNul(bytes, 0, bytes.length));
        }
    }

    @Test
    void aFileThatShrankIsAFormatErrorAtTheOffset() throws Exception {
        Path file = Files.write(temp.resolve("g"), new byte[40_000]);
        try (FileChunks chunks = new FileChunks(FileChannel.open(file, StandardOpenOption.READ), 60_000)) {
            assertThatThrownBy(() -> chunks.u8(50_000)).isInstanceOf(ElfFormatException.class)
                    .hasMessageContaining("shrank");
        }
    }

    private static long firstNul(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
