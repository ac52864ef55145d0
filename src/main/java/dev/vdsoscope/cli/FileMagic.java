package dev.vdsoscope.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.ElfInput;

/**
 * The first half of what file(1) 5.44 prints for an ELF file: the words of the soft-magic rules in
 * Magdir/elf (class, byte order, type, machine with its flag words, version, OS/ABI). Each rule that
 * matches adds a space and its text; the commas are part of the texts.
 */
final class FileMagic {
    private static final Map<Integer, String> MACHINES = loadMachines();

    private FileMagic() {}

    /** The whole magic part, e.g. "ELF 64-bit LSB pie executable, x86-64, version 1 (SYSV)". */
    static String describe(ElfHeader h, ElfInput in, boolean executableMode) {
        List<String> words = new ArrayList<>();
        words.add("ELF");
        words.add(h.is64() ? "64-bit" : "32-bit");
        words.add(h.data().littleEndian() ? "LSB" : "MSB");
        String type = typeWord(h, executableMode);
        if (type != null) {
            words.add(type);
        }
        words.addAll(machineWords(h, in));
        if (h.version() == 0) {
            words.add("invalid version");
        } else if (h.version() == 1) {
            words.add("version 1");
        }
        String osAbi = osAbiName((int) h.osAbi().value());
        if (osAbi != null) {
            words.add("(" + osAbi + ")");
        }
        return String.join(" ", words);
    }

    /** The type word with its comma; an ET_DYN is a "pie executable" when the mode has an x bit. */
    static String typeWord(ElfHeader h, boolean executableMode) {
        int type = (int) h.type().value();
        return switch (type) {
            case 0 -> "no file type,";
            case 1 -> "relocatable,";
            case 2 -> "executable,";
            case 3 -> executableMode ? "pie executable," : "shared object,";
            case 4 -> "core file,";
            default -> {
                if ((type & 0xff00) == 0xff00) {
                    yield h.machine().value() == 8 && type == 0xff80 ? "PlayStation 2 IOP module," : "processor-specific,";
                }
                yield type == 0xfe01 && h.osAbi().value() == 202 ? "executable," : null;
            }
        };
    }

    /** The machine name as file prints it, without its trailing comma: "x86-64", "ARM aarch64". */
    static String machineName(long machine) {
        String text = MACHINES.get((int) machine);
        if (text == null) {
            return null;
        }
        return text.endsWith(",") ? text.substring(0, text.length() - 1) : text;
    }

    /** The machine words, e.g. ["ARM,", "EABI5"] or ["UCB RISC-V,", "RVC,", "double-float ABI,"]. */
    static List<String> machineWords(ElfHeader h, ElfInput in) {
        int machine = (int) h.machine().value();
        boolean is32 = !h.is64();
        long flagsAt = h.is64() ? 48 : 36;
        long f = h.flags();
        List<String> words = new ArrayList<>();
        String name = MACHINES.get(machine);
        // file reads e_machine as a signed short and prints it with %#x: 0xb700 shows as 0xffffb700.
        words.add(name != null ? name : "*unknown arch 0x" + Integer.toHexString((short) machine) + "*");
        switch (machine) {
            case 4 -> {
                if (is32) {
                    addIf(words, (f & 0x01000000) != 0, "68000,");
                    addIf(words, (f & 0x00810000) == 0x00810000, "CPU32,");
                    addIf(words, f == 0, "68020,");
                }
            }
            case 8 -> {
                addIf(words, is32 && (f & 0x20) != 0, "N32");
                String level = mipsLevel(f);
                addIf(words, level != null, level);
            }
            case 10 -> {
                addIf(words, is32 && (f & 0x20) != 0, "N32");
                words.add("MIPS (deprecated),");
            }
            case 15 -> {
                int arch = in.u16(flagsAt + 2);
                addIf(words, arch == 0x020b, "1.0");
                addIf(words, arch == 0x0210, "1.1");
                addIf(words, arch == 0x0214, "2.0");
                addIf(words, (in.u16(flagsAt) & 8) != 0, "(LP64)");
            }
            case 18 -> {
                if (is32) {
                    words.addAll(sparcWords(f));
                }
            }
            case 43 -> {
                if (!is32) {
                    words.addAll(sparcWords(f));
                }
            }
            case 21 -> {
                long abi = in.u32(48);
                addIf(words, abi == 0, "Unspecified or Power ELF V1 ABI,");
                addIf(words, abi == 1, "Power ELF V1 ABI,");
                addIf(words, abi == 2, "OpenPOWER ELF V2 ABI,");
            }
            case 40 -> {
                if (is32) {
                    addIf(words, (f & 0xff000000L) == 0x04000000L, "EABI4");
                    addIf(words, (f & 0xff000000L) == 0x05000000L, "EABI5");
                    addIf(words, (f & 0x00800000L) != 0, "BE8");
                    addIf(words, (f & 0x00400000L) != 0, "LE8");
                }
            }
            case 243 -> {
                addIf(words, (f & 1) != 0, "RVC,");
                addIf(words, (f & 8) != 0, "RVE,");
                words.add(switch ((int) (f & 6)) {
                    case 0 -> "soft-float ABI,";
                    case 2 -> "single-float ABI,";
                    case 4 -> "double-float ABI,";
                    default -> "quad-float ABI,";
                });
            }
            default -> {
            }
        }
        return words;
    }

