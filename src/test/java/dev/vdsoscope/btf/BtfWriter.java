package dev.vdsoscope.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes BTF blobs for tests, word by word as {@code <linux/btf.h>} lays them out (written from the
 * header's description, not from the reader): a header, the types in the order they are added, and
 * the strings. Every method returns the id of the type it added. A split writer continues a base's
 * ids and string offsets, and its string section does not repeat the empty name.
 */
final class BtfWriter {
    /** Offsets of the header's words, for tests that damage them. */
    static final int HDR_LEN = 4, TYPE_OFF = 8, TYPE_LEN = 12, STR_OFF = 16, STR_LEN = 20, HEADER_SIZE = 24;

    private final List<int[]> types = new ArrayList<>();
    private final Map<String, Integer> stringOffsets = new LinkedHashMap<>();
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final int firstId;
    private final int firstStringOffset;

    /** A base BTF: ids from 1, strings from offset 0, the empty name first. */
    BtfWriter() {
        this(1, 0);
        strings.write(0);
        stringOffsets.put("", 0);
    }

    private BtfWriter(int firstId, int firstStringOffset) {
        this.firstId = firstId;
        this.firstStringOffset = firstStringOffset;
    }

    /** A split BTF on a base of {@code baseTypes} types and {@code baseStringBytes} bytes of strings. */
    static BtfWriter split(int baseTypes, int baseStringBytes) {
        BtfWriter writer = new BtfWriter(baseTypes + 1, baseStringBytes);
        writer.stringOffsets.put("", 0);
        return writer;
    }

    /** The name offset of {@code s}, added to the string section the first time. */
    int name(String s) {
        return stringOffsets.computeIfAbsent(s, added -> {
            int offset = firstStringOffset + strings.size();
            strings.writeBytes(added.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return offset;
        });
    }

    /** The bytes of the string section so far (a split writer's continue its base's). */
    int stringBytes() {
        return strings.size();
    }

    /** A type of any kind, info word built from its parts, followed by {@code trailer}. */
    int raw(String name, int kind, int vlen, boolean kflag, int sizeOrType, int... trailer) {
        return rawInfo(name(name), (kflag ? 1 << 31 : 0) | kind << 24 | vlen, sizeOrType, trailer);
    }

    /** A type with its name offset and info word as given, for hostile blobs. */
    int rawInfo(int nameOffset, int info, int sizeOrType, int... trailer) {
        int[] words = new int[3 + trailer.length];
        words[0] = nameOffset;
        words[1] = info;
        words[2] = sizeOrType;
        System.arraycopy(trailer, 0, words, 3, trailer.length);
        types.add(words);
        return firstId + types.size() - 1;
    }

    int integer(String name, int size, int encoding, int bitOffset, int bits) {
        return raw(name, BtfKind.INT.value(), 0, false, size, encoding << 24 | bitOffset << 16 | bits);
    }

    int pointer(int type) {
        return raw("", BtfKind.PTR.value(), 0, false, type);
    }

    int array(int element, int index, int count) {
        return raw("", BtfKind.ARRAY.value(), 0, false, 0, element, index, count);
    }

    /** A member: name, type, and the offset word (a bit offset, or with kind_flag size << 24 | offset). */
    record M(String name, int type, int offsetWord) {}

    static M member(String name, int type, int bitOffset) {
        return new M(name, type, bitOffset);
    }

    /** A member of a kind_flag struct: bitfield width in the offset word's top byte. */
    static M bitfield(String name, int type, int bitOffset, int bits) {
        return new M(name, type, bits << 24 | bitOffset);
    }

    int struct(String name, int size, M... members) {
        return composite(BtfKind.STRUCT, name, size, false, members);
    }

    int union(String name, int size, M... members) {
        return composite(BtfKind.UNION, name, size, false, members);
    }

    int composite(BtfKind kind, String name, int size, boolean kflag, M... members) {
        int[] trailer = new int[members.length * 3];
        for (int i = 0; i < members.length; i++) {
            trailer[3 * i] = name(members[i].name());
            trailer[3 * i + 1] = members[i].type();
            trailer[3 * i + 2] = members[i].offsetWord();
        }
        return raw(name, kind.value(), members.length, kflag, size, trailer);
    }

    /** BTF_KIND_ENUM with 32-bit values: names and values alternate. */
    int enum32(String name, boolean signed, Object... namesAndValues) {
        int[] trailer = new int[namesAndValues.length];
        for (int i = 0; i < namesAndValues.length; i += 2) {
            trailer[i] = name((String) namesAndValues[i]);
            trailer[i + 1] = ((Number) namesAndValues[i + 1]).intValue();
        }
        return raw(name, BtfKind.ENUM.value(), namesAndValues.length / 2, signed, 4, trailer);
    }

    /** BTF_KIND_ENUM64: names and 64-bit values alternate. */
    int enum64(String name, boolean signed, Object... namesAndValues) {
        int count = namesAndValues.length / 2;
        int[] trailer = new int[count * 3];
        for (int i = 0; i < count; i++) {
            long value = ((Number) namesAndValues[2 * i + 1]).longValue();
            trailer[3 * i] = name((String) namesAndValues[2 * i]);
            trailer[3 * i + 1] = (int) value;
            trailer[3 * i + 2] = (int) (value >>> 32);
        }
        return raw(name, BtfKind.ENUM64.value(), count, signed, 8, trailer);
    }

    int fwd(String name, boolean union) {
        return raw(name, BtfKind.FWD.value(), 0, union, 0);
    }

    int typedef(String name, int type) {
        return raw(name, BtfKind.TYPEDEF.value(), 0, false, type);
    }

    /** VOLATILE, CONST or RESTRICT. */
    int modifier(BtfKind kind, int type) {
        return raw("", kind.value(), 0, false, type);
    }

    int func(String name, int proto, int linkage) {
        return raw(name, BtfKind.FUNC.value(), linkage, false, proto);
    }

    /** Parameter names and types alternate. */
    int funcProto(int returnType, Object... namesAndTypes) {
        int[] trailer = new int[namesAndTypes.length];
        for (int i = 0; i < namesAndTypes.length; i += 2) {
            trailer[i] = name((String) namesAndTypes[i]);
            trailer[i + 1] = (Integer) namesAndTypes[i + 1];
        }
        return raw("", BtfKind.FUNC_PROTO.value(), namesAndTypes.length / 2, false, returnType, trailer);
    }

    int var(String name, int type, int linkage) {
        return raw(name, BtfKind.VAR.value(), 0, false, type, linkage);
    }

    /** Each variable as {type, offset, size}. */
    int datasec(String name, int size, int[]... vars) {
        int[] trailer = new int[vars.length * 3];
        for (int i = 0; i < vars.length; i++) {
            System.arraycopy(vars[i], 0, trailer, 3 * i, 3);
        }
        return raw(name, BtfKind.DATASEC.value(), vars.length, false, size, trailer);
    }

    int floating(String name, int size) {
        return raw(name, BtfKind.FLOAT.value(), 0, false, size);
    }

    int declTag(String name, int type, int componentIndex) {
        return raw(name, BtfKind.DECL_TAG.value(), 0, false, type, componentIndex);
    }

    int typeTag(String name, int type) {
        return raw(name, BtfKind.TYPE_TAG.value(), 0, false, type);
    }

    /** Sets word {@code word} (0: name_off, 1: info, 2: size/type, then the trailer's) of type {@code id}: a reference to a type added later. */
    void setWord(int id, int word, int value) {
        types.get(id - firstId)[word] = value;
    }

    /** The blob: header, types right after it, then strings. */
    byte[] bytes(ByteOrder order) {
        int typeBytes = types.stream().mapToInt(t -> t.length * 4).sum();
        ByteBuffer out = ByteBuffer.allocate(HEADER_SIZE + typeBytes + strings.size()).order(order);
        out.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(HEADER_SIZE);
        out.putInt(0).putInt(typeBytes).putInt(typeBytes).putInt(strings.size());
        for (int[] type : types) {
            for (int word : type) {
                out.putInt(word);
            }
        }
        out.put(strings.toByteArray());
        return out.array();
    }

    byte[] bytes() {
        return bytes(ByteOrder.LITTLE_ENDIAN);
    }

    /** Overwrites the 32-bit word at {@code at} of a little-endian blob. */
    static byte[] patch(byte[] blob, int at, int value) {
        ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return blob;
    }

    /** Where type {@code id}'s struct btf_type starts in {@link #bytes}. */
    int offsetOf(int id) {
        int at = HEADER_SIZE;
        for (int i = 0; i < id - firstId; i++) {
            at += types.get(i).length * 4;
        }
        return at;
    }
}
