package dev.vdsoscope.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ELF files field by field, in either class and byte order, so that tests can show
 * file(1) and vdsoscope the same unusual bytes: other machines and flags, big-endian notes, program
 * headers without sections. Layout: header, program headers, contents, .shstrtab, section headers.
 */
final class TinyElf {
    static final int PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4;
    static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_NOTE = 7;

    int elfClass = 2;
    int data = 1;
    int osAbi;
    int type = 2;
    int machine = 62;
    long version = 1;
    long flags;
    /** Written at offset 48 of a 32-bit header (e_shentsize, e_shnum) when not null: PowerPC64 reads it. */
    Integer word48;
    boolean sectionHeaders = true;

    /** A segment; {@code vaddr} -1 means "the file offset", and a PT_LOAD without content spans the file. */
    private record Segment(int type, byte[] content, long align, long vaddr) {}

    private record Section(String name, int type, byte[] content) {}

    private final List<Segment> segments = new ArrayList<>();
    private final List<Section> sections = new ArrayList<>();

    static TinyElf of(int elfClass, int data, int type, int machine) {
        TinyElf e = new TinyElf();
        e.elfClass = elfClass;
        e.data = data;
        e.type = type;
        e.machine = machine;
        return e;
    }

    boolean is64() {
        return elfClass == 2;
    }

