package dev.vdsoscope.elf.raw;

/**
 * The layout of {@code ElfN_Sym}: a symbol (ordered differently in the two classes). Each member is a typed field named as in
 * {@code <elf.h>}, so that a misspelt member is a compile error, not a lookup that fails at run time.
 */
public final class Sym extends RawStruct {
    public final Field st_name,
            st_info,
            st_other,
            st_shndx,
            st_value,
            st_size;

    Sym(String cName, Member... members) {
        super(cName, members);
        st_name = field("st_name");
        st_info = field("st_info");
        st_other = field("st_other");
        st_shndx = field("st_shndx");
        st_value = field("st_value");
        st_size = field("st_size");
    }
}
