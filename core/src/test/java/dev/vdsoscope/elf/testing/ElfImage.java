package dev.vdsoscope.elf.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.vdsoscope.elf.testing.ElfImageBuilder.Sym;
import dev.vdsoscope.elf.testing.ElfImageBuilder.VerDef;
import dev.vdsoscope.elf.testing.ElfImageBuilder.VerNeed;

/**
 * A built image and what went into it: the expected answers for the reader, and the places of every
 * structure so that a test can damage one field at a time. The patch methods write in the image's
 * byte order, with field offsets taken from the gABI (not from the reader's own layouts).
 */
public record ElfImage(byte[] bytes, ByteOrder order, boolean is64, int machine, long phoff, long phnum, long shoff,
        long shnum, Map<String, Placed> sections, List<Sym> dynamicSymbols, List<Sym> staticSymbols,
        List<VerDef> definitions, List<VerNeed> requirements, List<String> needed, String soname,
        String interpreter, byte[] buildId, int[] abiTag, Integer linuxVersionCode, List<DynEntry> dynamicEntries) {

    /** Where a section landed. */
    public record Placed(int index, long offset, long size, long address, int type) {}

    public record DynEntry(long tag, long value) {}

    public Placed section(String name) {
        Placed p = sections.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no section " + name);
        }
        return p;
    }

    /** An independent copy, to damage without touching this one. */
    public ElfImage copy() {
        return new ElfImage(bytes.clone(), order, is64, machine, phoff, phnum, shoff, shnum, sections, dynamicSymbols,
                staticSymbols, definitions, requirements, needed, soname, interpreter, buildId, abiTag,
                linuxVersionCode, dynamicEntries);
    }

    public int wordSize() {
        return is64 ? 8 : 4;
    }

    public ElfImage put8(long offset, long value) {
        bytes[Math.toIntExact(offset)] = (byte) value;
        return this;
    }

    public ElfImage put16(long offset, long value) {
        buffer().putShort(Math.toIntExact(offset), (short) value);
        return this;
    }

    public ElfImage put32(long offset, long value) {
        buffer().putInt(Math.toIntExact(offset), (int) value);
        return this;
    }

    public ElfImage put64(long offset, long value) {
        buffer().putLong(Math.toIntExact(offset), value);
        return this;
    }

    /** An address-sized field: 4 bytes in ELF32, 8 in ELF64. */
    public ElfImage putWord(long offset, long value) {
        return is64 ? put64(offset, value) : put32(offset, value);
    }

    public long get32(long offset) {
        return Integer.toUnsignedLong(buffer().getInt(Math.toIntExact(offset)));
    }

    private ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes).order(order);
    }

    /** Sets a file header field by its gABI name. */
    public ElfImage header(String field, long value) {
        int at = switch (field) {
            case "e_type" -> 16;
            case "e_machine" -> 18;
            case "e_phoff" -> is64 ? 32 : 28;
            case "e_shoff" -> is64 ? 40 : 32;
            case "e_phentsize" -> is64 ? 54 : 42;
            case "e_phnum" -> is64 ? 56 : 44;
            case "e_shentsize" -> is64 ? 58 : 46;
            case "e_shnum" -> is64 ? 60 : 48;
            case "e_shstrndx" -> is64 ? 62 : 50;
            default -> throw new IllegalArgumentException(field);
        };
        return switch (field) {
            case "e_phoff", "e_shoff" -> putWord(at, value);
            default -> put16(at, value);
        };
    }

    /** Sets a field of section header {@code index} by its gABI name. */
    public ElfImage sectionHeader(int index, String field, long value) {
        long base = shoff + (long) index * (is64 ? 64 : 40);
        int[] at = switch (field) {
            case "sh_name" -> new int[] {0, 0};
            case "sh_type" -> new int[] {4, 4};
            case "sh_offset" -> new int[] {is64 ? 24 : 16, is64 ? 8 : 4};
            case "sh_size" -> new int[] {is64 ? 32 : 20, is64 ? 8 : 4};
            case "sh_link" -> new int[] {is64 ? 40 : 24, 4};
            case "sh_info" -> new int[] {is64 ? 44 : 28, 4};
            case "sh_entsize" -> new int[] {is64 ? 56 : 36, is64 ? 8 : 4};
            default -> throw new IllegalArgumentException(field);
        };
        return at[1] == 8 ? put64(base + at[0], value) : put32(base + at[0], value);
    }

    public ElfImage sectionHeader(String section, String field, long value) {
        return sectionHeader(section(section).index(), field, value);
    }

    /** Sets a field of program header {@code index} by its gABI name. */
    public ElfImage segmentHeader(int index, String field, long value) {
        long base = phoff + (long) index * (is64 ? 56 : 32);
        int at = switch (field) {
            case "p_type" -> 0;
            case "p_offset" -> is64 ? 8 : 4;
            case "p_vaddr" -> is64 ? 16 : 8;
            case "p_filesz" -> is64 ? 32 : 16;
            case "p_memsz" -> is64 ? 40 : 20;
            default -> throw new IllegalArgumentException(field);
        };
        return field.equals("p_type") ? put32(base, value) : putWord(base + at, value);
    }

    /** Sets the value of the first dynamic entry with this tag. */
    public ElfImage dynamic(long tag, long value) {
        for (int i = 0; i < dynamicEntries.size(); i++) {
            if (dynamicEntries.get(i).tag() == tag) {
                return putWord(section(".dynamic").offset() + (long) i * 2 * wordSize() + wordSize(), value);
            }
        }
        throw new IllegalArgumentException("no dynamic tag 0x" + Long.toHexString(tag));
    }

    /** The file offset of dynamic symbol {@code index} (0 is the null symbol). */
    public long dynamicSymbolOffset(int index) {
        return section(".dynsym").offset() + (long) index * (is64 ? 24 : 16);
    }

    /** The index of a symbol in .dynsym, as the builder ordered it. */
    public int dynamicSymbolIndex(Sym s) {
        int i = dynamicSymbols.indexOf(s);
        if (i < 0) {
            throw new IllegalArgumentException("not a dynamic symbol: " + s);
        }
        return i + 1;
    }

    public Path write(Path path) {
        try {
            Files.write(path, bytes);
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
