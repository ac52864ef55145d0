package dev.vdsoscope.btf;

import static dev.vdsoscope.btf.BtfLayout.*;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.vdsoscope.btf.BtfType.Composite;
import dev.vdsoscope.btf.BtfType.Member;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.Section;

/**
 * The BTF of a kernel, a module or an object file: its types, found by id and by name, and the layout
 * of its structures.
 *
 * <p>Reading checks the whole blob once, so that every later question is answered without a format
 * error: the header against the blob's length, every type's extent against the type section, every
 * name against the string section, every type id a type refers to against the types there are, and
 * that no type contains itself (a typedef or qualifier chain, or a struct through its members and
 * arrays, that comes back to where it started). Nothing is allocated by a count the blob states
 * before that count is checked against the bytes that hold it. Types are decoded when first asked
 * for; names are indexed on the first search by name.
 *
 * <p>A split BTF (a module's, on top of vmlinux's) continues its base: its first type id follows
 * the base's last, and its name offsets follow the base's string section, so ids and offsets below
 * those are the base's.
 */
public final class Btf {
    /** Where the running kernel publishes its own BTF (with {@code CONFIG_DEBUG_INFO_BTF}). */
    public static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    /** The name of the ELF section that holds BTF. */
    public static final String BTF_ELF_SECTION = ".BTF";

    /** The largest blob read: one Java array (BTF's own offsets are 32-bit, but no kernel's comes near). */
    private static final int MAX_BLOB = Integer.MAX_VALUE - 8;

    /** Types that have no size (functions, prototypes, forwards, void, ...) in {@link #sizes}. */
    private static final long NO_SIZE = -1;

    /**
     * How compilers name {@code long} and {@code unsigned long} in BTF (gcc: "long int", clang: "long"):
     * BTF has no pointer size, and on Linux a pointer is as wide as a long (libbpf guesses it so too).
     */
    private static final Set<String> LONG_NAMES = Set.of("long", "long int", "unsigned long", "long unsigned int");

    private static final BtfType VOID = new BtfType.Void();

    private final String source;
    private final ByteOrder byteOrder;
    /** The type section as words in the blob's byte order: every structure in it is made of 32-bit words. */
    private final int[] words;
    /** Where the type section starts in the blob, for the offsets errors give. */
    private final int typeSectionStart;
    /** This blob's string section. */
    private final byte[] strings;
    private final Btf base;
    /** The id of this blob's first type: 1, or the base's last id plus 1. */
    private final int firstId;
    /** Where each of this blob's types starts in the type section, in bytes, by id minus {@link #firstId}. */
    private final int[] typeOffsets;
    /** The name offset of this blob's first string: 0, or the end of the base's strings. */
    private final int firstStringOffset;
    /** The size in bytes of each of this blob's types as {@link #sizeOf} answers it, {@link #NO_SIZE} for none. */
    private final long[] sizes;
    /** The bytes of a pointer (the size of {@code long}), 0 when the BTF names no {@code long}. */
    private final int pointerSize;
    private final BtfType[] decoded;
    private volatile NameIndex names;

    private Btf(String source, ByteOrder byteOrder, int[] words, int typeSectionStart, int[] typeOffsets,
            byte[] strings, Btf base) throws BtfFormatException {
        this.source = source;
        this.byteOrder = byteOrder;
        this.words = words;
        this.typeSectionStart = typeSectionStart;
        this.strings = strings;
        this.base = base;
        this.firstId = base == null ? 1 : base.typeCount() + 1;
        this.typeOffsets = typeOffsets;
        this.firstStringOffset = base == null ? 0 : base.firstStringOffset + base.strings.length;
        this.decoded = new BtfType[typeOffsets.length];
        checkReferences();
        int longSize = longSize();
        this.pointerSize = longSize != 0 || base == null ? longSize : base.pointerSize;
        this.sizes = checkContainmentAndSize();
    }

    /** A raw BTF blob, such as /sys/kernel/btf/vmlinux holds, from the buffer's position to its limit. */
    public static Btf read(String source, ByteBuffer bytes) throws BtfFormatException {
        return parse(source, bytes, null);
    }

    /** Split BTF (a module's, as /sys/kernel/btf/MODULE holds), whose types and strings continue {@code base}'s. */
    public static Btf readSplit(String source, ByteBuffer bytes, Btf base) throws BtfFormatException {
        return parse(source, bytes, base);
    }

    /**
     * The {@code .BTF} section of an ELF file (a vmlinux, or an object that {@code pahole -J} or the
     * compiler gave BTF). The section's bytes are copied: the result outlives {@code elf}.
     */
    public static Btf fromElf(ElfFile elf) throws BtfFormatException {
        return fromElf(elf, null);
    }

