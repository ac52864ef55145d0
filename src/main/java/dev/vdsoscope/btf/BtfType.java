package dev.vdsoscope.btf;

import java.util.List;
import java.util.Set;

/**
 * One type of a BTF type section, a record per kind. Types refer to each other by id ({@code int}):
 * {@link Btf#type(int)} gives the type of an id, and id 0 is {@link Void}.
 */
public sealed interface BtfType {
    /** The type's id: 1 for the first type of a base BTF, the base's count plus 1 for a split BTF's first. */
    int id();

    /** The kind: fixed by the record, except for those that hold it (struct or union, enum or enum64, the modifiers). */
    default BtfKind kind() {
        return switch (this) {
            case Void v -> BtfKind.UNKN;
            case Int i -> BtfKind.INT;
            case Ptr p -> BtfKind.PTR;
            case Array a -> BtfKind.ARRAY;
            case Composite c -> c.kind();
            case Enum e -> e.kind();
            case Fwd f -> BtfKind.FWD;
            case Typedef t -> BtfKind.TYPEDEF;
            case Modifier m -> m.kind();
            case Func f -> BtfKind.FUNC;
            case FuncProto f -> BtfKind.FUNC_PROTO;
            case Var v -> BtfKind.VAR;
            case Datasec d -> BtfKind.DATASEC;
            case Float f -> BtfKind.FLOAT;
            case DeclTag d -> BtfKind.DECL_TAG;
            case TypeTag t -> BtfKind.TYPE_TAG;
        };
    }

    /** The name, "" for an anonymous type (the kernel's "(anon)"). */
    String name();

    /** Type id 0: {@code void}, which no type section holds. */
    record Void() implements BtfType {
        @Override
        public int id() {
            return 0;
        }

        @Override
        public String name() {
            return "void";
        }
    }

    /**
     * {@code BTF_KIND_INT}: {@code size} bytes of storage, of which {@code bits} bits from {@code bitOffset}
     * hold the value.
     */
    record Int(int id, String name, long size, Set<BtfIntEncoding> encoding, int bitOffset, int bits)
            implements BtfType {
        public boolean signed() {
            return encoding.contains(BtfIntEncoding.BTF_INT_SIGNED);
        }
    }

    /** {@code BTF_KIND_PTR} to {@code type}. */
    record Ptr(int id, String name, int type) implements BtfType {}

    /** {@code BTF_KIND_ARRAY}: {@code count} elements of {@code elementType}, indexed by {@code indexType}. */
    record Array(int id, String name, int elementType, int indexType, long count) implements BtfType {}

    /** A member of a struct or union; an anonymous struct or union member has the name "". */
    record Member(String name, int type, long bitOffset, int bitfieldSize) {}

    /**
     * {@code BTF_KIND_STRUCT} or {@code BTF_KIND_UNION} of {@code size} bytes. Each member's bit offset and
     * bitfield width are as the struct's kind_flag says: with it, the offset word holds both; without
     * it, only the offset, and a bitfield is told by its integer type's bits.
     */
    record Composite(int id, String name, BtfKind kind, long size, List<Member> members) implements BtfType {
        public boolean isUnion() {
            return kind == BtfKind.UNION;
        }
    }

    /**
     * {@code BTF_KIND_ENUM} (values of 32 bits) or {@code BTF_KIND_ENUM64}; signed when kind_flag is set
     * (before kernel 6.0 BTF did not say, and enums were read as unsigned).
     */
    record Enum(int id, String name, BtfKind kind, long size, boolean signed, List<Enumerator> values)
            implements BtfType {}

    /** {@code BTF_KIND_FWD}: a struct or union declared and not defined here. */
    record Fwd(int id, String name, boolean union) implements BtfType {}

    /** {@code BTF_KIND_TYPEDEF} of {@code type}. */
    record Typedef(int id, String name, int type) implements BtfType {}

    /** {@code BTF_KIND_VOLATILE}, {@code BTF_KIND_CONST} or {@code BTF_KIND_RESTRICT} of {@code type}. */
    record Modifier(int id, String name, BtfKind kind, int type) implements BtfType {}

    /** {@code BTF_KIND_FUNC}: a function of prototype {@code proto}. */
    record Func(int id, String name, int proto, BtfFuncLinkage linkage) implements BtfType {}

    /** A parameter of a prototype; a last one with no name and type 0 stands for C's "...". */
    record Param(String name, int type) {}

    /** {@code BTF_KIND_FUNC_PROTO}: the return type (0 for void) and the parameters. */
    record FuncProto(int id, String name, int returnType, List<Param> params) implements BtfType {}

    /** {@code BTF_KIND_VAR}: a variable of {@code type}. */
    record Var(int id, String name, int type, BtfVarLinkage linkage) implements BtfType {}

    /** A variable of a data section ({@code struct btf_var_secinfo}): its VAR type, offset and size in bytes. */
    record VarSecinfo(int type, long offset, long size) {}

    /** {@code BTF_KIND_DATASEC}: an ELF section's variables, such as {@code .data..percpu}. */
    record Datasec(int id, String name, long size, List<VarSecinfo> vars) implements BtfType {}

    /** {@code BTF_KIND_FLOAT} of {@code size} bytes. */
    record Float(int id, String name, long size) implements BtfType {}

    /**
     * {@code BTF_KIND_DECL_TAG}: the string {@code name} tags {@code type}, or the member or parameter of
     * index {@code componentIndex} of it (-1 for the type itself). {@code attribute} is kind_flag: the tag
     * is a compiler attribute rather than a {@code btf_decl_tag}.
     */
    record DeclTag(int id, String name, int type, int componentIndex, boolean attribute) implements BtfType {}

    /** {@code BTF_KIND_TYPE_TAG}: {@code type} tagged with the string {@code name} ({@code __user}, {@code __rcu}). */
    record TypeTag(int id, String name, int type, boolean attribute) implements BtfType {}
}
