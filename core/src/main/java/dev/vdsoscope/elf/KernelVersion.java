package dev.vdsoscope.elf;

import java.util.Optional;

/**
 * The kernel version a kernel-built image carries: the "Linux" note of type
 * {@code LINUX_VERSION_CODE}, one word of {@code KERNEL_VERSION(a, b, c)} = a &lt;&lt; 16 | b &lt;&lt; 8 | c
 * (every vDSO has one; a distribution's stable updates past .255 saturate c).
 */
public record KernelVersion(int code) {
    /** The version note of the image, if it has a well-formed one. */
    public static Optional<KernelVersion> of(ElfFile image) {
        for (Note n : image.notes()) {
            Optional<KernelVersion> version = of(n);
            if (version.isPresent()) {
                return version;
            }
        }
        return Optional.empty();
    }

    /** The version this note carries, if it is a "Linux" version note. */
    public static Optional<KernelVersion> of(Note note) {
        if (!note.owner().equals("Linux") || note.type() != Note.LINUX_VERSION_CODE || note.descSize() < 4) {
            return Optional.empty();
        }
        return Optional.of(new KernelVersion((int) note.input().u32(note.descOffset())));
    }

    public int major() {
        return code >>> 16;
    }

    public int minor() {
        return (code >>> 8) & 0xff;
    }

    public int patch() {
        return code & 0xff;
    }

    /** "6.1.0". */
    @Override
    public String toString() {
        return major() + "." + minor() + "." + patch();
    }
}
