package dev.vdsoscope.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.vdsoscope.vdso.VdsoRandom;

/**
 * The boundaries getrandom through the vDSO exposes: any flags, any buffer length (0 to 64 KiB, native
 * or a slice of a Java array at any offset). Every answer is what the system call's contract allows:
 * the whole length, or EINVAL for flags it refuses (EAGAIN only under GRND_NONBLOCK); never a crash,
 * never bytes outside the buffer.
 */
class VdsoRandomFuzzTest {
    private static final int EINVAL = 22, EAGAIN = 11;

    @FuzzTest
    void getrandom(FuzzedDataProvider data) {
        int flags = data.consumeInt();
        int length = data.consumeInt(0, 65536);
        boolean valid = (flags & ~0x7) == 0 && (flags & 0x6) != 0x6;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment guarded = arena.allocate(length + 16L);
            guarded.fill((byte) 0x5a);
            long got = VdsoRandom.getrandom(guarded.asSlice(8, length), flags);
            if (!valid) {
                assertThat(got).isEqualTo(-EINVAL);
            } else if (got < 0) {
                assertThat(got).isEqualTo(-EAGAIN);
                assertThat(flags & VdsoRandom.GRND_NONBLOCK).isNotZero();
            } else {
                assertThat(got).isEqualTo(length);
            }
            for (int i = 0; i < 8; i++) {
                assertThat(guarded.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i)).isEqualTo((byte) 0x5a);
                assertThat(guarded.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 8 + length + i)).isEqualTo((byte) 0x5a);
            }
        }
        byte[] array = new byte[data.consumeInt(0, 8192)];
        int offset = data.consumeInt(0, array.length);
        int count = data.consumeInt(0, array.length - offset);
        int result = VdsoRandom.fill(array, offset, count, flags);
        if (!valid) {
            assertThat(result).isEqualTo(-EINVAL);
        } else if (result != 0) {
            assertThat(result).isEqualTo(-EAGAIN);
            assertThat(flags & VdsoRandom.GRND_NONBLOCK).isNotZero();
        }
    }
}
