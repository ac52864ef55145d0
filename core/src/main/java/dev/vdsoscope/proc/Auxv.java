package dev.vdsoscope.proc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The ELF auxiliary vector the kernel gave a process: (type, value) pairs of the process's own word
 * size, ending with AT_NULL. A 32-bit process on a 64-bit kernel has 4-byte words.
 */
public record Auxv(int wordSize, List<AuxvEntry> entries) {

    /** Parses the raw bytes of /proc/PID/auxv. Stops at AT_NULL or at the end of the bytes. */
    public static Auxv parse(MemorySegment bytes, int wordSize, ByteOrder order) {
        if (wordSize != 4 && wordSize != 8) {
            throw new IllegalArgumentException("word size " + wordSize);
        }
        List<AuxvEntry> entries = new ArrayList<>();
        long pair = 2L * wordSize;
        for (long at = 0; at + pair <= bytes.byteSize(); at += pair) {
            long type = word(bytes, at, wordSize, order);
            long value = word(bytes, at + wordSize, wordSize, order);
            if (type == 0) {
                break;
            }
            entries.add(new AuxvEntry(new AuxvType(type), value, null));
        }
        return new Auxv(wordSize, List.copyOf(entries));
    }

    private static long word(MemorySegment bytes, long at, int size, ByteOrder order) {
        return size == 8 ? bytes.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order), at)
                : Integer.toUnsignedLong(bytes.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(order), at));
    }

    /**
     * Guesses the word size from the bytes alone, for when the process's executable cannot be read:
     * read as 64-bit words, a 32-bit vector shows types with value bits in their upper half.
     */
    public static int guessWordSize(MemorySegment bytes, ByteOrder order) {
        for (long at = 0; at + 16 <= bytes.byteSize(); at += 16) {
            long type = word(bytes, at, 8, order);
            if (type == 0) {
                return 8;
            }
            if (Long.compareUnsigned(type, 0x1000) > 0) {
                return 4;
            }
        }
        return 8;
    }

    public OptionalLong value(AuxvType type) {
        for (AuxvEntry e : entries) {
            if (e.type().equals(type)) {
                return OptionalLong.of(e.value());
            }
        }
        return OptionalLong.empty();
    }

    public Optional<AuxvEntry> entry(AuxvType type) {
        return entries.stream().filter(e -> e.type().equals(type)).findFirst();
    }

    /** A copy with the strings behind AT_EXECFN, AT_PLATFORM and AT_BASE_PLATFORM filled in. */
    public Auxv withStrings(StringReader reader) {
        List<AuxvEntry> resolved = new ArrayList<>(entries.size());
        for (AuxvEntry e : entries) {
            resolved.add(e.type().isString() ? new AuxvEntry(e.type(), e.value(), reader.read(e.value())) : e);
        }
        return new Auxv(wordSize, List.copyOf(resolved));
    }

    /** Reads a NUL-terminated string at an address of the process; null when it cannot. */
    @FunctionalInterface
    public interface StringReader {
        String read(long address);
    }
}
