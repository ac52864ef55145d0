package dev.vdsoscope.elf.raw;

/**
 * The layout of {@code ElfN_Shdr}: a section header. Each member is a typed field named as in
 * {@code <elf.h>}, so that a misspelt member is a compile error, not a lookup that fails at run time.
 */
public final class Shdr extends RawStruct {
    public final Field sh_name,
            sh_type,
            sh_flags,
            sh_addr,
            sh_offset,
            sh_size,
            sh_link,
            sh_info,
            sh_addralign,
            sh_entsize;

    Shdr(String cName, Member... members) {
        super(cName, members);
        sh_name = field("sh_name");
        sh_type = field("sh_type");
        sh_flags = field("sh_flags");
        sh_addr = field("sh_addr");
        sh_offset = field("sh_offset");
        sh_size = field("sh_size");
        sh_link = field("sh_link");
        sh_info = field("sh_info");
        sh_addralign = field("sh_addralign");
        sh_entsize = field("sh_entsize");
    }
}
