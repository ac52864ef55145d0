package dev.vdsoscope.elf.raw;

/**
 * The layout of {@code Elf_Verdef}: a version definition (one layout for both classes). Each member is a typed field named as in
 * {@code <elf.h>}, so that a misspelt member is a compile error, not a lookup that fails at run time.
 */
public final class Verdef extends RawStruct {
    public final Field vd_version,
            vd_flags,
            vd_ndx,
            vd_cnt,
            vd_hash,
            vd_aux,
            vd_next;

    Verdef(String cName, Member... members) {
        super(cName, members);
        vd_version = field("vd_version");
        vd_flags = field("vd_flags");
        vd_ndx = field("vd_ndx");
        vd_cnt = field("vd_cnt");
        vd_hash = field("vd_hash");
        vd_aux = field("vd_aux");
        vd_next = field("vd_next");
    }
}
