package dev.vdsoscope.btf;

/** {@code enum btf_func_linkage}: a {@code BTF_KIND_FUNC}'s linkage, held in its vlen. */
public enum BtfFuncLinkage {
    BTF_FUNC_STATIC, BTF_FUNC_GLOBAL, BTF_FUNC_EXTERN;

    /** The linkage numbered {@code value} (its ordinal, as in the C enum), or null for a number BTF does not define. */
    static BtfFuncLinkage of(long value) {
        return value >= 0 && value < values().length ? values()[(int) value] : null;
    }
}
