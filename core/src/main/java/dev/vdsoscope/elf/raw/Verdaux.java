package dev.vdsoscope.elf.raw;

/**
 * The layout of {@code Elf_Verdaux}: a version definition's name. Each member is a typed field named as in
 * {@code <elf.h>}, so that a misspelt member is a compile error, not a lookup that fails at run time.
 */
public final class Verdaux extends RawStruct {
    public final Field vda_name,
            vda_next;

    Verdaux(String cName, Member... members) {
        super(cName, members);
        vda_name = field("vda_name");
        vda_next = field("vda_next");
    }
}
