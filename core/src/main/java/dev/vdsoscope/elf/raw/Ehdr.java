package dev.vdsoscope.elf.raw;

/**
 * The layout of {@code ElfN_Ehdr}: the file header. Each member is a typed field named as in
 * {@code <elf.h>}, so that a misspelt member is a compile error, not a lookup that fails at run time.
 */
public final class Ehdr extends RawStruct {
    public final Field e_ident,
            e_type,
            e_machine,
            e_version,
            e_entry,
            e_phoff,
            e_shoff,
            e_flags,
            e_ehsize,
            e_phentsize,
            e_phnum,
            e_shentsize,
            e_shnum,
            e_shstrndx;

    Ehdr(String cName, Member... members) {
        super(cName, members);
        e_ident = field("e_ident");
        e_type = field("e_type");
        e_machine = field("e_machine");
        e_version = field("e_version");
        e_entry = field("e_entry");
        e_phoff = field("e_phoff");
        e_shoff = field("e_shoff");
        e_flags = field("e_flags");
        e_ehsize = field("e_ehsize");
        e_phentsize = field("e_phentsize");
        e_phnum = field("e_phnum");
        e_shentsize = field("e_shentsize");
        e_shnum = field("e_shnum");
        e_shstrndx = field("e_shstrndx");
    }
}
