package dev.vdsoscope.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds small ELF shared objects of any class, byte order and machine, with a .dynsym that holds
 * exactly the symbols a test asks for, optional GNU version tables and extra sections. Used to cross
 * the printers with tools (objdump) on architectures this machine cannot compile for. The layout is
 * simple and valid: header, two program headers (PT_LOAD over the whole file, PT_DYNAMIC), the
 * sections, then the section header table.
 */
public final class ElfBuilder {
    public static final int SHN_UNDEF = 0, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2;

    /** One dynamic symbol; {@code section} is a section name or null to use {@code shndx}. */
    public record Sym(String name, int bind, int type, int other, String section, int shndx, long value, long size,
            Long nameOffset) {
        public static Sym of(String name, int bind, int type, String section, long value, long size) {
            return new Sym(name, bind, type, 0, section, 0, value, size, null);
        }

        public static Sym at(String name, int bind, int type, int shndx, long value, long size) {
            return new Sym(name, bind, type, 0, null, shndx, value, size, null);
        }

        public Sym other(int newOther) {
            return new Sym(name, bind, type, newOther, section, shndx, value, size, nameOffset);
        }

        public Sym nameOffset(long offset) {
            return new Sym(name, bind, type, other, section, shndx, value, size, offset);
        }
    }

    /** A version definition: index, flags, name (parents are not needed by any test). */
    public record VerDef(int index, int flags, String name) {}

    /** A needed version: file, version name, the index symbols use (vna_other). */
    public record VerNeed(String file, String name, int index) {}

    /** An extra section, placed before .dynsym: its type, flags, contents, link (a section name) and info. */
    public record Extra(String name, long type, long flags, byte[] data, String link, long info, long entsize) {
        public static Extra of(String name, long type, long flags, int size) {
            return new Extra(name, type, flags, new byte[size], null, 0, 0);
        }
    }

    private int elfClass = 64;
    private boolean little = true;
    private int machine = 62;
    private int osabi;
    private long flags;
    private int type = 3;
    private int identVersion = 1;
    private final List<Sym> symbols = new ArrayList<>();
    private final List<Extra> extras = new ArrayList<>();
    private int[] versym;
    private List<VerDef> verdefs;
    private List<VerNeed> verneeds;
    private boolean noSectionHeaders;
    private long base = 0x1000;

    public ElfBuilder elf32() {
        elfClass = 32;
        return this;
    }

    public ElfBuilder elfClass(int bits) {
        elfClass = bits;
        return this;
    }

    public ElfBuilder bigEndian() {
        little = false;
        return this;
    }

    public ElfBuilder littleEndian(boolean value) {
        little = value;
        return this;
    }

    public ElfBuilder machine(int value) {
        machine = value;
        return this;
    }

    public ElfBuilder osabi(int value) {
        osabi = value;
        return this;
    }

    public ElfBuilder flags(long value) {
        flags = value;
        return this;
    }

    public ElfBuilder type(int value) {
        type = value;
        return this;
    }

    public ElfBuilder identVersion(int value) {
        identVersion = value;
        return this;
    }

    public ElfBuilder symbol(Sym s) {
        symbols.add(s);
        return this;
    }

    public ElfBuilder symbols(List<Sym> list) {
        symbols.addAll(list);
        return this;
    }

    public ElfBuilder extra(Extra e) {
        extras.add(e);
        return this;
    }

    /** Version indexes of symbols 1..n (entry 0 is written as 0). */
    public ElfBuilder versym(int... values) {
        versym = values;
        return this;
    }

    public ElfBuilder verdefs(List<VerDef> list) {
        verdefs = list;
        return this;
    }

    public ElfBuilder verneeds(List<VerNeed> list) {
        verneeds = list;
        return this;
    }

    public ElfBuilder noSectionHeaders() {
        noSectionHeaders = true;
        return this;
    }

    public Path write(Path path) throws IOException {
        Files.write(path, build());
        return path;
    }