    ByteOrder order() {
        return data == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    TinyElf segment(int type, byte[] content, long align) {
        return segment(type, content, align, -1);
    }

    TinyElf segment(int type, byte[] content, long align, long vaddr) {
        segments.add(new Segment(type, content, align, vaddr));
        return this;
    }

    /** A PT_LOAD that maps the whole file at address 0. */
    TinyElf loadWholeFile() {
        return segment(PT_LOAD, null, 0x1000, 0);
    }

    /** Dynamic entries (tag, value, tag, value...) in this file's class and byte order. */
    byte[] dynamic(long... tagsAndValues) {
        ByteBuffer b = ByteBuffer.allocate(tagsAndValues.length * (is64() ? 8 : 4)).order(order());
        for (long v : tagsAndValues) {
            if (is64()) {
                b.putLong(v);
            } else {
                b.putInt((int) v);
            }
        }
        return b.array();
    }

    /** Words of this file's class (auxv entries, addresses) in its byte order. */
    byte[] longs(long... values) {
        return dynamic(values);
    }

    TinyElf section(String name, int type, byte[] content) {
        sections.add(new Section(name, type, content));
        return this;
    }

    /** A symbol table holding only the null symbol: enough for "not stripped". */
    TinyElf symbolTable() {
        return section(".symtab", SHT_SYMTAB, new byte[is64() ? 24 : 16]);
    }

    /** One note in this file's byte order, padded to 4 bytes. */
    byte[] note(String owner, long type, byte[] desc) {
        byte[] name = owner.getBytes(StandardCharsets.ISO_8859_1);
        int nameSize = name.length + 1;
        ByteBuffer b = ByteBuffer.allocate(12 + pad4(nameSize) + pad4(desc.length)).order(order());
        b.putInt(nameSize).putInt(desc.length).putInt((int) type).put(name);
        b.position(12 + pad4(nameSize));
        b.put(desc);
        return b.array();
    }

    /** 32-bit words in this file's byte order. */
    byte[] words(long... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(order());
        for (long v : values) {
            b.putInt((int) v);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static int pad4(int n) {
        return (n + 3) & ~3;
    }

    byte[] build() {
        int ehsize = is64() ? 64 : 52;
        int phentsize = is64() ? 56 : 32;
        int shentsize = is64() ? 64 : 40;
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(order());
        long phoff = segments.isEmpty() ? 0 : ehsize;
        int at = ehsize + segments.size() * phentsize;
        long[] segmentOffsets = new long[segments.size()];
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).content() != null) {
                at = pad4(at);
                segmentOffsets[i] = at;
                b.put(at, segments.get(i).content());
                at += segments.get(i).content().length;
            }
        }
        long[] sectionOffsets = new long[sections.size()];
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        names.write(0);
        int[] nameOffsets = new int[sections.size() + 1];
        for (int i = 0; i < sections.size(); i++) {
            at = pad4(at);
            sectionOffsets[i] = at;
            b.put(at, sections.get(i).content());
            at += sections.get(i).content().length;
            nameOffsets[i] = names.size();
            names.writeBytes((sections.get(i).name() + "\0").getBytes(StandardCharsets.ISO_8859_1));
        }
        nameOffsets[sections.size()] = names.size();
        names.writeBytes(".shstrtab\0".getBytes(StandardCharsets.ISO_8859_1));
        long namesOffset = at;
        b.put(at, names.toByteArray());
        at += names.size();
        at = (at + 7) & ~7;
        long shoff = sectionHeaders ? at : 0;
        int shnum = sectionHeaders ? sections.size() + 2 : 0;
        if (sectionHeaders) {
            at += shentsize; // the null section
            for (int i = 0; i <= sections.size(); i++) {
                boolean isNames = i == sections.size();
                sectionHeader(b, at, nameOffsets[i], isNames ? 3 : sections.get(i).type(),
                        isNames ? namesOffset : sectionOffsets[i],
                        isNames ? names.size() : sections.get(i).content().length);
                at += shentsize;
            }
        }
        int fileSize = at;
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            boolean whole = s.content() == null;
            programHeader(b, (int) phoff + i * phentsize, s.type(), segmentOffsets[i],
                    s.vaddr() == -1 ? segmentOffsets[i] : s.vaddr(), whole ? fileSize : s.content().length, s.align());
        }
        b.put(0, new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, (byte) data, 1, (byte) osAbi});
        b.putShort(16, (short) type).putShort(18, (short) machine).putInt(20, (int) version);
        if (is64()) {
            b.putLong(32, phoff).putLong(40, shoff).putInt(48, (int) flags);
            b.putShort(52, (short) ehsize).putShort(54, (short) phentsize).putShort(56, (short) segments.size());
            b.putShort(58, (short) shentsize).putShort(60, (short) shnum).putShort(62, (short) (shnum == 0 ? 0 : shnum - 1));
        } else {
            b.putInt(28, (int) phoff).putInt(32, (int) shoff).putInt(36, (int) flags);
            b.putShort(40, (short) ehsize).putShort(42, (short) phentsize).putShort(44, (short) segments.size());
            b.putShort(46, (short) shentsize).putShort(48, (short) shnum).putShort(50, (short) (shnum == 0 ? 0 : shnum - 1));
            if (word48 != null) {
                b.putInt(48, word48);
            }
        }
        byte[] bytes = new byte[fileSize];
        b.get(0, bytes);
        return bytes;
    }

    private void programHeader(ByteBuffer b, int at, int type, long offset, long vaddr, long size, long align) {
        if (is64()) {
            b.putInt(at, type).putInt(at + 4, 4).putLong(at + 8, offset).putLong(at + 16, vaddr)
                    .putLong(at + 24, vaddr).putLong(at + 32, size).putLong(at + 40, size).putLong(at + 48, align);
        } else {
            b.putInt(at, type).putInt(at + 4, (int) offset).putInt(at + 8, (int) vaddr).putInt(at + 12, (int) vaddr)
                    .putInt(at + 16, (int) size).putInt(at + 20, (int) size).putInt(at + 24, 4).putInt(at + 28, (int) align);
        }
    }

    private void sectionHeader(ByteBuffer b, int at, int name, int type, long offset, long size) {
        if (is64()) {
            b.putInt(at, name).putInt(at + 4, type).putLong(at + 24, offset).putLong(at + 32, size).putLong(at + 48, 1);
        } else {
            b.putInt(at, name).putInt(at + 4, type).putInt(at + 16, (int) offset).putInt(at + 20, (int) size)
                    .putInt(at + 32, 1);
        }
    }

    Path write(Path path) {
        try {
            return Files.write(path, build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
