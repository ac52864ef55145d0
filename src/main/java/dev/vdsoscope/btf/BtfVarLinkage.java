package dev.vdsoscope.btf;

/** {@code BTF_VAR_*} of {@code enum btf_var_linkage}: a {@code BTF_KIND_VAR}'s linkage, in its {@code struct btf_var}. */
public enum BtfVarLinkage {
    BTF_VAR_STATIC, BTF_VAR_GLOBAL_ALLOCATED, BTF_VAR_GLOBAL_EXTERN;

    /** The linkage numbered {@code value} (its ordinal, as in the C enum), or null for a number BTF does not define. */
    static BtfVarLinkage of(long value) {
        return value >= 0 && value < values().length ? values()[(int) value] : null;
    }
}