    /**
     * The {@code .BTF} section of an ELF file read as split BTF on {@code base} (null: as base BTF): a
     * module's ({@code pahole -J --btf_base}, or a kernel module's .ko).
     */
    public static Btf fromElf(ElfFile elf, Btf base) throws BtfFormatException {
        String source = elf.name() + " section " + BTF_ELF_SECTION;
        try {
            Optional<Section> section = elf.section(BTF_ELF_SECTION);
            if (section.isEmpty() || !section.get().hasFileBytes()) {
                throw new BtfFormatException(elf.name(), "no " + BTF_ELF_SECTION
                        + " section: the file carries no BTF (pahole -J, or a kernel built with CONFIG_DEBUG_INFO_BTF, adds it)", -1);
            }
            MemorySegment contents = elf.contents(section.get());
            if (contents.byteSize() > MAX_BLOB) {
                throw new BtfFormatException(source, "section of " + contents.byteSize() + " bytes, larger than BTF can be (2 GiB)", -1);
            }
            return parse(source, ByteBuffer.wrap(contents.toArray(ValueLayout.JAVA_BYTE)), base);
        } catch (ElfFormatException e) {
            throw new BtfFormatException(elf.name(), e.problem(), e.offset());
        }
    }

    /** A file of raw BTF or an ELF file with a {@code .BTF} section, told apart by their magic numbers. */
    public static Btf open(Path path) throws IOException, BtfFormatException {
        return open(path, null);
    }

