package dev.vdsoscope.compat;

import static dev.vdsoscope.elf.MachineFlags.*;

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

import dev.vdsoscope.elf.ElfConstant;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.ElfInput;
import dev.vdsoscope.elf.ElfType;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.elf.OsAbi;

/**
 * The first half of what file(1) 5.44 prints for an ELF file: the words of the soft-magic rules in
 * Magdir/elf (class, byte order, type, machine with its flag words, version, OS/ABI). Each rule that
 * matches adds a space and its text; the commas are part of the texts.
 */
public final class FileMagic {
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
        String osAbi = osAbiName(h.osAbi());
        if (osAbi != null) {
            words.add("(" + osAbi + ")");
        }
        return String.join(" ", words);
    }

    /**
     * Types of other systems' files that Magdir/elf names: Sony's PlayStation 2 IOP module
     * (ET_SCE_IOPRELEXEC, a MIPS type in the processor range) and Nintendo's Cafe OS RPL executable
     * (0xfe01 with OS/ABI 202, both file(1)'s own values).
     */
    private static final long ET_SCE_IOPRELEXEC = 0xff80, ET_LOPROC = 0xff00, CAFE_OS_RPL = 0xfe01, CAFE_OS = 202;

    /** The type word with its comma; an ET_DYN is a "pie executable" when the mode has an x bit. */
    static String typeWord(ElfHeader h, boolean executableMode) {
        ElfType type = h.type();
        if (type.is(ElfType.ET_NONE)) {
            return "no file type,";
        } else if (type.is(ElfType.ET_REL)) {
            return "relocatable,";
        } else if (type.is(ElfType.ET_EXEC)) {
            return "executable,";
        } else if (type.is(ElfType.ET_DYN)) {
            return executableMode ? "pie executable," : "shared object,";
        } else if (type.is(ElfType.ET_CORE)) {
            return "core file,";
        } else if ((type.value() & ET_LOPROC) == ET_LOPROC) {
            return h.machine().is(Machine.EM_MIPS) && type.value() == ET_SCE_IOPRELEXEC ? "PlayStation 2 IOP module,"
                    : "processor-specific,";
        }
        return type.value() == CAFE_OS_RPL && h.osAbi().value() == CAFE_OS ? "executable," : null;
    }

    /** The machine name as file prints it, without its trailing comma: "x86-64", "ARM aarch64". */
    public static String machineName(long machine) {
        String text = MACHINES.get((int) machine);
        if (text == null) {
            return null;
        }
        return text.endsWith(",") ? text.substring(0, text.length() - 1) : text;
    }

    /** The machine words, e.g. ["ARM,", "EABI5"] or ["UCB RISC-V,", "RVC,", "double-float ABI,"]. */
    /** Magdir/elf's name of the machine, without its flag words. */
    static String machineName(Machine machine) {
        String name = MACHINES.get((int) machine.value());
        // file reads e_machine as a signed short and prints it with %#x: 0xb700 shows as 0xffffb700.
        return name != null ? name : "*unknown arch 0x" + Integer.toHexString((short) machine.value()) + "*";
    }

    public static List<String> machineWords(ElfHeader h, ElfInput in) {
        Machine machine = h.machine();
        boolean is32 = !h.is64();
        long flagsAt = h.is64() ? 48 : 36;
        long f = h.flags();
        List<String> words = new ArrayList<>();
        words.add(machineName(machine));
        if (machine.is(Machine.EM_68K)) {
            if (is32) {
                addIf(words, (f & EF_M68K_M68000) != 0, "68000,");
                addIf(words, (f & EF_M68K_CPU32) == EF_M68K_CPU32, "CPU32,");
                addIf(words, f == 0, "68020,");
            }
        } else if (machine.is(Machine.EM_MIPS)) {
            addIf(words, is32 && (f & EF_MIPS_ABI2) != 0, "N32");
            String level = mipsLevel(f);
            addIf(words, level != null, level);
        } else if (machine.is(Machine.EM_MIPS_RS3_LE)) {
            addIf(words, is32 && (f & EF_MIPS_ABI2) != 0, "N32");
            words.add("MIPS (deprecated),");
        } else if (machine.is(Machine.EM_PARISC)) {
            // file reads the two halves of e_flags as 16-bit words in the file's byte order.
            long arch = in.u16(flagsAt + 2);
            addIf(words, arch == EFA_PARISC_1_0, "1.0");
            addIf(words, arch == EFA_PARISC_1_1, "1.1");
            addIf(words, arch == EFA_PARISC_2_0, "2.0");
            addIf(words, (in.u16(flagsAt) & (EF_PARISC_LP64 >>> 16)) != 0, "(LP64)");
        } else if (machine.is(Machine.EM_SPARC32PLUS)) {
            if (is32) {
                words.addAll(sparcWords(f));
            }
        } else if (machine.is(Machine.EM_SPARCV9)) {
            if (!is32) {
                words.addAll(sparcWords(f));
            }
        } else if (machine.is(Machine.EM_PPC64)) {
            // file reads the whole 32-bit word at offset 48 (e_flags of an ELFCLASS64 header).
            long abi = in.u32(48);
            addIf(words, abi == 0, "Unspecified or Power ELF V1 ABI,");
            addIf(words, abi == 1, "Power ELF V1 ABI,");
            addIf(words, abi == 2, "OpenPOWER ELF V2 ABI,");
        } else if (machine.is(Machine.EM_ARM)) {
            if (is32) {
                addIf(words, (f & EF_ARM_EABIMASK) == EF_ARM_EABI_VER4, "EABI4");
                addIf(words, (f & EF_ARM_EABIMASK) == EF_ARM_EABI_VER5, "EABI5");
                addIf(words, (f & EF_ARM_BE8) != 0, "BE8");
                addIf(words, (f & EF_ARM_LE8) != 0, "LE8");
            }
        } else if (machine.is(Machine.EM_RISCV)) {
            addIf(words, (f & EF_RISCV_RVC) != 0, "RVC,");
            addIf(words, (f & EF_RISCV_RVE) != 0, "RVE,");
            long floatAbi = f & EF_RISCV_FLOAT_ABI;
            words.add(floatAbi == EF_RISCV_FLOAT_ABI_SOFT ? "soft-float ABI,"
                    : floatAbi == EF_RISCV_FLOAT_ABI_SINGLE ? "single-float ABI,"
                    : floatAbi == EF_RISCV_FLOAT_ABI_DOUBLE ? "double-float ABI," : "quad-float ABI,");
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
        int level = (int) ((f & EF_MIPS_ARCH) >>> 28);
        return level < levels.length ? levels[level] : null;
    }

    private static List<String> sparcWords(long f) {
        List<String> words = new ArrayList<>();
        long extensions = f & EF_SPARC_EXT_MASK;
        if (extensions == EF_SPARC_32PLUS) {
            words.add("V8+ Required,");
        } else if (extensions == EF_SPARC_SUN_US1) {
            words.add("Sun UltraSPARC1 Extensions Required,");
        } else if (extensions == EF_SPARC_HAL_R1) {
            words.add("HaL R1 Extensions Required,");
        } else if (extensions == EF_SPARC_SUN_US3) {
            words.add("Sun UltraSPARC3 Extensions Required,");
        }
        long model = f & EF_SPARCV9_MM;
        if (model == EF_SPARCV9_TSO) {
            words.add("total store ordering,");
        } else if (model == EF_SPARCV9_PSO) {
            words.add("partial store ordering,");
        } else if (model == EF_SPARCV9_RMO) {
            words.add("relaxed memory ordering,");
        }
        return words;
    }

    /** Magdir/elf's names of OS/ABI values, by value; 202 is file(1)'s own (no elf.h name). */
    private static final Map<Long, String> OS_ABI_WORDS = words(OsAbi.ELFOSABI_SYSV, "SYSV", OsAbi.ELFOSABI_HPUX, "HP-UX",
            OsAbi.ELFOSABI_NETBSD, "NetBSD", OsAbi.ELFOSABI_GNU, "GNU/Linux", OsAbi.ELFOSABI_HURD, "GNU/Hurd",
            OsAbi.ELFOSABI_86OPEN, "86Open", OsAbi.ELFOSABI_SOLARIS, "Solaris", OsAbi.ELFOSABI_AIX, "Monterey",
            OsAbi.ELFOSABI_IRIX, "IRIX", OsAbi.ELFOSABI_FREEBSD, "FreeBSD", OsAbi.ELFOSABI_TRU64, "Tru64",
            OsAbi.ELFOSABI_MODESTO, "Novell Modesto", OsAbi.ELFOSABI_OPENBSD, "OpenBSD", OsAbi.ELFOSABI_OPENVMS,
            "OpenVMS", OsAbi.ELFOSABI_NSK, "HP NonStop Kernel", OsAbi.ELFOSABI_AROS, "AROS Research Operating System",
            OsAbi.ELFOSABI_FENIXOS, "FenixOS", OsAbi.ELFOSABI_CLOUDABI, "Nuxi CloudABI", OsAbi.ELFOSABI_ARM, "ARM",
            new OsAbi(CAFE_OS), "Cafe OS", OsAbi.ELFOSABI_STANDALONE, "embedded");

    private static Map<Long, String> words(Object... pairs) {
        Map<Long, String> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(((ElfConstant) pairs[i]).value(), (String) pairs[i + 1]);
        }
        return Map.copyOf(map);
    }

    /** The OS/ABI name file prints in parentheses, or null when it prints none. */
    public static String osAbiName(OsAbi osAbi) {
        return OS_ABI_WORDS.get(osAbi.value());
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
