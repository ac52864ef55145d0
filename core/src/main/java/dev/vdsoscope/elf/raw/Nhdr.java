package dev.vdsoscope.elf.raw;

/**
 * The layout of {@code Elf_Nhdr}: a note header (32-bit words in both classes). Each member is a typed field named as in
 * {@code <elf.h>}, so that a misspelt member is a compile error, not a lookup that fails at run time.
 */
public final class Nhdr extends RawStruct {
    public final Field n_namesz,
            n_descsz,
            n_type;

    Nhdr(String cName, Member... members) {
        super(cName, members);
        n_namesz = field("n_namesz");
        n_descsz = field("n_descsz");
        n_type = field("n_type");
    }
}
