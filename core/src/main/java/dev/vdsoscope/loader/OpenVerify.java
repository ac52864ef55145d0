package dev.vdsoscope.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.elf.ElfClass;
import dev.vdsoscope.elf.ElfData;
import dev.vdsoscope.elf.ElfType;
import dev.vdsoscope.elf.OsAbi;
import dev.vdsoscope.loader.ElfObject.FileHead;

/**
 * glibc 2.36's open_verify (elf/dl-load.c) for one ABI's ld.so: what it decides about a file it has
 * opened, from its first bytes. A file of the other ELF class or of another machine is passed over
 * silently (the search goes on); anything else that is wrong stops ld.so with the message it prints
 * after "error while loading shared libraries: PATH: ". The checks run in ld.so's order, since the
 * first one that fails names the error. On Linux the OS ABI may be SYSV or GNU
 * (sysdeps/gnu/ldsodefs.h), the latter with an ABI version below the ABI's LIBC_ABI_MAX (4 on x86).
 */
final class OpenVerify {
    private OpenVerify() {}

    /** ld.so's verdict. */
    sealed interface Outcome permits Accepted, PassedOver, Refused {}

    /** The file may be loaded. */
    record Accepted() implements Outcome {}

    /** Not an error: the search goes on, as for a missing file. */
    record PassedOver(String why) implements Outcome {}

    /** ld.so stops: {@code message} is what it prints after the file's path. */
    record Refused(String message) implements Outcome {}

    private static final int EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6, EI_OSABI = 7, EI_ABIVERSION = 8, EI_PAD = 9;
    private static final int EV_CURRENT = 1;
    private static final int SYSV = (int) OsAbi.ELFOSABI_SYSV.value(), GNU = (int) OsAbi.ELFOSABI_GNU.value();

    /** An ld.so here and what it decides about a file, as the reason ldd's default view gives. */
    record Verdict(LinuxAbi abi, Outcome outcome) {
        String reason() {
            return switch (outcome) {
                case Refused r -> "ld.so refuses it: " + r.message();
                case PassedOver p -> "no ld.so takes it: " + p.why();
                case Accepted a -> "accepted";
            };
        }
    }

    /**
     * For a file that is no glibc ABI here (its class or byte order is not its machine's): the ld.so
     * that would take it up, as ldd asks each ld.so of its RTLDLIST: one that refuses it (its message
     * names what is off, the byte order for one), else one that passes it over for its class. Empty
     * when no ld.so's machine is the file's, e_machine read in that ld.so's own byte order.
     */
    static Optional<Verdict> nearest(FileHead head) {
        Verdict passedOver = null;
        for (LinuxAbi abi : LinuxAbi.values()) {
            if (abi.glibc().isEmpty() || head.bytes().length < 20 || machineAsRead(head.bytes(), abi) != abi.machine().value()) {
                continue;
            }
            Outcome outcome = check(head, abi);
            if (outcome instanceof Refused) {
                return Optional.of(new Verdict(abi, outcome));
            }
            if (passedOver == null && outcome instanceof PassedOver p && !p.why().equals(WRONG_MACHINE)) {
                passedOver = new Verdict(abi, outcome);
            }
        }
        return Optional.ofNullable(passedOver);
    }

    private static final String WRONG_MACHINE = "wrong machine";

    /** e_machine as the ABI's ld.so reads it: in its own byte order, whatever EI_DATA says. */
    private static int machineAsRead(byte[] b, LinuxAbi abi) {
        ByteOrder order = abi.byteOrder().orElse(ElfData.ELFDATA2LSB) == ElfData.ELFDATA2MSB ? ByteOrder.BIG_ENDIAN
                : ByteOrder.LITTLE_ENDIAN;
        return ByteBuffer.wrap(b).order(order).getShort(18) & 0xffff;
    }

