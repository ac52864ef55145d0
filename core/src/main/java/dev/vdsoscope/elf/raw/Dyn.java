package dev.vdsoscope.elf.raw;

/**
 * The layout of {@code ElfN_Dyn}: a dynamic-table entry. Each member is a typed field named as in
 * {@code <elf.h>}, so that a misspelt member is a compile error, not a lookup that fails at run time.
 *
 * <p>{@code d_val} is the C member {@code d_un.d_val} (the union's value view; {@code d_ptr} has the same place).
 */
public final class Dyn extends RawStruct {
    public final Field d_tag,
            d_val;

    Dyn(String cName, Member... members) {
        super(cName, members);
        d_tag = field("d_tag");
        d_val = field("d_un.d_val");
    }
}
