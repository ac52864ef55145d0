package dev.vdsoscope.elf;

import java.util.Optional;

/**
 * The {@code NT_GNU_ABI_TAG} note (owner "GNU", section {@code .note.ABI-tag}): the operating system
 * and the oldest kernel version the image was built for. glibc's crt1.o carries it, so nearly every
 * program linked against glibc says "Linux 3.2.0". {@code os} is the first descriptor word
 * ({@code ELF_NOTE_OS_*}: 0 Linux, 1 GNU/Hurd, 2 Solaris, 3 FreeBSD kernel, 4 NetBSD kernel).
 */
public record AbiTag(long os, long major, long minor, long patch) {
    public static final long ELF_NOTE_OS_LINUX = 0, ELF_NOTE_OS_GNU = 1, ELF_NOTE_OS_SOLARIS2 = 2,
            ELF_NOTE_OS_FREEBSD = 3, ELF_NOTE_OS_NETBSD = 4;

    /** The tag this note carries, if it is a well-formed (16-byte) GNU ABI tag. */
    public static Optional<AbiTag> of(Note note) {
        if (!note.owner().equals("GNU") || note.type() != Note.NT_GNU_ABI_TAG || note.descSize() != 16) {
            return Optional.empty();
        }
        ElfInput in = note.input();
        long at = note.descOffset();
        return Optional.of(new AbiTag(in.u32(at), in.u32(at + 4), in.u32(at + 8), in.u32(at + 12)));
    }

    /** The first ABI tag note of the image. */
    public static Optional<AbiTag> of(ElfFile elf) {
        return elf.notes().stream().map(AbiTag::of).flatMap(Optional::stream).findFirst();
    }

    /** The kernel version as "major.minor.patch". */
    public String version() {
        return major + "." + minor + "." + patch;
    }
}
