package dev.vdsoscope.btf;

import static dev.vdsoscope.btf.BtfWriter.bitfield;
import static dev.vdsoscope.btf.BtfWriter.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import dev.vdsoscope.btf.BtfType.Member;

/** The reader on BTF written by {@link BtfWriter}: every kind, in both byte orders, split on a base. */
class BtfReaderTest {
    /** One blob with every kind, and the ids the tests look at. */
    static final class Sample {
        final BtfWriter w = new BtfWriter();
        final int u32 = w.integer("unsigned int", 4, 0, 0, 32);
        final int s32 = w.integer("int", 4, 1, 0, 32);
        final int longType = w.integer("long int", 8, 1, 0, 64);
        final int charType = w.integer("char", 1, 2, 0, 8);
        final int boolType = w.integer("_Bool", 1, 4, 0, 8);
        final int u32Typedef = w.typedef("u32", u32);
        final int constU32 = w.modifier(BtfKind.CONST, u32Typedef);
        final int volatileConst = w.modifier(BtfKind.VOLATILE, constU32);
        final int tagged = w.typeTag("user", volatileConst);
        final int restrictPtr = w.modifier(BtfKind.RESTRICT, w.pointer(charType));
        final int inner = w.struct("inner", 8, member("a", s32, 0), member("b", tagged, 32));
        final int innerTypedef = w.typedef("inner_t", inner);
        final int array = w.array(u32Typedef, u32, 3);
        final int matrix = w.array(array, u32, 2);
        final int s16 = w.integer("short", 2, 1, 0, 16);
        final int anonStruct = w.struct("", 4, member("lo", s16, 0), member("hi", s16, 16));
        final int anonUnion = w.union("", 8, member("whole", longType, 0), member("", anonStruct, 0));
        final int bits = w.composite(BtfKind.STRUCT, "bits", 4, true, bitfield("x", u32, 0, 3),
                bitfield("y", s32, 3, 5), bitfield("z", u32, 8, 0));
        final int outer = w.struct("outer", 56, member("c", charType, 0), member("in", innerTypedef, 32),
                member("", anonUnion, 128), member("m", matrix, 192), member("next", 0, 384));
        final int fwdStruct = w.fwd("later", false);
        final int fwdUnion = w.fwd("later_u", true);
        final int colors = w.enum32("color", true, "RED", 0, "BLUE", -5);
        final int flags = w.enum32("flags", false, "HIGH", 0xfffffffeL);
        final int big = w.enum64("big", false, "ALL", -1L, "HUGE", 0x123456789aL);
        final int signedBig = w.enum64("sbig", true, "MIN", Long.MIN_VALUE);
        final int proto = w.funcProto(s32, "x", u32, "", 0);
        final int func = w.func("f", proto, 1);
        final int var = w.var("counter", u32, 1);
        final int datasec = w.datasec(".data", 8, new int[] {var, 0, 4});
        final int floating = w.floating("double", 8);
        final int declTag = w.declTag("kfunc", func, -1);
        final int memberTag = w.declTag("ptr", outer, 1);
        final int outerPtr = w.pointer(outer);

        Sample() {
            // outer's last member, "next", points to outer: an id known only now (word 3 + 4 * 3 + 1).
            w.setWord(outer, 3 + 4 * 3 + 1, outerPtr);
        }

        byte[] bytes(ByteOrder order) {
            return w.bytes(order);
        }

