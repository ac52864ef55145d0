package dev.vdsoscope.btf;

import static dev.vdsoscope.btf.BtfWriter.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile BTF: each damage gets a BtfFormatException that names the input and the offset of the
 * structure at fault, and never another exception, a loop or an allocation the blob sized.
 */
class BtfHostileTest {
    private static final int FIRST_TYPE = BtfWriter.HEADER_SIZE;

    /** A small valid blob: int, a struct of it, a typedef of the struct. */
    private static BtfWriter small() {
        BtfWriter w = new BtfWriter();
        int s32 = w.integer("int", 4, 1, 0, 32);
        int struct = w.struct("pair", 8, member("a", s32, 0), member("b", s32, 32));
        w.typedef("pair_t", struct);
        return w;
    }

    private static void refused(byte[] blob, long offset, String problem) {
        refused(() -> Btf.read("hostile.btf", ByteBuffer.wrap(blob)), offset, problem);
    }

    private static void refused(ThrowingCallable read, long offset, String problem) {
        assertThatThrownBy(read).isInstanceOfSatisfying(BtfFormatException.class, e -> {
            assertThat(e.problem()).contains(problem);
            assertThat(e.offset()).isEqualTo(offset);
            assertThat(e.getMessage()).startsWith(e.source() + ": ").doesNotContain("\n");
            if (offset >= 0) {
                assertThat(e.getMessage()).endsWith("(at offset 0x" + Long.toHexString(offset) + ")");
            }
        });
    }

    private static byte[] patched(int at, int value) {
        return BtfWriter.patch(small().bytes(), at, value);
    }

    @Test
    void theValidBlobReads() throws BtfFormatException {
        assertThat(Btf.read("small", ByteBuffer.wrap(small().bytes())).typeCount()).isEqualTo(3);
    }

    @Test
    void header() {
        refused(Arrays.copyOf(small().bytes(), 10), 10, "truncated header: 10 bytes");
        refused(new byte[0], 0, "truncated header: 0 bytes");
        byte[] magic = small().bytes();
        magic[0] = 0x7f;
        refused(magic, 0, "no BTF magic 0xeb9f");
        byte[] version = small().bytes();
        version[2] = 2;
        refused(version, 2, "BTF version 2");
        byte[] flags = small().bytes();
        flags[3] = 1;
        refused(flags, 3, "header flags 0x1");
        refused(patched(BtfWriter.HDR_LEN, 12), BtfWriter.HDR_LEN, "hdr_len 12 is not between");
        refused(patched(BtfWriter.HDR_LEN, 0x7fffffff), BtfWriter.HDR_LEN, "hdr_len 2147483647");
    }

    @Test
    void sectionsPastTheEndOrOverlapping() {
        refused(patched(BtfWriter.TYPE_LEN, 0xfffffff0), BtfWriter.TYPE_OFF, "type section (bytes 24 to ");
        refused(patched(BtfWriter.TYPE_OFF, 0xffffffff), BtfWriter.TYPE_OFF, "reaches past the end");
        refused(patched(BtfWriter.STR_OFF, 0x40000000), BtfWriter.STR_OFF, "string section");
        refused(patched(BtfWriter.STR_LEN, 0xffffffff), BtfWriter.STR_OFF, "string section");
        refused(patched(BtfWriter.STR_OFF, 4), BtfWriter.STR_OFF, "overlap");
        refused(patched(BtfWriter.TYPE_OFF, 2), BtfWriter.TYPE_OFF, "not 4-byte aligned");
    }

    @Test
    void strings() {
        BtfWriter w = small();
        byte[] unterminated = w.bytes();
        unterminated[unterminated.length - 1] = 'x';
        refused(unterminated, unterminated.length - 1, "does not end with a NUL");
        byte[] noEmptyName = w.bytes();
        int strings = noEmptyName.length - w.stringBytes();
        noEmptyName[strings] = 'x';
        refused(noEmptyName, strings, "does not start with the empty name");
        refused(patched(BtfWriter.STR_LEN, 0), BtfWriter.STR_LEN, "empty string section");
        refused(patched(FIRST_TYPE, 0x10000), FIRST_TYPE, "type [1] names string offset 65536, past the end");
        int member = FIRST_TYPE + 16 + 12;
        refused(patched(member, w.stringBytes()), member, "type [2] names string offset " + w.stringBytes());
    }

