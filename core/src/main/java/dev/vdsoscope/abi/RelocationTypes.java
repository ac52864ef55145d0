package dev.vdsoscope.abi;

/**
 * The dynamic relocation types of the ABIs whose relocation glibc's ld.so is modelled for, with
 * their {@code <elf.h>} names and numbers.
 */
public final class RelocationTypes {
    private RelocationTypes() {}

    /** {@code R_X86_64_*}: x86-64 and x32. */
    public enum X86_64 {
        R_X86_64_NONE(0), R_X86_64_64(1), R_X86_64_PC32(2), R_X86_64_GOT32(3), R_X86_64_PLT32(4), R_X86_64_COPY(5),
        R_X86_64_GLOB_DAT(6), R_X86_64_JUMP_SLOT(7), R_X86_64_RELATIVE(8), R_X86_64_GOTPCREL(9), R_X86_64_32(10),
        R_X86_64_32S(11), R_X86_64_16(12), R_X86_64_PC16(13), R_X86_64_8(14), R_X86_64_PC8(15),
        R_X86_64_DTPMOD64(16), R_X86_64_DTPOFF64(17), R_X86_64_TPOFF64(18), R_X86_64_TLSGD(19),
        R_X86_64_TLSLD(20), R_X86_64_DTPOFF32(21), R_X86_64_GOTTPOFF(22), R_X86_64_TPOFF32(23), R_X86_64_PC64(24),
        R_X86_64_GOTOFF64(25), R_X86_64_GOTPC32(26), R_X86_64_GOT64(27), R_X86_64_GOTPCREL64(28),
        R_X86_64_GOTPC64(29), R_X86_64_GOTPLT64(30), R_X86_64_PLTOFF64(31), R_X86_64_SIZE32(32),
        R_X86_64_SIZE64(33), R_X86_64_GOTPC32_TLSDESC(34), R_X86_64_TLSDESC_CALL(35), R_X86_64_TLSDESC(36),
        R_X86_64_IRELATIVE(37), R_X86_64_RELATIVE64(38);

        public final int value;

        X86_64(int value) {
            this.value = value;
        }
    }

    /** {@code R_386_*}. */
    public enum I386 {
        R_386_NONE(0), R_386_32(1), R_386_PC32(2), R_386_GOT32(3), R_386_PLT32(4), R_386_COPY(5), R_386_GLOB_DAT(6),
        R_386_JMP_SLOT(7), R_386_RELATIVE(8), R_386_GOTOFF(9), R_386_GOTPC(10), R_386_32PLT(11),
        R_386_TLS_TPOFF(14), R_386_TLS_IE(15), R_386_TLS_GOTIE(16), R_386_TLS_LE(17), R_386_TLS_GD(18),
        R_386_TLS_LDM(19), R_386_16(20), R_386_PC16(21), R_386_8(22), R_386_PC8(23), R_386_TLS_GD_32(24),
        R_386_TLS_GD_PUSH(25), R_386_TLS_GD_CALL(26), R_386_TLS_GD_POP(27), R_386_TLS_LDM_32(28),
        R_386_TLS_LDM_PUSH(29), R_386_TLS_LDM_CALL(30), R_386_TLS_LDM_POP(31), R_386_TLS_LDO_32(32),
        R_386_TLS_IE_32(33), R_386_TLS_LE_32(34), R_386_TLS_DTPMOD32(35), R_386_TLS_DTPOFF32(36),
        R_386_TLS_TPOFF32(37), R_386_SIZE32(38), R_386_TLS_GOTDESC(39), R_386_TLS_DESC_CALL(40), R_386_TLS_DESC(41),
        R_386_IRELATIVE(42), R_386_GOT32X(43);

        public final int value;

        I386(int value) {
            this.value = value;
        }
    }
}