    /**
     * A file of split BTF on {@code base} (null: base BTF), raw ({@code /sys/kernel/btf/MODULE}) or the
     * {@code .BTF} section of an ELF file, told apart by their magic numbers.
     */
    public static Btf open(Path path, Btf base) throws IOException, BtfFormatException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new BtfFormatException(path.toString(), attributes.isDirectory() ? "is a directory" : "not a regular file", -1);
        }
        if (attributes.size() > MAX_BLOB) {
            throw new BtfFormatException(path.toString(), attributes.size() + " bytes, larger than BTF can be (2 GiB)", -1);
        }
        ByteBuffer head = ByteBuffer.allocate(4);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (head.hasRemaining() && channel.read(head) >= 0) {
                // Until four bytes, or the end of a shorter file.
            }
        }
        if (ElfFile.startsWithMagic(MemorySegment.ofArray(Arrays.copyOf(head.array(), head.position())))) {
            try (ElfFile elf = ElfFile.open(path)) {
                return fromElf(elf, base);
            } catch (ElfFormatException e) {
                throw new BtfFormatException(path.toString(), e.problem(), e.offset());
            }
        }
        // sysfs gives /sys/kernel/btf/* a size, so reading it whole is one read of a known length.
        return parse(path.toString(), ByteBuffer.wrap(Files.readAllBytes(path)), base);
    }

    private static Btf parse(String source, ByteBuffer input, Btf base) throws BtfFormatException {
        ByteBuffer bytes = input.slice();
        int size = bytes.limit();
        if (size < BTF_HEADER_SIZE) {
            throw new BtfFormatException(source, "truncated header: " + size + " bytes, a BTF header has "
                    + BTF_HEADER_SIZE, size);
        }
        int first = bytes.get(HDR_MAGIC) & 0xff, second = bytes.get(HDR_MAGIC + 1) & 0xff;
        if ((first | second << 8) == BTF_MAGIC) {
            bytes.order(ByteOrder.LITTLE_ENDIAN);
        } else if ((first << 8 | second) == BTF_MAGIC) {
            bytes.order(ByteOrder.BIG_ENDIAN);
        } else {
            throw new BtfFormatException(source, String.format("no BTF magic 0x%x in either byte order (found bytes %02x %02x)",
                    BTF_MAGIC, first, second), HDR_MAGIC);
        }
        int version = bytes.get(HDR_VERSION) & 0xff;
        if (version != BTF_VERSION) {
            throw new BtfFormatException(source, "BTF version " + version + ", only version " + BTF_VERSION + " exists", HDR_VERSION);
        }
        int flags = bytes.get(HDR_FLAGS) & 0xff;
        if (flags != 0) {
            throw new BtfFormatException(source, String.format("header flags 0x%x, BTF defines none", flags), HDR_FLAGS);
        }
        long headerLength = u32(bytes, HDR_HDR_LEN);
        if (headerLength < BTF_HEADER_SIZE || headerLength > size) {
            throw new BtfFormatException(source, "hdr_len " + headerLength + " is not between the header's "
                    + BTF_HEADER_SIZE + " bytes and the blob's " + size, HDR_HDR_LEN);
        }
        for (int i = BTF_HEADER_SIZE; i < headerLength; i++) {
            if (bytes.get(i) != 0) {
                throw new BtfFormatException(source, "header of " + headerLength
                        + " bytes has a non-zero byte past the 24 this reader knows (a newer format)", i);
            }
        }
        long typeStart = headerLength + u32(bytes, HDR_TYPE_OFF), typeLength = u32(bytes, HDR_TYPE_LEN);
        long stringsStart = headerLength + u32(bytes, HDR_STR_OFF), stringsLength = u32(bytes, HDR_STR_LEN);
        checkSection(source, "type", typeStart, typeLength, size, HDR_TYPE_OFF);
        checkSection(source, "string", stringsStart, stringsLength, size, HDR_STR_OFF);
        if ((typeStart - headerLength) % Integer.BYTES != 0) {
            throw new BtfFormatException(source, "type_off " + (typeStart - headerLength) + " is not 4-byte aligned", HDR_TYPE_OFF);
        }
        if (typeLength > 0 && stringsLength > 0 && typeStart < stringsStart + stringsLength
                && stringsStart < typeStart + typeLength) {
            throw new BtfFormatException(source, "the type and string sections overlap", HDR_STR_OFF);
        }
        if (stringsLength == 0) {
            if (base == null) { // a split BTF may add no names; a base holds at least the empty one
                throw new BtfFormatException(source, "empty string section: it must hold at least the empty name", HDR_STR_LEN);
            }
        } else if (bytes.get((int) (stringsStart + stringsLength - 1)) != 0) {
            throw new BtfFormatException(source, "string section does not end with a NUL", stringsStart + stringsLength - 1);
        }
        if (base == null && bytes.get((int) stringsStart) != 0) {
            throw new BtfFormatException(source, "string section does not start with the empty name", stringsStart);
        }
        // Copied out as words, read from then on without a bounds question: the type section starts
        // 4-byte aligned after the header, and each of its structures is made of whole words.
        int[] words = new int[(int) typeLength / Integer.BYTES];
        bytes.slice((int) typeStart, words.length * Integer.BYTES).order(bytes.order()).asIntBuffer().get(words);
        int[] offsets = typeOffsets(source, words, (int) typeStart, (int) typeLength, base == null ? 1 : base.typeCount() + 1);
        byte[] strings = new byte[(int) stringsLength];
        bytes.get((int) stringsStart, strings);
        return new Btf(source, bytes.order(), words, (int) typeStart, offsets, strings, base);
    }

    private static void checkSection(String source, String name, long start, long length, int size, int field)
            throws BtfFormatException {
        if (start + length > size) {
            throw new BtfFormatException(source, name + " section (bytes " + start + " to " + (start + length)
                    + ") reaches past the end of the blob's " + size + " bytes", field);
        }
    }

    /** Walks the type section by each type's kind and vlen, and returns where each type starts. */
    private static int[] typeOffsets(String source, int[] words, int start, int length, int firstId)
            throws BtfFormatException {
        // Every type takes at least a struct btf_type, so the section's length bounds the count.
        int[] offsets = new int[length / BTF_TYPE_SIZE];
        int count = 0;
        long end = length;
        for (long at = 0; at < end; ) {
            int id = firstId + count;
            if (end - at < BTF_TYPE_SIZE) {
                throw new BtfFormatException(source, "type [" + id + "] is cut off: " + (end - at)
                        + " bytes are left of the type section, struct btf_type has " + BTF_TYPE_SIZE, start + at);
            }
            int info = words[(int) (at + TYPE_INFO) / Integer.BYTES];
            if ((info & ~BTF_INFO_MASK) != 0) {
                throw new BtfFormatException(source, String.format("type [%d] has info 0x%08x, with bits BTF does not define",
                        id, info), start + at + TYPE_INFO);
            }
            BtfKind kind = BtfKind.of(BTF_INFO_KIND(info));
            if (kind == null) {
                throw new BtfFormatException(source, "type [" + id + "] has unknown kind " + BTF_INFO_KIND(info),
                        start + at + TYPE_INFO);
            }
            long typeLength = BTF_TYPE_SIZE + kind.trailingBytes(BTF_INFO_VLEN(info));
            if (typeLength > end - at) {
                throw new BtfFormatException(source, "type [" + id + "] " + kind + " with vlen " + BTF_INFO_VLEN(info)
                        + " takes " + typeLength + " bytes, past the end of the type section (" + (end - at) + " left)", start + at);
            }
            offsets[count++] = (int) at;
            at += typeLength;
        }
        return Arrays.copyOf(offsets, count);
    }

    /**
     * Checks what each type refers to: names within the string section, type ids within the types
     * there are, and the values BTF defines for linkages and integer encodings.
     */
    private void checkReferences() throws BtfFormatException {
        for (int index = 0; index < typeOffsets.length; index++) {
            int at = typeOffsets[index];
            int id = firstId + index;
            int info = word(at + TYPE_INFO);
            BtfKind kind = BtfKind.of(BTF_INFO_KIND(info));
            int vlen = BTF_INFO_VLEN(info);
            int sizeOrType = word(at + TYPE_SIZE_TYPE);
            int trailer = at + BTF_TYPE_SIZE;
            checkName(id, at + TYPE_NAME_OFF);
            if (kind.refersToType()) {
                checkTypeId(id, at + TYPE_SIZE_TYPE);
            }
            switch (kind) {
                case INT -> {
                    int word = word(trailer);
                    int bits = BTF_INT_BITS(word);
                    if ((BTF_INT_ENCODING(word) & ~BtfIntEncoding.KNOWN_BITS) != 0 || bits > BTF_INT_MAX_BITS
                            || BTF_INT_OFFSET(word) + bits > 8 * Integer.toUnsignedLong(sizeOrType)) {
                        throw fail(String.format("type [%d] INT has encoding word 0x%08x: an unknown encoding, more than %d bits,"
                                + " or bits past its %d bytes", id, word, BTF_INT_MAX_BITS, Integer.toUnsignedLong(sizeOrType)), trailer);
                    }
                }
                case ARRAY -> {
                    checkTypeId(id, trailer);
                    checkTypeId(id, trailer + 4);
                }
                case STRUCT, UNION -> {
                    for (int m = 0; m < vlen; m++) {
                        checkName(id, trailer + m * BTF_MEMBER_SIZE);
                        checkTypeId(id, trailer + m * BTF_MEMBER_SIZE + 4);
                    }
                }
                case ENUM, ENUM64 -> {
                    int entry = kind == BtfKind.ENUM ? BTF_ENUM_SIZE : BTF_ENUM64_SIZE;
                    for (int e = 0; e < vlen; e++) {
                        checkName(id, trailer + e * entry);
                    }
                }
                case FUNC -> {
                    if (BtfFuncLinkage.of(vlen) == null) {
                        throw fail("type [" + id + "] FUNC has linkage " + vlen + ", which BTF does not define", at + TYPE_INFO);
                    }
                }
                case FUNC_PROTO -> {
                    for (int p = 0; p < vlen; p++) {
                        checkName(id, trailer + p * BTF_PARAM_SIZE);
                        checkTypeId(id, trailer + p * BTF_PARAM_SIZE + 4);
                    }
                }
                case VAR -> {
                    if (BtfVarLinkage.of(u32(trailer)) == null) {
                        throw fail("type [" + id + "] VAR has linkage " + u32(trailer) + ", which BTF does not define", trailer);
                    }
                }
                case DATASEC -> {
                    for (int v = 0; v < vlen; v++) {
                        checkTypeId(id, trailer + v * BTF_VAR_SECINFO_SIZE);
                    }
                }
                case DECL_TAG -> {
                    if (word(trailer) < -1) {
                        throw fail("type [" + id + "] DECL_TAG has component_idx " + word(trailer) + ", below -1", trailer);
                    }
                }
                default -> {
                    // The kind has no more words to check.
                }
            }
        }
    }

    private void checkName(int id, int at) throws BtfFormatException {
        long offset = u32(at);
        if (offset >= (long) firstStringOffset + strings.length) {
            throw fail("type [" + id + "] names string offset " + offset + ", past the end of the strings ("
                    + ((long) firstStringOffset + strings.length) + ")", at);
        }
    }

    private void checkTypeId(int id, int at) throws BtfFormatException {
        long target = u32(at);
        if (target > lastId()) {
            throw fail("type [" + id + "] refers to type [" + target + "], past the last type [" + lastId() + "]", at);
        }
    }

    /** The size of this blob's {@code long}, 0 when it names none. */
    private int longSize() {
        for (int index = 0; index < typeOffsets.length; index++) {
            int at = typeOffsets[index];
            if (BtfKind.of(BTF_INFO_KIND(word(at + TYPE_INFO))) == BtfKind.INT
                    && LONG_NAMES.contains(string(u32(at + TYPE_NAME_OFF)))) {
                return word(at + TYPE_SIZE_TYPE);
            }
        }
        return 0;
    }

    /**
     * Follows what each type holds by value (a typedef's or qualifier's type, an array's element, a
     * struct's or union's members; not what a pointer points to) depth first, refusing a type that
     * comes back to itself, and computes each type's size on the way back. After this, resolving a
     * type, sizing it and searching a struct's anonymous members all end.
     */
    private long[] checkContainmentAndSize() throws BtfFormatException {
        final byte unvisited = 0, visiting = 1, done = 2;
        int count = typeOffsets.length;
        byte[] state = new byte[count];
        long[] result = new long[count];
        int[] stack = new int[count];
        int[] nextEdge = new int[count];
        for (int start = 0; start < count; start++) {
            if (state[start] != unvisited) {
                continue;
            }
            int depth = 0;
            stack[0] = start;
            nextEdge[0] = 0;
            state[start] = visiting;
            while (depth >= 0) {
                int index = stack[depth];
                int target = heldType(index, nextEdge[depth]++);
                if (target >= 0) {
                    int child = target - firstId;
                    if (child < 0) {
                        continue; // void, or a type of the base, which was checked with the base
                    }
                    if (state[child] == visiting) {
                        throw fail("type [" + (firstId + index) + "] " + kindOf(index) + " holds type [" + target
                                + "], which holds it: a type that contains itself", typeOffsets[index]);
                    }
                    if (state[child] == unvisited) {
                        state[child] = visiting;
                        stack[++depth] = child;
                        nextEdge[depth] = 0;
                    }
                    continue;
                }
                result[index] = sizeFrom(index, result);
                state[index] = done;
                depth--;
            }
        }
        return result;
    }

    /** The id of the {@code edge}th type that type {@code index} holds by value, -1 past the last. */
    private int heldType(int index, int edge) {
        int at = typeOffsets[index];
        int info = word(at + TYPE_INFO);
        BtfKind kind = BtfKind.of(BTF_INFO_KIND(info));
        if (kind.isAlias()) {
            return edge == 0 ? word(at + TYPE_SIZE_TYPE) : -1;
        }
        return switch (kind) {
            case ARRAY -> edge == 0 ? word(at + BTF_TYPE_SIZE) : -1;
            case STRUCT, UNION -> edge < BTF_INFO_VLEN(info)
                    ? word(at + BTF_TYPE_SIZE + edge * BTF_MEMBER_SIZE + 4) : -1;
            default -> -1;
        };
    }

    /** A type's size, given the sizes of the types it holds (already in {@code known}). */
    private long sizeFrom(int index, long[] known) throws BtfFormatException {
        int at = typeOffsets[index];
        BtfKind kind = kindOf(index);
        if (kind.isAlias()) {
            return sizeOrNone(word(at + TYPE_SIZE_TYPE), known);
        }
        return switch (kind) {
            case INT, STRUCT, UNION, ENUM, ENUM64, FLOAT, DATASEC -> u32(at + TYPE_SIZE_TYPE);
            case PTR -> pointerSize == 0 ? NO_SIZE : pointerSize;
            case ARRAY -> {
                long element = sizeOrNone(word(at + BTF_TYPE_SIZE), known);
                long count = u32(at + BTF_TYPE_SIZE + 8);
                if (element == NO_SIZE) {
                    yield NO_SIZE;
                }
                if (element != 0 && count > U32_MAX / element) {
                    throw fail("type [" + (firstId + index) + "] ARRAY of " + count + " elements of " + element
                            + " bytes is larger than a BTF size (4 GiB)", at);
                }
                yield count * element;
            }
            default -> NO_SIZE;
        };
    }

    private long sizeOrNone(int id, long[] known) {
        if (id == 0) {
            return NO_SIZE;
        }
        return id < firstId ? base.sizeOrNone(id, base.sizes) : known[id - firstId];
    }

    private BtfKind kindOf(int index) {
        return BtfKind.of(BTF_INFO_KIND(word(typeOffsets[index] + TYPE_INFO)));
    }

    /** A format error at {@code at} bytes into the type section. */
    private BtfFormatException fail(String problem, int at) {
        return new BtfFormatException(source, problem, (long) typeSectionStart + at);
    }

    /** The word {@code at} bytes into the type section (a multiple of 4: see {@link #parse}). */
    private int word(int at) {
        return words[at >>> 2];
    }

    private long u32(int at) {
        return Integer.toUnsignedLong(word(at));
    }

    private static long u32(ByteBuffer bytes, int at) {
        return Integer.toUnsignedLong(bytes.getInt(at));
    }

    /** The string at {@code offset} of the string sections (the base's, then this blob's), checked to be inside. */
    private String string(long offset) {
        byte[] array = stringArray(offset);
        int start = stringStart(offset);
        int end = start;
        while (array[end] != 0) {
            end++; // each string section ends with a NUL, checked when it was read
        }
        return new String(array, start, end - start, StandardCharsets.UTF_8);
    }

    /** The string section that holds name offset {@code offset}: the base's below {@link #firstStringOffset}. */
    private byte[] stringArray(long offset) {
        return offset < firstStringOffset ? base.stringArray(offset) : strings;
    }

    /** Where name offset {@code offset} starts in {@link #stringArray}. */
    private int stringStart(long offset) {
        return offset < firstStringOffset ? base.stringStart(offset) : (int) (offset - firstStringOffset);
    }

    /** What the BTF was read from, as errors name it. */
    public String source() {
        return source;
    }

    /** The BTF this one continues, when it is split BTF. */
    public Optional<Btf> base() {
        return Optional.ofNullable(base);
    }

    /** The byte order of the blob (the order of the machine it describes). */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** The last type id: types are 1 to this, the base's included when this is split BTF. */
    public int typeCount() {
        return lastId();
    }

    private int lastId() {
        return firstId + typeOffsets.length - 1;
    }

    /** The first type id this blob holds: 1, or for split BTF the one after the base's last. */
    public int firstOwnId() {
        return firstId;
    }

    /** The size of a pointer: that of {@code long}, as the BTF names it (0 when it names no {@code long}). */
    public int pointerSize() {
        return pointerSize;
    }

    /**
     * The type of {@code id}: {@link BtfType.Void} for 0, the base's for ids the base holds.
     *
     * @throws IllegalArgumentException when {@code id} is below 0 or above {@link #typeCount()}
     */
    public BtfType type(int id) {
        if (id == 0) {
            return VOID;
        }
        if (id < 0 || id > lastId()) {
            throw new IllegalArgumentException(source + ": no type [" + id + "] (types are 1 to " + lastId() + ")");
        }
        if (id < firstId) {
            return base.type(id);
        }
        int index = id - firstId;
        BtfType type = decoded[index];
        if (type == null) {
            type = decode(id, typeOffsets[index]);
            decoded[index] = type; // a race decodes twice, to equal records
        }
        return type;
    }

    private BtfType decode(int id, int at) {
        int info = word(at + TYPE_INFO);
        BtfKind kind = BtfKind.of(BTF_INFO_KIND(info));
        int vlen = BTF_INFO_VLEN(info);
        boolean kflag = BTF_INFO_KFLAG(info);
        String name = string(u32(at + TYPE_NAME_OFF));
        int sizeOrType = word(at + TYPE_SIZE_TYPE);
        long size = Integer.toUnsignedLong(sizeOrType);
        int trailer = at + BTF_TYPE_SIZE;
        return switch (kind) {
            case INT -> {
                int word = word(trailer);
                yield new BtfType.Int(id, name, size, BtfIntEncoding.of(BTF_INT_ENCODING(word)), BTF_INT_OFFSET(word),
                        BTF_INT_BITS(word));
            }
            case PTR -> new BtfType.Ptr(id, name, sizeOrType);
            case ARRAY -> new BtfType.Array(id, name, word(trailer), word(trailer + 4), u32(trailer + 8));
            case STRUCT, UNION -> {
                List<Member> members = new ArrayList<>(vlen);
                for (int m = 0; m < vlen; m++) {
                    int entry = trailer + m * BTF_MEMBER_SIZE;
                    int offset = word(entry + 8);
                    members.add(new Member(string(u32(entry)), word(entry + 4),
                            kflag ? BTF_MEMBER_BIT_OFFSET(offset) : Integer.toUnsignedLong(offset),
                            kflag ? BTF_MEMBER_BITFIELD_SIZE(offset) : 0));
                }
                yield new Composite(id, name, kind, size, List.copyOf(members));
            }
            case ENUM, ENUM64 -> {
                List<Enumerator> values = new ArrayList<>(vlen);
                for (int e = 0; e < vlen; e++) {
                    long value;
                    int entry;
                    if (kind == BtfKind.ENUM) {
                        entry = trailer + e * BTF_ENUM_SIZE;
                        value = kflag ? word(entry + 4) : u32(entry + 4);
                    } else {
                        entry = trailer + e * BTF_ENUM64_SIZE;
                        value = u32(entry + 4) | u32(entry + 8) << 32;
                    }
                    values.add(new Enumerator(string(u32(entry)), value));
                }
                yield new BtfType.Enum(id, name, kind, size, kflag, List.copyOf(values));
            }
            case FWD -> new BtfType.Fwd(id, name, kflag);
            case TYPEDEF -> new BtfType.Typedef(id, name, sizeOrType);
            case VOLATILE, CONST, RESTRICT -> new BtfType.Modifier(id, name, kind, sizeOrType);
            case FUNC -> new BtfType.Func(id, name, sizeOrType, BtfFuncLinkage.of(vlen));
            case FUNC_PROTO -> {
                List<BtfType.Param> params = new ArrayList<>(vlen);
                for (int p = 0; p < vlen; p++) {
                    int entry = trailer + p * BTF_PARAM_SIZE;
                    params.add(new BtfType.Param(string(u32(entry)), word(entry + 4)));
                }
                yield new BtfType.FuncProto(id, name, sizeOrType, List.copyOf(params));
            }
            case VAR -> new BtfType.Var(id, name, sizeOrType, BtfVarLinkage.of(u32(trailer)));
            case DATASEC -> {
                List<BtfType.VarSecinfo> vars = new ArrayList<>(vlen);
                for (int v = 0; v < vlen; v++) {
                    int entry = trailer + v * BTF_VAR_SECINFO_SIZE;
                    vars.add(new BtfType.VarSecinfo(word(entry), u32(entry + 4), u32(entry + 8)));
                }
                yield new BtfType.Datasec(id, name, size, List.copyOf(vars));
            }
            case FLOAT -> new BtfType.Float(id, name, size);
            case DECL_TAG -> new BtfType.DeclTag(id, name, sizeOrType, word(trailer), kflag);
            case TYPE_TAG -> new BtfType.TypeTag(id, name, sizeOrType, kflag);
            case UNKN -> throw new AssertionError("kind 0 was refused when the type section was read");
        };
    }

    /**
     * The first type (lowest id, the base's first) of this name and kind. Names are UTF-8 (the
     * kernel's are C identifiers); bytes that are not decode to U+FFFD, and are found by no name.
     */
    public Optional<BtfType> find(String name, BtfKind kind) {
        if (base != null) {
            Optional<BtfType> found = base.find(name, kind);
            if (found.isPresent()) {
                return found;
            }
        }
        NameIndex index = names();
        for (int entry = index.first(name); entry != 0; entry = index.next[entry - 1]) {
            if (kindOf(entry - 1) == kind) {
                return Optional.of(type(firstId + entry - 1));
            }
        }
        return Optional.empty();
    }

    /** Every type of this name, of any kind, by id (the base's first). */
    public List<BtfType> findAll(String name) {
        List<BtfType> all = base == null ? new ArrayList<>() : new ArrayList<>(base.findAll(name));
        NameIndex index = names();
        for (int entry = index.first(name); entry != 0; entry = index.next[entry - 1]) {
            all.add(type(firstId + entry - 1));
        }
        return all;
    }

    /**
     * This blob's named types by name, hashed from the string section's bytes, so that indexing makes
     * no String per type. An entry is a type's index (id minus {@link #firstId}) plus 1, 0 for none:
     * {@code slots} holds the first type of each name (open addressing, at most half full), {@code next}
     * the next type of the same name, by ascending id.
     */
    private final class NameIndex {
        final int[] slots;
        final int[] next;

        NameIndex() {
            int count = typeOffsets.length;
            slots = new int[Integer.highestOneBit(Math.max(count, 1)) * 4];
            next = new int[count];
            int mask = slots.length - 1;
            // From the last id down, so that each name's chain runs by ascending id.
            for (int index = count - 1; index >= 0; index--) {
                long offset = u32(typeOffsets[index] + TYPE_NAME_OFF);
                byte[] array = stringArray(offset);
                int start = stringStart(offset);
                if (array[start] == 0) {
                    continue;
                }
                int slot = hash(array, start) & mask;
                while (slots[slot] != 0 && !sameName(slots[slot] - 1, array, start)) {
                    slot = (slot + 1) & mask;
                }
                next[index] = slots[slot];
                slots[slot] = index + 1;
            }
        }

        /** The entry of the first type named {@code name}, 0 for none. */
        int first(String name) {
            if (name.isEmpty() || name.indexOf('\0') >= 0) {
                return 0; // no type is indexed by the empty name, and no name holds a NUL
            }
            byte[] key = (name + '\0').getBytes(StandardCharsets.UTF_8);
            int mask = slots.length - 1;
            for (int slot = hash(key, 0) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
                if (sameName(slots[slot] - 1, key, 0)) {
                    return slots[slot];
                }
            }
            return 0;
        }

        /** Whether the type of {@code index} is named by the NUL-terminated bytes at {@code start} of {@code array}. */
        private boolean sameName(int index, byte[] array, int start) {
            long offset = u32(typeOffsets[index] + TYPE_NAME_OFF);
            byte[] other = stringArray(offset);
            int from = stringStart(offset);
            if (other == array && from == start) {
                return true; // pahole and the kernel store each name once
            }
            for (int i = 0; ; i++) {
                byte b = other[from + i];
                if (b != array[start + i]) {
                    return false;
                }
                if (b == 0) {
                    return true;
                }
            }
        }

        /** FNV-1a over a NUL-terminated string. */
        private static int hash(byte[] array, int start) {
            int hash = 0x811c9dc5;
            for (int i = start; array[i] != 0; i++) {
                hash = (hash ^ (array[i] & 0xff)) * 0x01000193;
            }
            return hash ^ hash >>> 16;
        }
    }

    private NameIndex names() {
        NameIndex index = names;
        if (index == null) {
            synchronized (this) {
                index = names;
                if (index == null) {
                    index = new NameIndex();
                    names = index;
                }
            }
        }
        return index;
    }

    /**
     * The type {@code id} stands for, through typedefs, {@code const}, {@code volatile}, {@code restrict}
     * and type tags (ends: chains that loop were refused when the BTF was read).
     */
    public BtfType resolve(int id) {
        BtfType type = type(id);
        while (true) {
            switch (type) {
                case BtfType.Typedef t -> type = type(t.type());
                case BtfType.Modifier m -> type = type(m.type());
                case BtfType.TypeTag t -> type = type(t.type());
                default -> {
                    return type;
                }
            }
        }
    }

    /**
     * The size in bytes of the type {@code id} stands for: an array's is its count times its
     * element's, a pointer's the size of {@code long}. Never a format error: sizes were computed, and
     * checked to fit BTF's 32-bit sizes, when the BTF was read.
     *
     * @throws IllegalArgumentException for an id out of range, and for a type that has no size: void, a
     *     function or prototype, a forward declaration, a variable or tag, an array of such, and a
     *     pointer in BTF that names no {@code long}
     */
    public long sizeOf(int id) {
        if (id > 0 && id < firstId) {
            return base.sizeOf(id);
        }
        BtfType type = type(id);
        long size = id == 0 ? NO_SIZE : sizes[id - firstId];
        if (size == NO_SIZE) {
            throw new IllegalArgumentException(source + ": type [" + id + "] " + type.kind() + " '" + type.name()
                    + "' has no size");
        }
        return size;
    }

    /**
     * The member at {@code path} ("a.b.c": member names, each in the struct or union the one before it
     * is, through typedefs and qualifiers), searching anonymous struct and union members as C does,
     * so that a member of an anonymous union is found by its own name. Empty when the path leads
     * nowhere, or through a member that is no struct or union.
     *
     * @throws IllegalArgumentException for a path with an empty name in it
     */
    public Optional<Field> field(BtfType composite, String path) {
        String[] names = path.split("\\.", -1);
        for (String name : names) {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("member path '" + path + "' has an empty name in it");
            }
        }
        long bitOffset = 0;
        BtfType current = composite;
        Member member = null;
        for (String name : names) {
            if (!(resolve(current.id()) instanceof Composite outer)) {
                return Optional.empty();
            }
            Optional<Located> found = member(outer, name);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            member = found.get().member();
            bitOffset += found.get().bitOffset();
            current = type(member.type());
        }
        return Optional.of(new Field(path, bitOffset, member.bitfieldSize(), member.type()));
    }

    /** The struct, else the union, named {@code structName}, and the member at {@code path} in it. */
    public Optional<Field> field(String structName, String path) {
        return find(structName, BtfKind.STRUCT).or(() -> find(structName, BtfKind.UNION))
                .flatMap(composite -> field(composite, path));
    }

    /** A member found, with its bit offset from the start of the struct the search began in. */
    private record Located(Member member, long bitOffset) {}

    /** A struct or union being searched, from its {@code next} member, at {@code bitOffset} in the outermost. */
    private static final class Scope {
        final int id;
        final List<Member> members;
        final long bitOffset;
        int next;

        Scope(Composite composite, long bitOffset) {
            this.id = composite.id();
            this.members = composite.members();
            this.bitOffset = bitOffset;
        }
    }

    /**
     * The member named {@code name} of {@code composite} or of its anonymous members, in declaration
     * order, depth first as C looks names up (an explicit stack: hostile BTF may nest deeply). Each
     * struct or union is searched once: one that did not hold the name is not entered again, so BTF
     * whose anonymous members share types (a DAG, not a cycle) costs its number of types, not paths.
     */
    private Optional<Located> member(Composite composite, String name) {
        Deque<Scope> scopes = new ArrayDeque<>();
        Set<Integer> searched = new HashSet<>();
        scopes.push(new Scope(composite, 0));
        while (!scopes.isEmpty()) {
            Scope scope = scopes.peek();
            if (scope.next == scope.members.size()) {
                searched.add(scopes.pop().id);
                continue;
            }
            Member member = scope.members.get(scope.next++);
            if (member.name().equals(name)) {
                return Optional.of(new Located(member, scope.bitOffset + member.bitOffset()));
            }
            if (member.name().isEmpty() && resolve(member.type()) instanceof Composite anonymous
                    && !searched.contains(anonymous.id())) {
                scopes.push(new Scope(anonymous, scope.bitOffset + member.bitOffset()));
            }
        }
        return Optional.empty();
    }

    /** The constants of the enum (32- or 64-bit) named {@code enumName}. */
    public Optional<List<Enumerator>> enumerators(String enumName) {
        return find(enumName, BtfKind.ENUM).or(() -> find(enumName, BtfKind.ENUM64))
                .map(type -> ((BtfType.Enum) type).values());
    }
}