    private static final class StrTab {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final Map<String, Integer> index = new LinkedHashMap<>();

        StrTab() {
            bytes.write(0);
            index.put("", 0);
        }

        int add(String s) {
            return index.computeIfAbsent(s, k -> {
                int at = bytes.size();
                bytes.writeBytes(k.getBytes(StandardCharsets.ISO_8859_1));
                bytes.write(0);
                return at;
            });
        }
    }

    private final class Sec {
        final String name;
        final long type;
        final long flags;
        byte[] data;
        final String link;
        final long info;
        final long align;
        final long entsize;
        long offset;
        long addr;

        Sec(String name, long type, long flags, byte[] data, String link, long info, long align, long entsize) {
            this.name = name;
            this.type = type;
            this.flags = flags;
            this.data = data;
            this.link = link;
            this.info = info;
            this.align = align;
            this.entsize = entsize;
        }
    }

    private ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    }

    private void word(ByteBuffer b, long v) {
        if (elfClass == 64) {
            b.putLong(v);
        } else {
            b.putInt((int) v);
        }
    }

    public byte[] build() {
        boolean wide = elfClass == 64;
        int ehsize = wide ? 64 : 52;
        int phentsize = wide ? 56 : 32;
        int shentsize = wide ? 64 : 40;
        int symsize = wide ? 24 : 16;
        StrTab dynstr = new StrTab();
        StrTab shstr = new StrTab();
        List<Sec> secs = new ArrayList<>();
        byte[] nops = new byte[64];
        java.util.Arrays.fill(nops, (byte) 0x90);
        secs.add(new Sec(".text", 1, 6, nops, null, 0, 16, 0));
        secs.add(new Sec(".data", 1, 3, new byte[32], null, 0, 8, 0));
        secs.add(new Sec(".tdata", 1, 0x403, new byte[16], null, 0, 8, 0));
        secs.add(new Sec(".bss", 8, 3, new byte[32], null, 0, 8, 0));
        for (Extra e : extras) {
            secs.add(new Sec(e.name(), e.type(), e.flags(), e.data(), e.link(), e.info(), 8, e.entsize()));
        }
        List<String> names = new ArrayList<>();
        for (Sec s : secs) {
            names.add(s.name);
        }
        ByteBuffer sym = buffer(symsize * (symbols.size() + 1));
        sym.position(symsize);
        for (Sym s : symbols) {
            int name = s.nameOffset() != null ? (int) (long) s.nameOffset() : dynstr.add(s.name());
            int info = (s.bind() << 4) | s.type();
            int shndx = s.section() != null ? 1 + names.indexOf(s.section()) : s.shndx();
            if (wide) {
                sym.putInt(name).put((byte) info).put((byte) s.other()).putShort((short) shndx).putLong(s.value())
                        .putLong(s.size());
            } else {
                sym.putInt(name).putInt((int) s.value()).putInt((int) s.size()).put((byte) info).put((byte) s.other())
                        .putShort((short) shndx);
            }
        }
        byte[] verdefBytes = null;
        if (verdefs != null && !verdefs.isEmpty()) {
            ByteBuffer vd = buffer(28 * verdefs.size());
            for (int i = 0; i < verdefs.size(); i++) {
                VerDef d = verdefs.get(i);
                vd.putShort((short) 1).putShort((short) d.flags()).putShort((short) d.index()).putShort((short) 1)
                        .putInt((int) elfHash(d.name())).putInt(20).putInt(i == verdefs.size() - 1 ? 0 : 28);
                vd.putInt(dynstr.add(d.name())).putInt(0);
            }
            verdefBytes = vd.array();
        }
        byte[] verneedBytes = null;
        int verneedFiles = 0;
        if (verneeds != null && !verneeds.isEmpty()) {
            Map<String, List<VerNeed>> byFile = new LinkedHashMap<>();
            for (VerNeed n : verneeds) {
                byFile.computeIfAbsent(n.file(), k -> new ArrayList<>()).add(n);
            }
            verneedFiles = byFile.size();
            ByteBuffer vn = buffer(16 * byFile.size() + 16 * verneeds.size());
            int f = 0;
            for (Map.Entry<String, List<VerNeed>> e : byFile.entrySet()) {
                List<VerNeed> aux = e.getValue();
                int size = 16 + 16 * aux.size();
                vn.putShort((short) 1).putShort((short) aux.size()).putInt(dynstr.add(e.getKey())).putInt(16)
                        .putInt(f == byFile.size() - 1 ? 0 : size);
                for (int j = 0; j < aux.size(); j++) {
                    VerNeed n = aux.get(j);
                    vn.putInt((int) elfHash(n.name())).putShort((short) 0).putShort((short) n.index())
                            .putInt(dynstr.add(n.name())).putInt(j == aux.size() - 1 ? 0 : 16);
                }
                f++;
            }
            verneedBytes = vn.array();
        }
        secs.add(new Sec(".dynsym", 11, 2, sym.array(), ".dynstr", 1, 8, symsize));
        int nsyms = symbols.size() + 1;
        ByteBuffer hash = buffer(4 * (3 + nsyms));
        hash.putInt(1).putInt(nsyms).putInt(nsyms > 1 ? 1 : 0);
        for (int k = 0; k < nsyms; k++) {
            hash.putInt(k >= 1 && k < nsyms - 1 ? k + 1 : 0);
        }
        secs.add(new Sec(".hash", 5, 2, hash.array(), ".dynsym", 0, 8, 4));
        if (versym != null) {
            ByteBuffer vs = buffer(2 * (versym.length + 1));
            vs.putShort((short) 0);
            for (int v : versym) {
                vs.putShort((short) v);
            }
            secs.add(new Sec(".gnu.version", 0x6fffffffL, 2, vs.array(), ".dynsym", 0, 2, 2));
        }
        if (verdefBytes != null) {
            secs.add(new Sec(".gnu.version_d", 0x6ffffffdL, 2, verdefBytes, ".dynstr", verdefs.size(), 8, 0));
        }
        if (verneedBytes != null) {
            secs.add(new Sec(".gnu.version_r", 0x6ffffffeL, 2, verneedBytes, ".dynstr", verneedFiles, 8, 0));
        }
        Sec dynstrSec = new Sec(".dynstr", 3, 2, null, null, 0, 1, 0);
        secs.add(dynstrSec);
        int dynsize = wide ? 16 : 8;
        int ndyn = 12;
        Sec dynamicSec = new Sec(".dynamic", 6, 3, new byte[dynsize * ndyn], ".dynstr", 0, 8, dynsize);
        secs.add(dynamicSec);
        Sec shstrtab = new Sec(".shstrtab", 3, 0, null, null, 0, 1, 0);
        secs.add(shstrtab);
        for (Sec s : secs) {
            shstr.add(s.name);
        }
        dynstrSec.data = dynstr.bytes.toByteArray();
        shstrtab.data = shstr.bytes.toByteArray();
        long off = ehsize + 2L * phentsize;
        for (Sec s : secs) {
            long al = Math.max(s.align, 1);
            off = (off + al - 1) / al * al;
            s.offset = off;
            s.addr = (s.flags & 2) != 0 ? base + off : 0;
            if (s.type != 8) {
                off += s.data.length;
            }
        }
        Map<String, Sec> byName = new LinkedHashMap<>();
        for (Sec s : secs) {
            byName.putIfAbsent(s.name, s);
        }
        ByteBuffer dyn = buffer(dynsize * ndyn);
        long[][] entries = {
            {4, byName.get(".hash").addr}, {5, dynstrSec.addr}, {6, byName.get(".dynsym").addr},
            {10, dynstrSec.data.length}, {11, symsize}};
        for (long[] e : entries) {
            word(dyn, e[0]);
            word(dyn, e[1]);
        }
        if (versym != null) {
            word(dyn, 0x6ffffff0L);
            word(dyn, byName.get(".gnu.version").addr);
        }
        if (verdefBytes != null) {
            word(dyn, 0x6ffffffcL);
            word(dyn, byName.get(".gnu.version_d").addr);
            word(dyn, 0x6ffffffdL);
            word(dyn, verdefs.size());
        }
        if (verneedBytes != null) {
            word(dyn, 0x6ffffffeL);
            word(dyn, byName.get(".gnu.version_r").addr);
            word(dyn, 0x6fffffffL);
            word(dyn, verneedFiles);
        }
        dynamicSec.data = dyn.array();
        off = (off + 7) / 8 * 8;
        long shoff = off;
        int nsec = secs.size() + 1;
        ByteBuffer img = buffer((int) (shoff + (noSectionHeaders ? 0 : (long) nsec * shentsize)));
        for (Sec s : secs) {
            if (s.type != 8) {
                img.put((int) s.offset, s.data);
            }
        }
        if (!noSectionHeaders) {
            img.position((int) shoff + shentsize);
            for (Sec s : secs) {
                int link = s.link != null ? 1 + indexOf(secs, s.link) : 0;
                img.putInt(shstr.add(s.name)).putInt((int) s.type);
                word(img, s.flags);
                word(img, s.addr);
                word(img, s.offset);
                word(img, s.type == 8 ? s.data.length : s.data.length);
                img.putInt(link).putInt((int) s.info);
                word(img, s.align);
                word(img, s.entsize);
            }
        }
        img.position(ehsize);
        long filesz = shoff;
        if (wide) {
            img.putInt(1).putInt(7).putLong(0).putLong(base).putLong(base).putLong(filesz).putLong(filesz + 64)
                    .putLong(0x1000);
            img.putInt(2).putInt(6).putLong(dynamicSec.offset).putLong(dynamicSec.addr).putLong(dynamicSec.addr)
                    .putLong(dynamicSec.data.length).putLong(dynamicSec.data.length).putLong(8);
        } else {
            img.putInt(1).putInt(0).putInt((int) base).putInt((int) base).putInt((int) filesz).putInt((int) filesz + 64)
                    .putInt(7).putInt(0x1000);
            img.putInt(2).putInt((int) dynamicSec.offset).putInt((int) dynamicSec.addr).putInt((int) dynamicSec.addr)
                    .putInt(dynamicSec.data.length).putInt(dynamicSec.data.length).putInt(6).putInt(4);
        }
        img.position(0);
        img.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (wide ? 2 : 1), (byte) (little ? 1 : 2), (byte) identVersion,
            (byte) osabi, 0, 0, 0, 0, 0, 0, 0, 0});
        img.putShort((short) type).putShort((short) machine).putInt(1);
        word(img, base + byName.get(".text").offset);
        word(img, ehsize);
        word(img, noSectionHeaders ? 0 : shoff);
        img.putInt((int) flags).putShort((short) ehsize).putShort((short) phentsize).putShort((short) 2)
                .putShort((short) shentsize).putShort((short) (noSectionHeaders ? 0 : nsec))
                .putShort((short) (noSectionHeaders ? 0 : nsec - 1));
        return img.array();
    }

    private static int indexOf(List<Sec> secs, String name) {
        for (int i = 0; i < secs.size(); i++) {
            if (secs.get(i).name.equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no section " + name);
    }

    /** The SysV ELF hash. */
    static long elfHash(String name) {
        long h = 0;
        for (byte c : name.getBytes(StandardCharsets.ISO_8859_1)) {
            h = ((h << 4) + (c & 0xff)) & 0xffffffffL;
            long g = h & 0xf0000000L;
            if (g != 0) {
                h ^= g >>> 24;
            }
            h &= ~g & 0xffffffffL;
        }
        return h;
    }
}