    /**
     * What the ABI's ld.so decides about a file. Its byte order is the ABI's; for the ABIs that have
     * both (arm, aarch64), the little-endian glibc port this model follows.
     */
    static Outcome check(FileHead head, LinuxAbi abi) {
        byte[] b = head.bytes();
        ElfData byteOrder = abi.byteOrder().orElse(ElfData.ELFDATA2LSB);
        boolean is64 = abi.elfClass() == ElfClass.ELFCLASS64;
        int headerSize = is64 ? 64 : 52; // sizeof (ElfW(Ehdr))
        if (b.length < headerSize) {
            return new Refused("file too short");
        }
        ByteBuffer h = ByteBuffer.wrap(b).order(byteOrder == ElfData.ELFDATA2MSB ? ByteOrder.BIG_ENDIAN
                : ByteOrder.LITTLE_ENDIAN);
        int osAbi = b[EI_OSABI] & 0xff;
        int abiVersion = b[EI_ABIVERSION] & 0xff;
        boolean magic = b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
        boolean identMatches = magic && (b[EI_CLASS] & 0xff) == abi.elfClass().value()
                && (b[EI_DATA] & 0xff) == byteOrder.value() && b[EI_VERSION] == EV_CURRENT
                && (osAbi == SYSV || osAbi == GNU);
        boolean abiVersionValid = abiVersion == 0 || (osAbi == GNU && abiVersion < abi.glibc().orElseThrow().libcAbiMax());
        boolean padding = true;
        for (int i = EI_PAD; i < 16; i++) {
            padding &= b[i] == 0;
        }
        boolean machineMatches = machineAsRead(b, abi) == abi.machine().value();
        if (!identMatches || !abiVersionValid || !padding) {
            if (!magic) {
                return new Refused("invalid ELF header");
            }
            if ((b[EI_CLASS] & 0xff) != abi.elfClass().value()) {
                ElfClass other = ElfClass.of(b[EI_CLASS] & 0xff);
                return new PassedOver("wrong ELF class" + (other == null ? "" : ": " + other));
            }
            if (!machineMatches) {
                return new PassedOver(WRONG_MACHINE);
            }
            if ((b[EI_DATA] & 0xff) != byteOrder.value()) {
                return new Refused(byteOrder == ElfData.ELFDATA2MSB ? "ELF file data encoding not big-endian"
                        : "ELF file data encoding not little-endian");
            }
            if (b[EI_VERSION] != EV_CURRENT) {
                return new Refused("ELF file version ident does not match current one");
            }
            if (osAbi != SYSV && osAbi != GNU) {
                return new Refused("ELF file OS ABI invalid");
            }
            if (!abiVersionValid) {
                return new Refused("ELF file ABI version invalid");
            }
            if (!padding) {
                return new Refused("nonzero padding in e_ident");
            }
            return new Refused("internal error");
        }
        if (Integer.toUnsignedLong(h.getInt(20)) != EV_CURRENT) {
            return new Refused("ELF file version does not match current one");
        }
        if (!machineMatches) {
            return new PassedOver(WRONG_MACHINE);
        }
        int type = h.getShort(16) & 0xffff;
        if (type != ElfType.ET_DYN.value() && type != ElfType.ET_EXEC.value()) {
            return new Refused("only ET_DYN and ET_EXEC can be loaded");
        }
        int phentsize = h.getShort(is64 ? 54 : 42) & 0xffff;
        if (phentsize != (is64 ? 56 : 32)) { // sizeof (ElfW(Phdr))
            return new Refused("ELF file's phentsize not the expected size");
        }
        long phoff = is64 ? h.getLong(32) : Integer.toUnsignedLong(h.getInt(28));
        long phnum = h.getShort(is64 ? 56 : 44) & 0xffff;
        long tableSize = phnum * phentsize;
        if (phoff < 0 || phoff + tableSize < 0) {
            // pread at an offset that does not fit off_t, or whose end does not: the kernel says EINVAL
            // (rw_verify_area), which ld.so's own strerror knows (elf/dl-minimal.c). An offset within
            // the table's size of 2^64 wraps glibc's bounds check instead and reads wild memory; that
            // crash is not modelled.
            return new Refused("cannot read file data: Invalid argument");
        }
        if (phoff + tableSize > head.size()) {
            // A short pread leaves errno 0: the message has no reason after it.
            return new Refused("cannot read file data");
        }
        return new Accepted();
    }
}