        Btf read() throws BtfFormatException {
            return Btf.read("sample", ByteBuffer.wrap(bytes(ByteOrder.LITTLE_ENDIAN)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Order.class)
    void everyKindReadsBackInEitherByteOrder(Order order) throws BtfFormatException {
        Sample s = new Sample();
        Btf btf = Btf.read("sample", ByteBuffer.wrap(s.bytes(order.order)));

        assertThat(btf.byteOrder()).isEqualTo(order.order);
        assertThat(btf.typeCount()).isEqualTo(s.outerPtr);
        assertThat(btf.type(s.s32)).isEqualTo(new BtfType.Int(s.s32, "int", 4, EnumSet.of(BtfIntEncoding.BTF_INT_SIGNED), 0, 32));
        assertThat(btf.type(s.charType)).isEqualTo(new BtfType.Int(s.charType, "char", 1, EnumSet.of(BtfIntEncoding.BTF_INT_CHAR), 0, 8));
        assertThat(((BtfType.Int) btf.type(s.boolType)).encoding()).containsExactly(BtfIntEncoding.BTF_INT_BOOL);
        assertThat(((BtfType.Int) btf.type(s.u32)).encoding()).isEmpty();
        assertThat(btf.type(s.u32Typedef)).isEqualTo(new BtfType.Typedef(s.u32Typedef, "u32", s.u32));
        assertThat(btf.type(s.constU32)).isEqualTo(new BtfType.Modifier(s.constU32, "", BtfKind.CONST, s.u32Typedef));
        assertThat(btf.type(s.volatileConst).kind()).isEqualTo(BtfKind.VOLATILE);
        assertThat(btf.type(s.tagged)).isEqualTo(new BtfType.TypeTag(s.tagged, "user", s.volatileConst, false));
        assertThat(btf.type(s.restrictPtr).kind()).isEqualTo(BtfKind.RESTRICT);
        assertThat(btf.type(s.array)).isEqualTo(new BtfType.Array(s.array, "", s.u32Typedef, s.u32, 3));
        assertThat(btf.type(s.inner)).isEqualTo(new BtfType.Composite(s.inner, "inner", BtfKind.STRUCT, 8,
                List.of(new Member("a", s.s32, 0, 0), new Member("b", s.tagged, 32, 0))));
        assertThat(((BtfType.Composite) btf.type(s.anonUnion)).isUnion()).isTrue();
        assertThat(((BtfType.Composite) btf.type(s.bits)).members()).containsExactly(new Member("x", s.u32, 0, 3),
                new Member("y", s.s32, 3, 5), new Member("z", s.u32, 8, 0));
        assertThat(btf.type(s.fwdStruct)).isEqualTo(new BtfType.Fwd(s.fwdStruct, "later", false));
        assertThat(btf.type(s.fwdUnion)).isEqualTo(new BtfType.Fwd(s.fwdUnion, "later_u", true));
        assertThat(btf.type(s.colors)).isEqualTo(new BtfType.Enum(s.colors, "color", BtfKind.ENUM, 4, true,
                List.of(new Enumerator("RED", 0), new Enumerator("BLUE", -5))));
        assertThat(btf.enumerators("flags")).contains(List.of(new Enumerator("HIGH", 0xfffffffeL)));
        assertThat(btf.type(s.big)).isEqualTo(new BtfType.Enum(s.big, "big", BtfKind.ENUM64, 8, false,
                List.of(new Enumerator("ALL", -1L), new Enumerator("HUGE", 0x123456789aL))));
        assertThat(Long.toUnsignedString(btf.enumerators("big").orElseThrow().get(0).value())).isEqualTo("18446744073709551615");
        assertThat(btf.enumerators("sbig")).contains(List.of(new Enumerator("MIN", Long.MIN_VALUE)));
        assertThat(btf.type(s.proto)).isEqualTo(new BtfType.FuncProto(s.proto, "", s.s32,
                List.of(new BtfType.Param("x", s.u32), new BtfType.Param("", 0))));
        assertThat(btf.type(s.func)).isEqualTo(new BtfType.Func(s.func, "f", s.proto, BtfFuncLinkage.BTF_FUNC_GLOBAL));
        assertThat(btf.type(s.var)).isEqualTo(new BtfType.Var(s.var, "counter", s.u32, BtfVarLinkage.BTF_VAR_GLOBAL_ALLOCATED));
        assertThat(btf.type(s.datasec)).isEqualTo(new BtfType.Datasec(s.datasec, ".data", 8,
                List.of(new BtfType.VarSecinfo(s.var, 0, 4))));
        assertThat(btf.type(s.floating)).isEqualTo(new BtfType.Float(s.floating, "double", 8));
        assertThat(btf.type(s.declTag)).isEqualTo(new BtfType.DeclTag(s.declTag, "kfunc", s.func, -1, false));
        assertThat(btf.type(s.memberTag)).isEqualTo(new BtfType.DeclTag(s.memberTag, "ptr", s.outer, 1, false));
        assertThat(btf.type(s.outerPtr)).isEqualTo(new BtfType.Ptr(s.outerPtr, "", s.outer));
        assertThat(btf.type(0)).isEqualTo(new BtfType.Void());

        Set<BtfKind> kinds = EnumSet.noneOf(BtfKind.class);
        for (int id = 0; id <= btf.typeCount(); id++) {
            kinds.add(btf.type(id).kind());
        }
        assertThat(kinds).containsExactlyInAnyOrder(BtfKind.values());
    }

    enum Order {
        LITTLE(ByteOrder.LITTLE_ENDIAN), BIG(ByteOrder.BIG_ENDIAN);

        final ByteOrder order;

        Order(ByteOrder order) {
            this.order = order;
        }
    }

    @Test
    void kindsPrintTheirCNames() {
        assertThat(BtfKind.STRUCT).hasToString("BTF_KIND_STRUCT");
        assertThat(BtfKind.FUNC_PROTO.cName()).isEqualTo("BTF_KIND_FUNC_PROTO");
        assertThat(BtfKind.ENUM64.value()).isEqualTo(19);
    }

    @Test
    void resolveAndSizeOfGoThroughAliasesAndArrays() throws BtfFormatException {
        Sample s = new Sample();
        Btf btf = s.read();

        assertThat(btf.resolve(s.tagged).id()).isEqualTo(s.u32);
        assertThat(btf.resolve(s.innerTypedef).id()).isEqualTo(s.inner);
        assertThat(btf.resolve(s.restrictPtr).kind()).isEqualTo(BtfKind.PTR);
        assertThat(btf.resolve(s.u32).id()).isEqualTo(s.u32);
        assertThat(btf.sizeOf(s.tagged)).isEqualTo(4);
        assertThat(btf.sizeOf(s.array)).isEqualTo(12);
        assertThat(btf.sizeOf(s.matrix)).isEqualTo(24);
        assertThat(btf.sizeOf(s.innerTypedef)).isEqualTo(8);
        assertThat(btf.pointerSize()).isEqualTo(8);
        assertThat(btf.sizeOf(s.outerPtr)).isEqualTo(8);
        assertThat(btf.sizeOf(s.big)).isEqualTo(8);
        for (int sizeless : List.of(0, s.func, s.proto, s.fwdStruct, s.var, s.declTag)) {
            assertThatThrownBy(() -> btf.sizeOf(sizeless)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("has no size");
        }
        assertThatThrownBy(() -> btf.type(btf.typeCount() + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no type [" + (btf.typeCount() + 1) + "]");
        assertThatThrownBy(() -> btf.type(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fieldsAreFoundThroughTypedefsAndAnonymousMembers() throws BtfFormatException {
        Sample s = new Sample();
        Btf btf = s.read();

        assertThat(btf.field("outer", "c")).contains(new Field("c", 0, 0, s.charType));
        assertThat(btf.field("outer", "in.b")).contains(new Field("in.b", 64, 0, s.tagged));
        assertThat(btf.field("outer", "in.b").orElseThrow().byteOffset()).isEqualTo(8);
        // whole is in an anonymous union at bit 128; hi in an anonymous struct inside it, 16 bits on.
        assertThat(btf.field("outer", "whole").orElseThrow().bitOffset()).isEqualTo(128);
        assertThat(btf.field("outer", "hi").orElseThrow().bitOffset()).isEqualTo(144);
        assertThat(btf.field("outer", "next")).contains(new Field("next", 384, 0, s.outerPtr));
        assertThat(btf.field("outer", "next.c")).as("a pointer is not followed").isEmpty();
        assertThat(btf.field("outer", "nothing")).isEmpty();
        assertThat(btf.field("outer", "c.deeper")).isEmpty();
        assertThat(btf.field("no_such_struct", "c")).isEmpty();
        assertThat(btf.field("bits", "y")).contains(new Field("y", 3, 5, s.s32));
        assertThat(btf.field("bits", "y").orElseThrow().isBitfield()).isTrue();
        assertThat(btf.field(btf.type(s.innerTypedef), "b").orElseThrow().bitOffset()).isEqualTo(32);
        assertThatThrownBy(() -> btf.field("outer", "in..b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void splitBtfContinuesItsBasesIdsAndStrings() throws BtfFormatException {
        Sample s = new Sample();
        Btf base = s.read();
        BtfWriter w = BtfWriter.split(base.typeCount(), s.w.stringBytes());
        // A name the base holds is named by the base's offset; new names follow the base's strings.
        int reused = w.rawInfo(s.w.name("u32"), BtfKind.TYPEDEF.value() << 24, s.u32);
        int module = w.struct("module_state", 16, member("in", s.innerTypedef, 0), member("count", reused, 64));
        int moduleEnum = w.enum32("module_mode", false, "MODE_OFF", 0, "MODE_ON", 1);
        Btf split = Btf.readSplit("module", ByteBuffer.wrap(w.bytes()), base);

        assertThat(split.base()).containsSame(base);
        assertThat(split.firstOwnId()).isEqualTo(base.typeCount() + 1);
        assertThat(split.typeCount()).isEqualTo(base.typeCount() + 3);
        assertThat(split.type(s.inner)).isEqualTo(base.type(s.inner));
        assertThat(split.type(reused)).isEqualTo(new BtfType.Typedef(reused, "u32", s.u32));
        assertThat(split.findAll("u32")).extracting(BtfType::id).containsExactly(s.u32Typedef, reused);
        assertThat(split.find("inner", BtfKind.STRUCT).map(BtfType::id)).contains(s.inner);
        assertThat(split.field("module_state", "in.b")).contains(new Field("in.b", 32, 0, s.tagged));
        assertThat(split.field("module_state", "count").orElseThrow().bitOffset()).isEqualTo(64);
        assertThat(split.sizeOf(module)).isEqualTo(16);
        assertThat(split.sizeOf(s.matrix)).isEqualTo(24);
        assertThat(split.resolve(reused).id()).isEqualTo(s.u32);
        assertThat(split.enumerators("module_mode").orElseThrow()).extracting(Enumerator::name)
                .containsExactly("MODE_OFF", "MODE_ON");
        assertThat(split.pointerSize()).as("from the base's long").isEqualTo(8);
        assertThat(split.type(moduleEnum).name()).isEqualTo("module_mode");
    }
}