    private static void addIf(List<String> words, boolean condition, String word) {
        if (condition) {
            words.add(word);
        }
    }

    private static String mipsLevel(long f) {
        String[] levels = {"MIPS-I", "MIPS-II", "MIPS-III", "MIPS-IV", "MIPS-V", "MIPS32", "MIPS64", "MIPS32 rel2",
                "MIPS64 rel2", "MIPS32 rel6", "MIPS64 rel6"};
        int level = (int) ((f >>> 28) & 0xf);
        return level < levels.length ? levels[level] : null;
    }

    private static List<String> sparcWords(long f) {
        List<String> words = new ArrayList<>();
        switch ((int) (f & 0xffff00)) {
            case 0x100 -> words.add("V8+ Required,");
            case 0x200 -> words.add("Sun UltraSPARC1 Extensions Required,");
            case 0x400 -> words.add("HaL R1 Extensions Required,");
            case 0x800 -> words.add("Sun UltraSPARC3 Extensions Required,");
            default -> {
            }
        }
        switch ((int) (f & 3)) {
            case 0 -> words.add("total store ordering,");
            case 1 -> words.add("partial store ordering,");
            case 2 -> words.add("relaxed memory ordering,");
            default -> {
            }
        }
        return words;
    }

    /** The OS/ABI name file prints in parentheses, or null when it prints none. */
    static String osAbiName(int osAbi) {
        return switch (osAbi) {
            case 0 -> "SYSV";
            case 1 -> "HP-UX";
            case 2 -> "NetBSD";
            case 3 -> "GNU/Linux";
            case 4 -> "GNU/Hurd";
            case 5 -> "86Open";
            case 6 -> "Solaris";
            case 7 -> "Monterey";
            case 8 -> "IRIX";
            case 9 -> "FreeBSD";
            case 10 -> "Tru64";
            case 11 -> "Novell Modesto";
            case 12 -> "OpenBSD";
            case 13 -> "OpenVMS";
            case 14 -> "HP NonStop Kernel";
            case 15 -> "AROS Research Operating System";
            case 16 -> "FenixOS";
            case 17 -> "Nuxi CloudABI";
            case 97 -> "ARM";
            case 202 -> "Cafe OS";
            case 255 -> "embedded";
            default -> null;
        };
    }

    private static Map<Integer, String> loadMachines() {
        Map<Integer, String> map = new HashMap<>();
        try (InputStream stream = FileMagic.class.getResourceAsStream("file-machines.txt");
                BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    int tab = line.indexOf('\t');
                    map.put(Integer.parseInt(line.substring(0, tab)), line.substring(tab + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(map);
    }
}
