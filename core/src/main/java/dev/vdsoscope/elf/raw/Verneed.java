package dev.vdsoscope.elf.raw;

/**
 * The layout of {@code Elf_Verneed}: the versions needed from one file. Each member is a typed field named as in
 * {@code <elf.h>}, so that a misspelt member is a compile error, not a lookup that fails at run time.
 */
public final class Verneed extends RawStruct {
    public final Field vn_version,
            vn_cnt,
            vn_file,
            vn_aux,
            vn_next;

    Verneed(String cName, Member... members) {
        super(cName, members);
        vn_version = field("vn_version");
        vn_cnt = field("vn_cnt");
        vn_file = field("vn_file");
        vn_aux = field("vn_aux");
        vn_next = field("vn_next");
    }
}
