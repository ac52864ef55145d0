package dev.vdsoscope.elf.raw;

/**
 * The layout of {@code Elf_Vernaux}: one version needed. Each member is a typed field named as in
 * {@code <elf.h>}, so that a misspelt member is a compile error, not a lookup that fails at run time.
 */
public final class Vernaux extends RawStruct {
    public final Field vna_hash,
            vna_flags,
            vna_other,
            vna_name,
            vna_next;

    Vernaux(String cName, Member... members) {
        super(cName, members);
        vna_hash = field("vna_hash");
        vna_flags = field("vna_flags");
        vna_other = field("vna_other");
        vna_name = field("vna_name");
        vna_next = field("vna_next");
    }
}
