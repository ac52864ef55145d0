package dev.vdsoscope.elf.raw;

/**
 * The on-disk layouts of the ELF structures, exactly as {@code <elf.h>} declares them. Nothing here
 * interprets a value: that is the job of the views in {@code dev.vdsoscope.elf}.
 */
public final class RawLayouts {
    private RawLayouts() {}

    private static RawStruct.Member u8(String n) { return new RawStruct.Member(n, 1); }
    private static RawStruct.Member u16(String n) { return new RawStruct.Member(n, 2); }
    private static RawStruct.Member u32(String n) { return new RawStruct.Member(n, 4); }
    private static RawStruct.Member u64(String n) { return new RawStruct.Member(n, 8); }

    /** e_ident is the same for both classes (its bytes: the EI_* offsets below); the rest of the header is not. */
    private static RawStruct.Member ident() {
        return new RawStruct.Member("e_ident", EI_NIDENT);
    }

    public static final Ehdr ELF32_EHDR = new Ehdr("Elf32_Ehdr",
            ident(), u16("e_type"), u16("e_machine"), u32("e_version"),
            u32("e_entry"), u32("e_phoff"), u32("e_shoff"), u32("e_flags"), u16("e_ehsize"),
            u16("e_phentsize"), u16("e_phnum"), u16("e_shentsize"), u16("e_shnum"),
            u16("e_shstrndx"));

    public static final Ehdr ELF64_EHDR = new Ehdr("Elf64_Ehdr",
            ident(), u16("e_type"), u16("e_machine"), u32("e_version"),
            u64("e_entry"), u64("e_phoff"), u64("e_shoff"), u32("e_flags"), u16("e_ehsize"),
            u16("e_phentsize"), u16("e_phnum"), u16("e_shentsize"), u16("e_shnum"),
            u16("e_shstrndx"));

    public static final Phdr ELF32_PHDR = new Phdr("Elf32_Phdr",
            u32("p_type"), u32("p_offset"), u32("p_vaddr"), u32("p_paddr"), u32("p_filesz"),
            u32("p_memsz"), u32("p_flags"), u32("p_align"));

    public static final Phdr ELF64_PHDR = new Phdr("Elf64_Phdr",
            u32("p_type"), u32("p_flags"), u64("p_offset"), u64("p_vaddr"), u64("p_paddr"),
            u64("p_filesz"), u64("p_memsz"), u64("p_align"));

    public static final Shdr ELF32_SHDR = new Shdr("Elf32_Shdr",
            u32("sh_name"), u32("sh_type"), u32("sh_flags"), u32("sh_addr"), u32("sh_offset"),
            u32("sh_size"), u32("sh_link"), u32("sh_info"), u32("sh_addralign"),
            u32("sh_entsize"));

    public static final Shdr ELF64_SHDR = new Shdr("Elf64_Shdr",
            u32("sh_name"), u32("sh_type"), u64("sh_flags"), u64("sh_addr"), u64("sh_offset"),
            u64("sh_size"), u32("sh_link"), u32("sh_info"), u64("sh_addralign"),
            u64("sh_entsize"));

    public static final Sym ELF32_SYM = new Sym("Elf32_Sym",
            u32("st_name"), u32("st_value"), u32("st_size"), u8("st_info"), u8("st_other"),
            u16("st_shndx"));

    public static final Sym ELF64_SYM = new Sym("Elf64_Sym",
            u32("st_name"), u8("st_info"), u8("st_other"), u16("st_shndx"), u64("st_value"),
            u64("st_size"));

    public static final Dyn ELF32_DYN = new Dyn("Elf32_Dyn",
            u32("d_tag"), u32("d_un.d_val"));

    public static final Dyn ELF64_DYN = new Dyn("Elf64_Dyn",
            u64("d_tag"), u64("d_un.d_val"));

    public static final Rel ELF32_REL = new Rel("Elf32_Rel",
            u32("r_offset"), u32("r_info"));

    public static final Rel ELF64_REL = new Rel("Elf64_Rel",
            u64("r_offset"), u64("r_info"));

    public static final Rela ELF32_RELA = new Rela("Elf32_Rela",
            u32("r_offset"), u32("r_info"), u32("r_addend"));

    public static final Rela ELF64_RELA = new Rela("Elf64_Rela",
            u64("r_offset"), u64("r_info"), u64("r_addend"));

    /** The note header is 32-bit words in both classes (the ELF64 gABI said 64, nobody does it). */
    public static final Nhdr NHDR = new Nhdr("Elf_Nhdr",
            u32("n_namesz"), u32("n_descsz"), u32("n_type"));

    /** Symbol-versioning structures have the same layout in both classes. */
    public static final Verdef VERDEF = new Verdef("Elf_Verdef",
            u16("vd_version"), u16("vd_flags"), u16("vd_ndx"), u16("vd_cnt"), u32("vd_hash"),
            u32("vd_aux"), u32("vd_next"));

    public static final Verdaux VERDAUX = new Verdaux("Elf_Verdaux",
            u32("vda_name"), u32("vda_next"));

    public static final Verneed VERNEED = new Verneed("Elf_Verneed",
            u16("vn_version"), u16("vn_cnt"), u32("vn_file"), u32("vn_aux"),
            u32("vn_next"));

    public static final Vernaux VERNAUX = new Vernaux("Elf_Vernaux",
            u32("vna_hash"), u16("vna_flags"), u16("vna_other"), u32("vna_name"),
            u32("vna_next"));

    /** Byte offsets inside e_ident, shared by both classes. */
    public static final int EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6, EI_OSABI = 7,
            EI_ABIVERSION = 8, EI_NIDENT = 16;
}
