package dev.vdsoscope.elf;

import java.util.Objects;


/** {@code e_ident[EI_OSABI]}. */
public record OsAbi(long value) implements ElfConstant {
    public static final OsAbi ELFOSABI_SYSV = new OsAbi(0);
    public static final OsAbi ELFOSABI_HPUX = new OsAbi(1);
    public static final OsAbi ELFOSABI_NETBSD = new OsAbi(2);
    public static final OsAbi ELFOSABI_GNU = new OsAbi(3);
    /** GNU/Hurd, in older elf.h; the number is reserved. */
    public static final OsAbi ELFOSABI_HURD = new OsAbi(4);
    /** 86Open, a common IA-32 ABI that never came (FreeBSD's elf_common.h keeps the name). */
    public static final OsAbi ELFOSABI_86OPEN = new OsAbi(5);
    public static final OsAbi ELFOSABI_SOLARIS = new OsAbi(6);
    public static final OsAbi ELFOSABI_AIX = new OsAbi(7);
    public static final OsAbi ELFOSABI_IRIX = new OsAbi(8);
    public static final OsAbi ELFOSABI_FREEBSD = new OsAbi(9);
    public static final OsAbi ELFOSABI_TRU64 = new OsAbi(10);
    public static final OsAbi ELFOSABI_MODESTO = new OsAbi(11);
    public static final OsAbi ELFOSABI_OPENBSD = new OsAbi(12);
    public static final OsAbi ELFOSABI_OPENVMS = new OsAbi(13);
    public static final OsAbi ELFOSABI_NSK = new OsAbi(14);
    public static final OsAbi ELFOSABI_AROS = new OsAbi(15);
    public static final OsAbi ELFOSABI_FENIXOS = new OsAbi(16);
    public static final OsAbi ELFOSABI_CLOUDABI = new OsAbi(17);
    public static final OsAbi ELFOSABI_OPENVOS = new OsAbi(18);
    public static final OsAbi ELFOSABI_ARM_AEABI = new OsAbi(64);
    public static final OsAbi ELFOSABI_ARM = new OsAbi(97);
    public static final OsAbi ELFOSABI_STANDALONE = new OsAbi(255);

    private static final ElfConstant.Names NAMES = new ElfConstant.Names(OsAbi.class, OsAbi.class);

    /** The C name (as {@link #cName()}), not the record's component list: what a message or a log line wants. */
    @Override
    public String toString() {
        return cName();
    }

    @Override
    public String cName() {
        return Objects.requireNonNullElse(NAMES.name(value), "ELFOSABI_" + value);
    }
}
