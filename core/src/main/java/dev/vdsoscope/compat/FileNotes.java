package dev.vdsoscope.compat;

import java.util.List;

import dev.vdsoscope.elf.AbiTag;
import dev.vdsoscope.elf.BuildId;
import dev.vdsoscope.elf.ElfInput;
import dev.vdsoscope.elf.Note;
import dev.vdsoscope.proc.AuxvType;

/**
 * Walks notes the way file(1) 5.44 does ({@code donote} in readelf.c) and writes its words: at most
 * 256 notes per file, each kind of note printed once (the first one wins), the OS tag, the build-id,
 * PaX flags, NetBSD tags and, for core files, the style, the command and the auxiliary vector.
 * Which note is what is decided by {@link BuildId} and {@link AbiTag}; the wording is file's.
 */
public final class FileNotes {
    /** file's default {@code elf_notes_max}. */
    static final int MAX_NOTES = 256;
    private static final long NT_GNU_ABI_TAG = Note.NT_GNU_ABI_TAG, NT_GNU_BUILD_ID = Note.NT_GNU_BUILD_ID,
            NT_PRPSINFO = Note.NT_PRPSINFO, NT_AUXV = Note.NT_AUXV;
    /** Types of the Go toolchain's and PaX's own notes (owners "Go" and "PaX"), as Magdir/elf reads them. */
    private static final long NT_GO_BUILD_ID = 4, NT_PAX = 3;
    private static final long AT_UID = AuxvType.AT_UID.value(), AT_EUID = AuxvType.AT_EUID.value(),
            AT_GID = AuxvType.AT_GID.value(), AT_EGID = AuxvType.AT_EGID.value(),
            AT_PLATFORM = AuxvType.AT_PLATFORM.value(), AT_EXECFN = AuxvType.AT_EXECFN.value();
    /** Where pr_psargs / pr_fname may sit in a prpsinfo note (SunOS, Linux, FreeBSD layouts). */
    private static final int[] PRPS_OFFSETS_32 = {100, 84, 44, 28, 48, 32, 8};
    private static final int[] PRPS_OFFSETS_64 = {136, 120, 56, 40, 16};
    private static final int MAX_AUXV = 50;

    private final ElfInput in;
    private final boolean is64;
    private final boolean core;
    private final List<FileDescription.Segment> segments;
    private final long fileSize;
    private final StringBuilder out;

    private int budget = MAX_NOTES;
    private boolean didOs, didBuildId, didPax, didCore, didCoreStyle, didAuxv;
    private boolean didNetbsdMarch, didNetbsdCmodel, didNetbsdEmulation, didNetbsdUnknown;

    FileNotes(ElfInput in, boolean is64, boolean core, List<FileDescription.Segment> segments, long fileSize,
            StringBuilder out) {
        this.in = in;
        this.is64 = is64;
        this.core = core;
        this.segments = segments;
        this.fileSize = fileSize;
        this.out = out;
    }

    /** Whether all 256 notes were used up, which file reports as "too many notes (256)". */
    boolean exhausted() {
        return budget == 0;
    }

    /** Walks the notes in the {@code size} bytes at {@code base}, which the caller has checked lie in the file. */
    void walk(long base, long size, long align) {
        long offset = 0;
        while (offset < size) {
            offset = note(base, offset, size, align);
            if (offset == 0) {
                break;
            }
        }
    }

    /** One step of {@code donote}: returns where the next note starts, or 0 to stop. */
    private long note(long base, long offset, long size, long align) {
        if (budget == 0) {
            return 0;
        }
        budget--;
        if (offset + 12 > size) {
            return offset + 12;
        }
        long namesz = in.u32(base + offset);
        long descsz = in.u32(base + offset + 4);
        long type = in.u32(base + offset + 8);
        offset += 12;
        if (namesz == 0 && descsz == 0) {
            return Math.max(offset, size);
        }
        if ((namesz & 0x80000000L) != 0) {
            out.append(", bad note name size 0x").append(Long.toHexString(namesz));
            return 0;
        }
        if ((descsz & 0x80000000L) != 0) {
            out.append(", bad note description size 0x").append(Long.toHexString(descsz));
            return 0;
        }
        long noff = offset;
        long doff = alignUp(offset + namesz, align);
        if (offset + namesz > size) {
            return doff;
        }
        offset = alignUp(doff + descsz, align);
        if (doff + descsz > size) {
            return Math.max(offset, size);
        }
        Raw n = new Raw(base + noff, namesz, type, base + doff, descsz, base + size);
        if (!didOs && osNote(n)) {
            return offset;
        }
        if (!didBuildId && buildIdNote(n)) {
            return offset;
        }
        if (!didPax && paxNote(n)) {
            return offset;
        }
        if (!didCore && coreNote(n)) {
            return offset;
        }
        if (!didAuxv && auxvNote(n)) {
            return offset;
        }
        if (named(n, "NetBSD")) {
            netbsdNote(n);
        }
        return offset;
    }

