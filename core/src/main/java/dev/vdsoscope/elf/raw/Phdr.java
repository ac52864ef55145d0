package dev.vdsoscope.elf.raw;

/**
 * The layout of {@code ElfN_Phdr}: a program header (p_flags is second in the 64-bit layout, seventh in the 32-bit one). Each member is a typed field named as in
 * {@code <elf.h>}, so that a misspelt member is a compile error, not a lookup that fails at run time.
 */
public final class Phdr extends RawStruct {
    public final Field p_type,
            p_flags,
            p_offset,
            p_vaddr,
            p_paddr,
            p_filesz,
            p_memsz,
            p_align;

    Phdr(String cName, Member... members) {
        super(cName, members);
        p_type = field("p_type");
        p_flags = field("p_flags");
        p_offset = field("p_offset");
        p_vaddr = field("p_vaddr");
        p_paddr = field("p_paddr");
        p_filesz = field("p_filesz");
        p_memsz = field("p_memsz");
        p_align = field("p_align");
    }
}
