package dev.vdsoscope.elf.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Finds things to patch in a little-endian ELF64 file by its section headers, independently of the
 * project's reader: sections by name, the symbol-version records by the version they name.
 */
public final class SectionBytes {
    private final ByteBuffer b;

    public SectionBytes(byte[] elf) {
        this.b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The file offset and size of the section of this name. */
    public record Section(int offset, int size) {}

    public Section section(String name) {
        long shoff = b.getLong(0x28);
        int shentsize = b.getShort(0x3a) & 0xffff;
        int shnum = b.getShort(0x3c) & 0xffff;
        int shstrndx = b.getShort(0x3e) & 0xffff;
        int names = (int) b.getLong((int) (shoff + (long) shstrndx * shentsize) + 0x18);
        for (int i = 0; i < shnum; i++) {
            int header = (int) (shoff + (long) i * shentsize);
            if (string(names + b.getInt(header)).equals(name)) {
                return new Section((int) b.getLong(header + 0x18), (int) b.getLong(header + 0x20));
            }
        }
        throw new AssertionError("no section " + name);
    }

    /** The file offset of the first Verneed record (.gnu.version_r). */
    public int firstVerneed() {
        return section(".gnu.version_r").offset();
    }

    /** The file offset of the first Verdef record (.gnu.version_d). */
    public int firstVerdef() {
        return section(".gnu.version_d").offset();
    }

    /** The file offset of the Vernaux record that needs this version. */
    public int vernaux(String version) {
        int dynstr = section(".dynstr").offset();
        int need = firstVerneed();
        while (true) {
            int aux = need + b.getInt(need + 8);
            while (true) {
                if (string(dynstr + b.getInt(aux + 8)).equals(version)) {
                    return aux;
                }
                int next = b.getInt(aux + 12);
                if (next == 0) {
                    break;
                }
                aux += next;
            }
            int next = b.getInt(need + 12);
            if (next == 0) {
                throw new AssertionError("no Vernaux for " + version);
            }
            need += next;
        }
    }

    /** Rewrites a version a Vernaux needs into another of the same length, its hash with it. */
    public void renameNeededVersion(String version, String replacement) {
        if (version.length() != replacement.length()) {
            throw new IllegalArgumentException("the names must be of one length");
        }
        int aux = vernaux(version);
        int at = section(".dynstr").offset() + b.getInt(aux + 8);
        b.put(at, replacement.getBytes(StandardCharsets.US_ASCII));
        b.putInt(aux, (int) ElfImageBuilder.elfHash(replacement));
    }

    public ByteBuffer buffer() {
        return b;
    }

    private String string(int at) {
        int end = at;
        while (b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - at];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