    @Test
    void typesCutOffOrOfUnknownKind() {
        BtfWriter w = small();
        byte[] blob = w.bytes();
        int typeLen = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).getInt(BtfWriter.TYPE_LEN);
        byte[] cut = BtfWriter.patch(blob.clone(), BtfWriter.TYPE_LEN, typeLen - 4);
        // The strings stay where they were, so 8 of the typedef's 12 bytes are left in the type section.
        refused(cut, w.offsetOf(3), "type [3] is cut off: 8 bytes are left");
        refused(patched(FIRST_TYPE + 4, 25 << 24), FIRST_TYPE + 4, "type [1] has unknown kind 25");
        refused(patched(FIRST_TYPE + 4, 0), FIRST_TYPE + 4, "type [1] has unknown kind 0");
        refused(patched(FIRST_TYPE + 4, 1 << 24 | 1 << 20), FIRST_TYPE + 4, "with bits BTF does not define");
    }

    @Test
    void hugeVlenIsRefusedBeforeAnythingIsAllocated() {
        int struct = small().offsetOf(2);
        refused(patched(struct + 4, BtfKind.STRUCT.value() << 24 | 0xffff), struct, "STRUCT with vlen 65535 takes 786432 bytes");
        refused(patched(struct + 4, BtfKind.ENUM64.value() << 24 | 0xffff), struct, "vlen 65535");
    }

    @Test
    void typeIdsOutOfRange() {
        BtfWriter w = small();
        int typedef = w.offsetOf(3);
        refused(patched(typedef + 8, 4), typedef + 8, "type [3] refers to type [4], past the last type [3]");
        refused(patched(typedef + 8, -1), typedef + 8, "refers to type [4294967295]");
        int memberType = w.offsetOf(2) + 12 + 4;
        refused(patched(memberType, 99), memberType, "type [2] refers to type [99]");
    }

    @Test
    void valuesBtfDoesNotDefine() {
        BtfWriter funcs = new BtfWriter();
        int proto = funcs.funcProto(0);
        int func = funcs.func("f", proto, 3);
        refused(funcs.bytes(), funcs.offsetOf(func) + 4, "FUNC has linkage 3");
        BtfWriter vars = new BtfWriter();
        int var = vars.var("v", 0, 7);
        refused(vars.bytes(), vars.offsetOf(var) + 12, "VAR has linkage 7");
        BtfWriter ints = new BtfWriter();
        ints.integer("wide", 4, 0, 0, 33);
        refused(ints.bytes(), FIRST_TYPE + 12, "bits past its 4 bytes");
        BtfWriter encodings = new BtfWriter();
        encodings.integer("odd", 4, 8, 0, 32);
        refused(encodings.bytes(), FIRST_TYPE + 12, "an unknown encoding");
        BtfWriter tags = new BtfWriter();
        int tag = tags.declTag("t", 0, -2);
        refused(tags.bytes(), tags.offsetOf(tag) + 12, "component_idx -2");
    }

    @Test
    void typesThatContainThemselvesAreRefused() throws BtfFormatException {
        BtfWriter typedefs = new BtfWriter();
        int a = typedefs.typedef("a", 2);
        typedefs.modifier(BtfKind.CONST, a);
        refused(typedefs.bytes(), typedefs.offsetOf(2), "type [2] BTF_KIND_CONST holds type [1], which holds it");

        BtfWriter self = new BtfWriter();
        int loop = self.typedef("self", 1);
        refused(self.bytes(), self.offsetOf(loop), "type [1] BTF_KIND_TYPEDEF holds type [1]");

        // struct node { struct node children[2]; }: by value, through an array.
        BtfWriter structs = new BtfWriter();
        int index = structs.integer("int", 4, 1, 0, 32);
        int node = structs.struct("node", 8, member("children", 3, 0));
        structs.array(node, index, 2);
        refused(structs.bytes(), structs.offsetOf(3), "type [3] BTF_KIND_ARRAY holds type [2]");

        // The same through a pointer is a list, and fine.
        BtfWriter list = new BtfWriter();
        int next = list.struct("list", 8, member("next", 2, 0));
        list.pointer(next);
        list.integer("long", 8, 1, 0, 64);
        assertThat(read(list.bytes()).field("list", "next").orElseThrow().typeId()).isEqualTo(2);

        // Anonymous members nested 60000 deep: allowed, and searched without recursion.
        BtfWriter deep = new BtfWriter();
        int innermost = deep.struct("", 4, member("leaf", 0, 0));
        int outer = innermost;
        for (int i = 0; i < 60000; i++) {
            outer = deep.struct("", 4, member("", outer, 0));
        }
        deep.struct("deep", 4, member("", outer, 0));
        assertThat(read(deep.bytes()).field("deep", "leaf")).isPresent();
    }

    /**
     * 40 levels, each holding the level below twice as anonymous members: 2^40 paths to the bottom,
     * 41 types. A search for a name that is not there must visit each type once, not each path.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anonymousMembersSharingTypesAreSearchedOnceEach() throws BtfFormatException {
        BtfWriter w = new BtfWriter();
        int level = w.struct("", 4, member("leaf", 0, 0));
        for (int i = 0; i < 40; i++) {
            level = w.union("", 4, member("", level, 0), member("", level, 0));
        }
        w.struct("top", 4, member("", level, 0));
        Btf btf = read(w.bytes());
        assertThat(btf.field("top", "missing")).isEmpty();
        assertThat(btf.field("top", "leaf")).isPresent();
    }

    @Test
    void arraysLargerThanBtfSizesAreRefused() {
        BtfWriter w = new BtfWriter();
        int s32 = w.integer("int", 4, 1, 0, 32);
        int array = w.array(s32, s32, 0x40000000);
        refused(w.bytes(), w.offsetOf(array), "ARRAY of 1073741824 elements of 4 bytes is larger than a BTF size");
    }

    @Test
    void splitBtfIsCheckedAgainstItsBase() throws BtfFormatException {
        BtfWriter baseWriter = small();
        Btf base = read(baseWriter.bytes());
        BtfWriter split = BtfWriter.split(base.typeCount(), baseWriter.stringBytes());
        int typedef = split.typedef("far", 9);
        refused(() -> Btf.readSplit("module", ByteBuffer.wrap(split.bytes()), base), split.offsetOf(typedef) + 8,
                "type [4] refers to type [9], past the last type [4]");
        BtfWriter names = BtfWriter.split(base.typeCount(), baseWriter.stringBytes());
        int named = names.rawInfo(baseWriter.stringBytes() + 100, BtfKind.TYPEDEF.value() << 24, 1);
        refused(() -> Btf.readSplit("module", ByteBuffer.wrap(names.bytes()), base), names.offsetOf(named),
                "type [4] names string offset " + (baseWriter.stringBytes() + 100));
    }

    @Test
    void everyTruncationAndEveryByteFlipIsReadOrRefusedCleanly() {
        byte[] blob = BtfSamples.everyKind();
        for (int length = 0; length < blob.length; length++) {
            readAndAskEverything(Arrays.copyOf(blob, length));
        }
        for (int at = 0; at < blob.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = blob.clone();
                flipped[at] ^= (byte) (1 << bit);
                readAndAskEverything(flipped);
            }
        }
    }

    /** Reads the blob, and when it reads, asks every question of every type. */
    private static void readAndAskEverything(byte[] blob) {
        Btf btf;
        try {
            btf = Btf.read("damaged", ByteBuffer.wrap(blob));
        } catch (BtfFormatException expected) {
            return;
        }
        BtfSamples.askEverything(btf);
    }

    private static Btf read(byte[] blob) throws BtfFormatException {
        return Btf.read("test", ByteBuffer.wrap(blob));
    }
}
