package dev.vdsoscope.compat;

import static dev.vdsoscope.proc.AuxvType.*;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.proc.Auxv;
import dev.vdsoscope.proc.AuxvEntry;
import dev.vdsoscope.proc.AuxvType;

/**
 * The auxiliary vector as glibc 2.36's _dl_show_auxv prints it for LD_SHOW_AUXV=1: a label per type
 * it knows (decimal, hex or string), and "AT_??? (0x..): 0x.." for the types that glibc does not
 * know, such as AT_RSEQ_FEATURE_SIZE in 2.36. A 32-bit x86 process's glibc names the bits of
 * AT_HWCAP instead (its _dl_procinfo), so the vector is printed as the process itself would.
 */
public final class LdShowAuxv {
    private LdShowAuxv() {}

    private enum Form { DEC, HEX, HEX_PLAIN, STR, IGNORE }

    /** glibc's table of the types it knows and how it prints each. */
    private static final Map<AuxvType, Form> FORMS = Map.ofEntries(
            Map.entry(AT_EXECFD, Form.DEC), Map.entry(AT_PHDR, Form.HEX), Map.entry(AT_PHENT, Form.DEC),
            Map.entry(AT_PHNUM, Form.DEC), Map.entry(AT_PAGESZ, Form.DEC), Map.entry(AT_BASE, Form.HEX),
            Map.entry(AT_FLAGS, Form.HEX), Map.entry(AT_ENTRY, Form.HEX), Map.entry(AT_NOTELF, Form.HEX_PLAIN),
            Map.entry(AT_UID, Form.DEC), Map.entry(AT_EUID, Form.DEC), Map.entry(AT_GID, Form.DEC),
            Map.entry(AT_EGID, Form.DEC), Map.entry(AT_PLATFORM, Form.STR), Map.entry(AT_HWCAP, Form.HEX_PLAIN),
            Map.entry(AT_CLKTCK, Form.DEC), Map.entry(AT_FPUCW, Form.HEX_PLAIN), Map.entry(AT_DCACHEBSIZE, Form.HEX),
            Map.entry(AT_ICACHEBSIZE, Form.HEX), Map.entry(AT_UCACHEBSIZE, Form.HEX), Map.entry(AT_IGNOREPPC, Form.IGNORE),
            Map.entry(AT_SECURE, Form.DEC), Map.entry(AT_BASE_PLATFORM, Form.STR), Map.entry(AT_RANDOM, Form.HEX),
            Map.entry(AT_HWCAP2, Form.HEX), Map.entry(AT_EXECFN, Form.STR), Map.entry(AT_SYSINFO, Form.HEX),
            Map.entry(AT_SYSINFO_EHDR, Form.HEX), Map.entry(AT_L1I_CACHESIZE, Form.DEC),
            Map.entry(AT_L1I_CACHEGEOMETRY, Form.HEX), Map.entry(AT_L1D_CACHESIZE, Form.DEC),
            Map.entry(AT_L1D_CACHEGEOMETRY, Form.HEX), Map.entry(AT_L2_CACHESIZE, Form.DEC),
            Map.entry(AT_L2_CACHEGEOMETRY, Form.HEX), Map.entry(AT_L3_CACHESIZE, Form.DEC),
            Map.entry(AT_L3_CACHEGEOMETRY, Form.HEX), Map.entry(AT_MINSIGSTKSZ, Form.DEC));

    /** Prints the vector of a process of this ABI. */
    public static void print(PrintStream out, Auxv auxv, Optional<LinuxAbi> abi) {
        for (AuxvEntry e : auxv.entries()) {
            Form form = FORMS.get(e.type());
            if (form == Form.IGNORE) {
                continue;
            }
            if (form == null) {
                out.print("AT_??? (0x" + Long.toHexString(e.type().value()) + "): 0x" + Long.toHexString(e.value()) + "\n");
                continue;
            }
            if (e.type().equals(AT_HWCAP) && abi.orElse(null) == LinuxAbi.I386) {
                out.print(i386Hwcap(e.value()));
                continue;
            }
            String label = e.type().cName().substring(3) + ":";
            String value = switch (form) {
                case DEC -> Long.toUnsignedString(e.value());
                case HEX -> "0x" + Long.toHexString(e.value());
                case HEX_PLAIN -> Long.toHexString(e.value());
                case STR -> e.string() == null ? "" : e.string();
                case IGNORE -> throw new AssertionError();
            };
            out.print("AT_" + label + " ".repeat(Math.max(1, 19 - label.length())) + value + "\n");
        }
    }

    /** glibc i386's line: the name of each of the 32 bits set; bits without a name go by their number. */
    private static String i386Hwcap(long value) {
        StringBuilder line = new StringBuilder("AT_HWCAP:   ");
        List<String> names = LinuxAbi.I386.hwcapNames(1);
        for (int bit = 0; bit < 32; bit++) {
            if ((value & 1L << bit) != 0) {
                String name = bit < names.size() ? names.get(bit) : null;
                line.append(' ').append(name != null ? name : Integer.toString(bit));
            }
        }
        return line.append('\n').toString();
    }
}
