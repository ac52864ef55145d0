package dev.vdsoscope.btf;

/**
 * {@code BTF_KIND_*} of {@code <linux/btf.h>}: bits 24-28 of a type's {@code info} word. The constants
 * print as their C names ({@code BTF_KIND_STRUCT}); {@link #UNKN} is kind 0, which only type id 0 (void)
 * has: no type in a type section may carry it.
 */
public enum BtfKind {
    UNKN(0), INT(1), PTR(2), ARRAY(3), STRUCT(4), UNION(5), ENUM(6), FWD(7), TYPEDEF(8), VOLATILE(9), CONST(10),
    RESTRICT(11), FUNC(12), FUNC_PROTO(13), VAR(14), DATASEC(15), FLOAT(16), DECL_TAG(17), TYPE_TAG(18),
    ENUM64(19);

    /** {@code NR_BTF_KINDS}: one more than the highest kind. */
    static final int NR_BTF_KINDS = 20;

    private static final BtfKind[] BY_VALUE = values();

    private final int value;

    BtfKind(int value) {
        this.value = value;
    }

    /** The number in {@code info}. */
    public int value() {
        return value;
    }

    /** {@code BTF_KIND_} and the constant's name, as {@code <linux/btf.h>} spells it. */
    public String cName() {
        return "BTF_KIND_" + name();
    }

    @Override
    public String toString() {
        return cName();
    }

    /** The kind numbered {@code value}, or null when BTF has no such kind (0 included: it is no type's kind). */
    static BtfKind of(int value) {
        return value > 0 && value < NR_BTF_KINDS ? BY_VALUE[value] : null;
    }

    /**
     * Whether the type's third word ({@code size_type}) is the id of another type rather than a size:
     * pointers, typedefs, modifiers, tags, functions (their prototype), prototypes (their return type) and
     * variables.
     */
    boolean refersToType() {
        return switch (this) {
            case PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, FUNC, FUNC_PROTO, VAR, DECL_TAG -> true;
            default -> false;
        };
    }

    /** Whether the type is a qualifier or an alias of its type: what {@link Btf#resolve} passes through. */
    boolean isAlias() {
        return switch (this) {
            case TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG -> true;
            default -> false;
        };
    }

    /**
     * The bytes that follow a {@code struct btf_type} of this kind with {@code vlen} in its info word:
     * {@code struct btf_array}, one {@code struct btf_member} per member, and so on.
     */
    long trailingBytes(int vlen) {
        return switch (this) {
            case INT, VAR, DECL_TAG -> Integer.BYTES;
            case ARRAY -> BtfLayout.BTF_ARRAY_SIZE;
            case STRUCT, UNION -> (long) vlen * BtfLayout.BTF_MEMBER_SIZE;
            case ENUM -> (long) vlen * BtfLayout.BTF_ENUM_SIZE;
            case ENUM64 -> (long) vlen * BtfLayout.BTF_ENUM64_SIZE;
            case FUNC_PROTO -> (long) vlen * BtfLayout.BTF_PARAM_SIZE;
            case DATASEC -> (long) vlen * BtfLayout.BTF_VAR_SECINFO_SIZE;
            default -> 0;
        };
    }
}
