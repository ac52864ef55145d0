package dev.vdsoscope.cli;

import java.io.PrintStream;

import dev.vdsoscope.proc.Auxv;
import dev.vdsoscope.proc.AuxvEntry;

/**
 * The auxiliary vector as glibc 2.36's _dl_show_auxv prints it for LD_SHOW_AUXV=1: a label per type
 * it knows (decimal, hex or string), and "AT_??? (0x..): 0x.." for the types that glibc does not
 * know, such as AT_RSEQ_FEATURE_SIZE in 2.36.
 */
final class LdShowAuxv {
    private LdShowAuxv() {}

    private enum Form { DEC, HEX, HEX_PLAIN, STR, IGNORE }

    private static Form form(long type) {
        return switch ((int) type) {
            case 2, 4, 5, 6, 11, 12, 13, 14, 17, 23, 51, 40, 42, 44, 46 -> Form.DEC;
            case 3, 7, 8, 9, 19, 20, 21, 25, 26, 32, 33, 41, 43, 45, 47 -> Form.HEX;
            case 10, 16, 18 -> Form.HEX_PLAIN;
            case 15, 24, 31 -> Form.STR;
            case 22 -> Form.IGNORE;
            default -> null;
        };
    }

    static void print(PrintStream out, Auxv auxv) {
        for (AuxvEntry e : auxv.entries()) {
            long type = e.type().value();
            Form form = type >= 2 ? form(type) : null;
            if (form == Form.IGNORE) {
                continue;
            }
            if (form == null) {
                out.print("AT_??? (0x" + Long.toHexString(type) + "): 0x" + Long.toHexString(e.value()) + "\n");
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
}
