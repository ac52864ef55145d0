package dev.vdsoscope.elf;

import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The identifier a linker stamps into an image ({@code NT_GNU_BUILD_ID} note, owner "GNU"): what
 * debuggers and debuginfod use to find the matching debug file. {@code ld --build-id=sha1} writes 20
 * bytes, {@code md5} and {@code uuid} 16, lld's {@code fast} (xxHash) 8, and {@code 0x<hex>} any length.
 */
public record BuildId(Kind kind, String hex) {
    /** What the length of the identifier says about how it was made. */
    public enum Kind {
        /** 20 bytes: SHA-1 of the image, the GNU default. */
        SHA1,
        /** 16 bytes: an MD5 of the image or a random UUID, which cannot be told apart. */
        MD5_OR_UUID,
        /** 8 bytes: a 64-bit xxHash (lld {@code --build-id=fast}). */
        XXHASH,
        /** Any other length, e.g. an explicit {@code --build-id=0x...}. */
        OTHER;

        static Kind ofLength(long bytes) {
            return switch ((int) bytes) {
                case 20 -> SHA1;
                case 16 -> MD5_OR_UUID;
                case 8 -> XXHASH;
                default -> OTHER;
            };
        }
    }

    /** The length of the identifier in bytes. */
    public int length() {
        return hex.length() / 2;
    }

    /** The build-id this note carries, if it is a GNU build-id note. */
    public static Optional<BuildId> of(Note note) {
        if (!note.isBuildId()) {
            return Optional.empty();
        }
        byte[] bytes = note.descriptor().toArray(ValueLayout.JAVA_BYTE);
        return Optional.of(new BuildId(Kind.ofLength(bytes.length), HexFormat.of().formatHex(bytes)));
    }

    /** The first build-id note of the image. */
    public static Optional<BuildId> of(ElfFile elf) {
        return elf.notes().stream().map(BuildId::of).flatMap(Optional::stream).findFirst();
    }
}
