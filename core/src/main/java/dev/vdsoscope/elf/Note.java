package dev.vdsoscope.elf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import dev.vdsoscope.elf.raw.Nhdr;
import dev.vdsoscope.elf.raw.RawLayouts;
import dev.vdsoscope.elf.raw.RawStruct;


/**
 * One note: an owner ("GNU", "Linux"), a type whose meaning depends on the owner, and a descriptor.
 * vDSOs carry a GNU build-id and a "Linux" note holding the kernel's LINUX_VERSION_CODE.
 */
public record Note(String owner, long type, long descOffset, long descSize, long headerOffset, ElfInput input) {
    public static final long NT_GNU_ABI_TAG = 1, NT_GNU_HWCAP = 2, NT_GNU_BUILD_ID = 3, NT_GNU_GOLD_VERSION = 4,
            NT_GNU_PROPERTY_TYPE_0 = 5;
    /** The "Linux" notes of the kernel's vDSO and modules (include/linux/elfnote*.h). */
    public static final long LINUX_VERSION_CODE = 0, LINUX_ELFNOTE_BUILD_SALT = 0x100, LINUX_ELFNOTE_LTO_INFO = 0x101;
    public static final long NT_PRSTATUS = 1, NT_PRFPREG = 2, NT_PRPSINFO = 3, NT_TASKSTRUCT = 4, NT_AUXV = 6,
            NT_SIGINFO = 0x53494749L, NT_FILE = 0x46494c45L;

    /** Upper bound on notes read from one image; real files have a handful. */
    private static final int MAX_NOTES = 4096;

    /** The C name of the note's type for its owner, or null when unknown. */
    public String typeName() {
        return switch (owner) {
            case "GNU" -> switch ((int) type) {
                case 1 -> "NT_GNU_ABI_TAG";
                case 2 -> "NT_GNU_HWCAP";
                case 3 -> "NT_GNU_BUILD_ID";
                case 4 -> "NT_GNU_GOLD_VERSION";
                case 5 -> "NT_GNU_PROPERTY_TYPE_0";
                default -> null;
            };
            case "Linux" -> switch ((int) type) {
                case 0 -> "LINUX_VERSION_CODE";
                case 0x100 -> "LINUX_ELFNOTE_BUILD_SALT";
                case 0x101 -> "LINUX_ELFNOTE_LTO_INFO";
                default -> null;
            };
            case "CORE", "LINUX" -> switch ((int) type) {
                case 1 -> "NT_PRSTATUS";
                case 2 -> "NT_PRFPREG";
                case 3 -> "NT_PRPSINFO";
                case 4 -> "NT_TASKSTRUCT";
                case 6 -> "NT_AUXV";
                case 0x53494749 -> "NT_SIGINFO";
                case 0x46494c45 -> "NT_FILE";
                default -> null;
            };
            default -> null;
        };
    }

    public MemorySegment descriptor() {
        return input.slice(descOffset, descSize, "note descriptor");
    }

    public boolean isBuildId() {
        return owner.equals("GNU") && type == NT_GNU_BUILD_ID;
    }

    /** A one-line reading of the descriptor for the notes this program knows. */
    public String describe(ElfHeader header) {
        try {
            Optional<BuildId> buildId = BuildId.of(this);
            if (buildId.isPresent()) {
                return "Build ID: " + buildId.get().hex();
            }
            if (owner.equals("GNU") && type == NT_GNU_ABI_TAG && descSize >= 16) {
                String[] oses = {"Linux", "Hurd", "Solaris", "FreeBSD", "NetBSD", "Syllable", "NaCl"};
                long os = input.u32(descOffset);
                return "OS: " + (os < oses.length ? oses[(int) os] : "unknown " + os) + ", ABI: "
                        + input.u32(descOffset + 4) + "." + input.u32(descOffset + 8) + "." + input.u32(descOffset + 12);
            }
            Optional<KernelVersion> version = KernelVersion.of(this);
            if (version.isPresent()) {
                return "Linux kernel version " + version.get();
            }
            if (owner.equals("GNU") && type == NT_GNU_GOLD_VERSION) {
                return "gold version: " + input.cString(descOffset, descOffset + descSize, "gold version");
            }
            if (owner.equals("GNU") && type == NT_GNU_PROPERTY_TYPE_0) {
                return GnuProperty.describeAll(this, header);
            }
            if (owner.equals("GNU") && type == NT_GNU_HWCAP && descSize >= 8) {
                return "hwcap: " + input.u32(descOffset) + " entries, mask 0x" + Long.toHexString(input.u32(descOffset + 4));
            }
        } catch (ElfFormatException e) {
            return "<corrupt: " + e.getMessage() + ">";
        }
        return "description data: " + HexFormat.ofDelimiter(" ").formatHex(
                descriptor().asSlice(0, Math.min(descSize, 64)).toArray(ValueLayout.JAVA_BYTE))
                + (descSize > 64 ? " ..." : "");
    }

    static List<Note> readAll(ElfFile elf) {
        List<Note> notes = new ArrayList<>();
        boolean fromSections = false;
        for (Section s : elf.sections()) {
            if (s.type().equals(SectionType.SHT_NOTE)) {
                fromSections = true;
                readRange(elf, s.offset(), s.size(), s.addralign() == 8 ? 8 : 4, notes);
            }
        }
        return fromSections ? List.copyOf(notes) : readSegments(elf);
    }

    /** The notes of the PT_NOTE segments, whatever the sections hold. */
    static List<Note> readSegments(ElfFile elf) {
        List<Note> notes = new ArrayList<>();
        for (ProgramHeader p : elf.segments()) {
            if (p.type().equals(SegmentType.PT_NOTE)) {
                readRange(elf, p.offset(), p.filesz(), p.align() == 8 ? 8 : 4, notes);
            }
        }
        return List.copyOf(notes);
    }

    private static void readRange(ElfFile elf, long offset, long size, int align, List<Note> notes) {
        ElfInput in = elf.input();
        Nhdr nhdr = RawLayouts.NHDR;
        if (!in.contains(offset, size)) {
            elf.warn("note area at offset 0x" + Long.toHexString(offset) + " extends past the end of the file");
            return;
        }
        long at = offset;
        long end = offset + size;
        RawStruct.Field nNamesz = nhdr.n_namesz, nDescsz = nhdr.n_descsz, nType = nhdr.n_type;
        while (end - at >= nhdr.size()) {
            if (notes.size() >= MAX_NOTES) {
                elf.warn("more than " + MAX_NOTES + " notes; the rest are ignored");
                return;
            }
            long namesz = in.field(at, nNamesz);
            long descsz = in.field(at, nDescsz);
            long type = in.field(at, nType);
            long nameAt = at + nhdr.size();
            // The descriptor follows header and name padded together: in 8-aligned notes the name alone is not.
            long descAt = at + align(nhdr.size() + namesz, align);
            long next = descAt + align(descsz, align);
            if (namesz > size || descsz > size || next > end) {
                elf.warn("note at offset 0x" + Long.toHexString(at) + " runs past the end of its area");
                return;
            }
            String owner = namesz == 0 ? "" : ownerName(in, nameAt, namesz);
            notes.add(new Note(owner, type, descAt, descsz, at, in));
            at = next;
        }
    }

    private static String ownerName(ElfInput in, long at, long size) {
        long nul = in.indexOfNul(at, at + size);
        long end = nul < 0 ? at + size : nul;
        return new String(in.segment().asSlice(at, end - at).toArray(ValueLayout.JAVA_BYTE),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    private static long align(long value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