    /** A note as found: where its name and descriptor are, and where the buffer it sits in ends. */
    private record Raw(long name, long namesz, long type, long desc, long descsz, long end) {
        Note asNote(ElfInput in, String owner) {
            return new Note(owner, type, desc, descsz, name - 12, in);
        }
    }

    /** file's usual test {@code namesz == strlen(owner) + 1 && strcmp(name, owner) == 0}. */
    private boolean named(Raw n, String owner) {
        return named(n, owner, owner.length() + 1);
    }

    private boolean named(Raw n, String owner, long namesz) {
        return n.namesz() == namesz && bytesEqual(n.name(), owner) && in.u8(n.name() + owner.length()) == 0;
    }

    private boolean bytesEqual(long at, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (in.u8(at + i) != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private long word(Raw n, int index) {
        return in.u32(n.desc() + 4L * index);
    }

    private boolean osNote(Raw n) {
        if (n.type() != NT_GNU_ABI_TAG) {
            return false;
        }
        if (named(n, "SuSE") && n.descsz() == 2) {
            out.append(", for SuSE ").append(in.u8(n.desc())).append('.').append(in.u8(n.desc() + 1));
        } else if (named(n, "GNU") && n.descsz() == 16) {
            AbiTag tag = AbiTag.of(n.asNote(in, "GNU")).orElseThrow();
            out.append(", for GNU/").append(gnuOs(tag.os())).append(' ').append((int) tag.major()).append('.')
                    .append((int) tag.minor()).append('.').append((int) tag.patch());
        } else if (named(n, "NetBSD") && n.descsz() == 4) {
            out.append(", for NetBSD").append(netbsdVersion(word(n, 0)));
        } else if (named(n, "FreeBSD") && n.descsz() == 4) {
            out.append(", for FreeBSD").append(freebsdVersion((int) word(n, 0)));
        } else if (named(n, "OpenBSD") && n.descsz() == 4) {
            out.append(", for OpenBSD");
        } else if (named(n, "DragonFly") && n.descsz() == 4) {
            int v = (int) word(n, 0);
            out.append(", for DragonFly ").append(v / 100000).append('.').append(v / 10000 % 10).append('.')
                    .append(v % 10000);
        } else {
            return false;
        }
        didOs = true;
        return true;
    }

    /** file's name for the OS of a GNU ABI tag. */
    public static String gnuOs(long os) {
        return os == AbiTag.ELF_NOTE_OS_LINUX ? "Linux" : os == AbiTag.ELF_NOTE_OS_GNU ? "Hurd"
                : os == AbiTag.ELF_NOTE_OS_SOLARIS2 ? "Solaris" : os == AbiTag.ELF_NOTE_OS_FREEBSD ? "kFreeBSD"
                : os == AbiTag.ELF_NOTE_OS_NETBSD ? "kNetBSD" : "<unknown>";
    }

    /** __NetBSD_Version__ is MMmmrrpp00; releases after 9 fold the release letter into the patch level. */
    private static String netbsdVersion(long v) {
        if (v <= 100000000L) {
            return "";
        }
        long patch = v / 100 % 100;
        long release = v / 10000 % 100;
        long minor = v / 1000000 % 100;
        long major = v / 100000000;
        if (major >= 9) {
            patch += 100 * release;
            release = 0;
        }
        StringBuilder s = new StringBuilder(" ").append(major).append('.').append(minor);
        if (release == 0 && patch != 0) {
            s.append('.').append(patch);
        } else if (release != 0) {
            for (; release > 26; release -= 26) {
                s.append('Z');
            }
            s.append((char) ('A' + release - 1));
        }
        return s.toString();
    }

    /** __FreeBSD_version, decoded with the schemes of the Porter's Handbook, as file does. */
    private static String freebsdVersion(int v) {
        StringBuilder s = new StringBuilder();
        if (v == 460002) {
            s.append(" 4.6.2");
        } else if (v < 460100) {
            s.append(' ').append(v / 100000).append('.').append(v / 10000 % 10);
            if (v / 1000 % 10 > 0) {
                s.append('.').append(v / 1000 % 10);
            }
            if (v % 1000 > 0 || v % 100000 == 0) {
                s.append(" (").append(v).append(')');
            }
        } else if (v < 500000) {
            s.append(' ').append(v / 100000).append('.').append(v / 10000 % 10 + v / 1000 % 10);
            if (v / 100 % 10 > 0) {
                s.append(" (").append(v).append(')');
            } else if (v / 10 % 10 > 0) {
                s.append('.').append(v / 10 % 10);
            }
        } else {
            s.append(' ').append(v / 100000).append('.').append(v / 1000 % 100);
            if (v / 100 % 10 > 0 || v % 100000 / 100 == 0) {
                s.append(" (").append(v).append(')');
            } else if (v / 10 % 10 > 0) {
                s.append('.').append(v / 10 % 10);
            }
        }
        return s.toString();
    }

    private boolean buildIdNote(Raw n) {
        if (named(n, "GNU") && n.type() == NT_GNU_BUILD_ID && n.descsz() >= 4 && n.descsz() <= 20) {
            BuildId id = BuildId.of(n.asNote(in, "GNU")).orElseThrow();
            didBuildId = true;
            out.append(", BuildID[").append(buildIdLabel(id.kind())).append("]=").append(id.hex());
            return true;
        }
        if (named(n, "Go", 4) && n.type() == NT_GO_BUILD_ID && n.descsz() < 128) {
            out.append(", Go BuildID=").append(string(n.desc(), Math.min(n.descsz(), 255)));
            return true;
        }
        return false;
    }

    /** file's name for a build-id kind: "sha1", "md5/uuid", "xxHash" or "unknown". */
    public static String buildIdLabel(BuildId.Kind kind) {
        return switch (kind) {
            case SHA1 -> "sha1";
            case MD5_OR_UUID -> "md5/uuid";
            case XXHASH -> "xxHash";
            case OTHER -> "unknown";
        };
    }

    private boolean paxNote(Raw n) {
        if (!named(n, "PaX") || n.type() != NT_PAX || n.descsz() != 4) {
            return false;
        }
        didPax = true;
        long flags = word(n, 0);
        String[] names = {"+mprotect", "-mprotect", "+segvguard", "-segvguard", "+ASLR", "-ASLR"};
        if (flags != 0) {
            out.append(", PaX: ");
        }
        String separator = "";
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1L << i)) != 0) {
                out.append(separator).append(names[i]);
                separator = ",";
            }
        }
        return true;
    }

    private boolean coreNote(Raw n) {
        String style = null;
        if ((n.namesz() == 4 && bytesEqual(n.name(), "CORE")) || named(n, "CORE")) {
            style = "SVR4";
        } else if (named(n, "FreeBSD")) {
            style = "FreeBSD";
        } else if (n.namesz() >= 11 && bytesEqual(n.name(), "NetBSD-CORE")) {
            style = "NetBSD";
        }
        if (style != null && !didCoreStyle) {
            out.append(", ").append(style).append("-style");
            didCoreStyle = true;
        }
        if (style == null || style.equals("NetBSD") || n.type() != NT_PRPSINFO || !core) {
            return false;
        }
        int[] offsets = is64 ? PRPS_OFFSETS_64 : PRPS_OFFSETS_32;
        for (int i = 0; i < offsets.length; i++) {
            int length = nameLength(n, offsets[i]);
            if (length > 0) {
                long start = n.desc() + startOfString(n, offsets, i, length);
                long end = start;
                while (end < n.end() && in.u8(end) != 0 && isPrint(in.u8(end))) {
                    end++;
                }
                while (end > start && isSpace(in.u8(end - 1))) {
                    end--;
                }
                out.append(", from '").append(string(start, end - start)).append('\'');
                didCore = true;
                return true;
            }
        }
        return false;
    }

    /**
     * How many characters of a name start {@code reloffset} bytes into the note: up to 16 printable
     * ones, no quotes, ended by a NUL or the sixteenth; 0 where none does (a NUL first, a character
     * that cannot be in a name, the end of the note).
     */
    private int nameLength(Raw n, int reloffset) {
        for (int j = 0; j < 16; j++) {
            long at = n.desc() + reloffset + j;
            if (at >= n.end() || reloffset + j >= n.descsz()) {
                return 0;
            }
            int c = in.u8(at);
            if (c == 0) {
                return j;
            }
            if (!isPrint(c) || c == '\'' || c == '"' || c == '`') {
                return 0;
            }
        }
        return 16;
    }

    /**
     * file(1)'s step back when a name matched at {@code offsets[i]} may be the middle of a string
     * (readelf.c, do_core_note: "Try next offsets, in case this match is in the middle of a string"):
     * a later offset below it whose bytes up to the match are all printable is where the string
     * starts (Linux's pr_psargs offset lands inside PowerPC's pr_fname). An offset exactly 16 below
     * a match of 16 characters is passed over: a pr_fname that fills its 16 bytes with no NUL runs
     * into pr_psargs (qemu's cores).
     */
    private int startOfString(Raw n, int[] offsets, int i, int matched) {
        int chosen = i;
        for (int k = i + 1; k < offsets.length; k++) {
            if (offsets[k] >= offsets[chosen] || offsets[k] == offsets[chosen] - 16 && matched == 16) {
                continue;
            }
            boolean printable = true;
            for (long at = n.desc() + offsets[k]; at < n.desc() + offsets[chosen]; at++) {
                printable &= isPrint(in.u8(at));
            }
            if (printable) {
                chosen = k;
            }
        }
        return offsets[chosen];
    }

    private boolean auxvNote(Raw n) {
        if (n.type() != NT_AUXV || !core) {
            return false;
        }
        didAuxv = true;
        int width = is64 ? 8 : 4;
        int count = 0;
        for (long off = 0; off + 2L * width <= n.descsz(); off += 2L * width) {
            if (++count > MAX_AUXV) {
                break;
            }
            long type = in.unsigned(n.desc() + off, width);
            long value = in.unsigned(n.desc() + off + width, width);
            String tag = type == AT_UID ? "real uid" : type == AT_EUID ? "effective uid"
                    : type == AT_GID ? "real gid" : type == AT_EGID ? "effective gid"
                    : type == AT_EXECFN ? "execfn" : type == AT_PLATFORM ? "platform" : null;
            if (tag == null) {
                continue;
            }
            if (type == AT_EXECFN || type == AT_PLATFORM) {
                String s = stringAtAddress(value);
                if (s != null) {
                    out.append(", ").append(tag).append(": '").append(s).append('\'');
                }
            } else {
                out.append(", ").append(tag).append(": ").append((int) value);
            }
        }
        return true;
    }

    /**
     * A printable string at a virtual address of the dumped process, found through the segments as
     * file does (a p_vaddr of 0 counts as 4; an address in no segment reads at offset 0, which is not
     * printable). Where nothing can be read file says so.
     */
    private String stringAtAddress(long address) {
        long offset = 0;
        for (FileDescription.Segment p : segments) {
            if (p.offset() > fileSize) {
                continue;
            }
            long vaddr = p.vaddr() == 0 ? 4 : p.vaddr();
            if (Long.compareUnsigned(address, vaddr) >= 0 && Long.compareUnsigned(address - vaddr, p.filesz()) < 0) {
                offset = p.offset() + (address - vaddr);
                break;
            }
        }
        if (offset < 0 || offset >= fileSize) {
            out.append(", can't read elf string at ").append(offset);
            return null;
        }
        // file reads 256 bytes (fewer at the end of the file) and forces the last one read to NUL.
        long end = offset;
        long limit = offset + Math.min(256, fileSize - offset) - 1;
        while (end < limit && in.u8(end) != 0) {
            if (!isPrint(in.u8(end))) {
                return null;
            }
            end++;
        }
        return end == offset ? null : string(offset, end - offset);
    }

    /** NetBSD's other notes: the version was handled as an OS note, the rest print their text once. */
    private void netbsdNote(Raw n) {
        String tag;
        switch ((int) n.type()) {
            case 1 -> {
                return;
            }
            case 5 -> {
                if (didNetbsdMarch) {
                    return;
                }
                didNetbsdMarch = true;
                tag = "compiled for";
            }
            case 6 -> {
                if (didNetbsdCmodel) {
                    return;
                }
                didNetbsdCmodel = true;
                tag = "compiler model";
            }
            case 2 -> {
                if (didNetbsdEmulation) {
                    return;
                }
                didNetbsdEmulation = true;
                tag = "emulation:";
            }
            default -> {
                if (!didNetbsdUnknown) {
                    didNetbsdUnknown = true;
                    out.append(", note=").append(n.type());
                }
                return;
            }
        }
        out.append(", ").append(tag).append(": ").append(string(n.desc(), Math.min(n.descsz(), 100)));
    }

    /** The bytes up to the first NUL (at most {@code max}), one char per byte; escaped later. */
    private String string(long at, long max) {
        StringBuilder s = new StringBuilder();
        for (long i = 0; i < max; i++) {
            int c = in.u8(at + i);
            if (c == 0) {
                break;
            }
            s.append((char) c);
        }
        return s.toString();
    }

    static boolean isPrint(int c) {
        return c >= 0x20 && c < 0x7f;
    }

    private static boolean isSpace(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static long alignUp(long value, long align) {
        return (value + align - 1) / align * align;
    }

}
