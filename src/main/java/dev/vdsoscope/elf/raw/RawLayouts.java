package dev.vdsoscope.elf.raw;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemoryLayout;

/**
 * The on-disk layouts of the ELF structures, exactly as {@code <elf.h>} declares them. Nothing here
 * interprets a value: that is the job of the views in {@code dev.vdsoscope.elf}.
 */
public final class RawLayouts {
    private RawLayouts() {}

    private static MemoryLayout u8(String n) { return JAVA_BYTE.withName(n); }
    private static MemoryLayout u16(String n) { return JAVA_SHORT_UNALIGNED.withName(n); }
    private static MemoryLayout u32(String n) { return JAVA_INT_UNALIGNED.withName(n); }
    private static MemoryLayout u64(String n) { return JAVA_LONG_UNALIGNED.withName(n); }

    /** e_ident is the same for both classes; the rest of the header depends on the word size. */
    private static MemoryLayout ident() {
        return structLayout(
                sequenceLayout(4, JAVA_BYTE).withName("ei_mag"), u8("ei_class"), u8("ei_data"),
                u8("ei_version"), u8("ei_osabi"), u8("ei_abiversion"), paddingLayout(7));
    }

    public static final RawStruct ELF32_EHDR = new RawStruct(structLayout(
            ident().withName("e_ident"), u16("e_type"), u16("e_machine"), u32("e_version"),
            u32("e_entry"), u32("e_phoff"), u32("e_shoff"), u32("e_flags"), u16("e_ehsize"),
            u16("e_phentsize"), u16("e_phnum"), u16("e_shentsize"), u16("e_shnum"),
            u16("e_shstrndx")).withName("Elf32_Ehdr"));

    public static final RawStruct ELF64_EHDR = new RawStruct(structLayout(
            ident().withName("e_ident"), u16("e_type"), u16("e_machine"), u32("e_version"),
            u64("e_entry"), u64("e_phoff"), u64("e_shoff"), u32("e_flags"), u16("e_ehsize"),
            u16("e_phentsize"), u16("e_phnum"), u16("e_shentsize"), u16("e_shnum"),
            u16("e_shstrndx")).withName("Elf64_Ehdr"));

    public static final RawStruct ELF32_PHDR = new RawStruct(structLayout(
            u32("p_type"), u32("p_offset"), u32("p_vaddr"), u32("p_paddr"), u32("p_filesz"),
            u32("p_memsz"), u32("p_flags"), u32("p_align")).withName("Elf32_Phdr"));

    public static final RawStruct ELF64_PHDR = new RawStruct(structLayout(
            u32("p_type"), u32("p_flags"), u64("p_offset"), u64("p_vaddr"), u64("p_paddr"),
            u64("p_filesz"), u64("p_memsz"), u64("p_align")).withName("Elf64_Phdr"));

    public static final RawStruct ELF32_SHDR = new RawStruct(structLayout(
            u32("sh_name"), u32("sh_type"), u32("sh_flags"), u32("sh_addr"), u32("sh_offset"),
            u32("sh_size"), u32("sh_link"), u32("sh_info"), u32("sh_addralign"),
            u32("sh_entsize")).withName("Elf32_Shdr"));

    public static final RawStruct ELF64_SHDR = new RawStruct(structLayout(
            u32("sh_name"), u32("sh_type"), u64("sh_flags"), u64("sh_addr"), u64("sh_offset"),
            u64("sh_size"), u32("sh_link"), u32("sh_info"), u64("sh_addralign"),
            u64("sh_entsize")).withName("Elf64_Shdr"));

    public static final RawStruct ELF32_SYM = new RawStruct(structLayout(
            u32("st_name"), u32("st_value"), u32("st_size"), u8("st_info"), u8("st_other"),
            u16("st_shndx")).withName("Elf32_Sym"));

    public static final RawStruct ELF64_SYM = new RawStruct(structLayout(
            u32("st_name"), u8("st_info"), u8("st_other"), u16("st_shndx"), u64("st_value"),
            u64("st_size")).withName("Elf64_Sym"));

    public static final RawStruct ELF32_DYN = new RawStruct(structLayout(
            u32("d_tag"), u32("d_val")).withName("Elf32_Dyn"));

    public static final RawStruct ELF64_DYN = new RawStruct(structLayout(
            u64("d_tag"), u64("d_val")).withName("Elf64_Dyn"));

    /** The note header is 32-bit words in both classes (the ELF64 gABI said 64, nobody does it). */
    public static final RawStruct NHDR = new RawStruct(structLayout(
            u32("n_namesz"), u32("n_descsz"), u32("n_type")).withName("Elf_Nhdr"));

    /** Symbol-versioning structures have the same layout in both classes. */
    public static final RawStruct VERDEF = new RawStruct(structLayout(
            u16("vd_version"), u16("vd_flags"), u16("vd_ndx"), u16("vd_cnt"), u32("vd_hash"),
            u32("vd_aux"), u32("vd_next")).withName("Elf_Verdef"));

    public static final RawStruct VERDAUX = new RawStruct(structLayout(
            u32("vda_name"), u32("vda_next")).withName("Elf_Verdaux"));

    public static final RawStruct VERNEED = new RawStruct(structLayout(
            u16("vn_version"), u16("vn_cnt"), u32("vn_file"), u32("vn_aux"),
            u32("vn_next")).withName("Elf_Verneed"));

    public static final RawStruct VERNAUX = new RawStruct(structLayout(
            u32("vna_hash"), u16("vna_flags"), u16("vna_other"), u32("vna_name"),
            u32("vna_next")).withName("Elf_Vernaux"));

    /** Byte offsets inside e_ident, shared by both classes. */
    public static final int EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6, EI_OSABI = 7,
            EI_ABIVERSION = 8, EI_NIDENT = 16;
}
