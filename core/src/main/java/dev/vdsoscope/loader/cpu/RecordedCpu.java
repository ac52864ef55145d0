package dev.vdsoscope.loader.cpu;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import dev.vdsoscope.linux.Cpuid.Registers;

/**
 * A CPU recorded as text: the CPUID dumps of AIDA64/EVEREST (the format of the InstLatx64
 * collection), one line per leaf, {@code CPUID 00000007: 00000001-F1BF97A9-00405FCE-10000010 [SL 00]},
 * where an optional {@code [SL xx]} names the subleaf (0 without it) and anything after it is
 * ignored. When a dump holds several logical CPUs, the first answer for each leaf and subleaf is
 * kept. A leaf the dump does not hold answers zeros, which is what glibc's reads of leaves it does
 * not check for (7 subleaf 1 on older CPUs) give on real hardware.
 *
 * <p>XCR0 is not in such a dump. Unless a line {@code # xcr0: 0x...} says otherwise, the operating
 * system is assumed to enable every state component the CPU reports in leaf 0xD subleaf 0 (EDX:EAX),
 * which is what Linux does for every component it knows.
 *
 * @param description what the record is, for messages (its file name)
 */
public record RecordedCpu(String description, Map<Long, Registers> answers, OptionalLong statedXcr0)
        implements CpuidSource {

    private static final Registers ZERO = new Registers(0, 0, 0, 0);
    /** A dump is a few hundred lines; one larger than this is not a CPU dump (and is not read whole). */
    private static final int MAX_LINES = 100_000;

    /** A dump that cannot be read: the line and what is wrong with it. */
    public static final class FormatException extends Exception {
        public FormatException(String message) {
            super(message);
        }
    }

    public RecordedCpu {
        answers = Map.copyOf(answers);
    }

    private static long key(int leaf, int subleaf) {
        return (Integer.toUnsignedLong(leaf) << 32) | Integer.toUnsignedLong(subleaf);
    }

    /** Whether the text looks like a CPUID dump (has a {@code CPUID xxxxxxxx:} line). */
    public static boolean looksLikeDump(String text) {
        return text.contains("CPUID 00000000:");
    }

    /** Reads a dump; fails on a malformed CPUID line, or one without leaf 0. */
    public static RecordedCpu parse(String description, String text) throws FormatException {
        Map<Long, Registers> answers = new HashMap<>();
        OptionalLong xcr0 = OptionalLong.empty();
        List<String> lines = text.lines().limit(MAX_LINES + 1L).toList();
        if (lines.size() > MAX_LINES) {
            throw new FormatException("more than " + MAX_LINES + " lines: not a CPUID dump");
        }
        for (int lineNumber = 1; lineNumber <= lines.size(); lineNumber++) {
            String line = lines.get(lineNumber - 1).strip();
            if (line.startsWith("# xcr0:")) {
                xcr0 = OptionalLong.of(parseHex(line.substring("# xcr0:".length()).strip(), lineNumber, 16));
            } else if (line.startsWith("CPUID ")) {
                parseLine(line, lineNumber, answers);
            }
        }
        if (!answers.containsKey(key(0, 0))) {
            throw new FormatException("no line for CPUID leaf 0 (\"CPUID 00000000: ...\")");
        }
        return new RecordedCpu(description, answers, xcr0);
    }

    private static void parseLine(String line, int lineNumber, Map<Long, Registers> answers) throws FormatException {
        // CPUID LLLLLLLL: AAAAAAAA-BBBBBBBB-CCCCCCCC-DDDDDDDD [SL xx] ...
        if (line.length() < 51 || line.charAt(14) != ':' || line.charAt(15) != ' ') {
            throw new FormatException("line " + lineNumber + ": expected \"CPUID LLLLLLLL: EAX-EBX-ECX-EDX\"");
        }
        int leaf = (int) parseHex(line.substring(6, 14), lineNumber, 8);
        int[] registers = new int[4];
        for (int i = 0; i < 4; i++) {
            int at = 16 + 9 * i;
            if (i > 0 && line.charAt(at - 1) != '-') {
                throw new FormatException("line " + lineNumber + ": registers must be separated by '-'");
            }
            registers[i] = (int) parseHex(line.substring(at, at + 8), lineNumber, 8);
        }
        int subleaf = 0;
        String rest = line.substring(51).strip();
        if (rest.startsWith("[SL ")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new FormatException("line " + lineNumber + ": unclosed [SL ...]");
            }
            subleaf = (int) parseHex(rest.substring(4, close).strip(), lineNumber, 8);
        }
        answers.putIfAbsent(key(leaf, subleaf), new Registers(registers[0], registers[1], registers[2], registers[3]));
    }

    private static long parseHex(String digits, int lineNumber, int maxDigits) throws FormatException {
        String value = digits.startsWith("0x") || digits.startsWith("0X") ? digits.substring(2) : digits;
        if (value.isEmpty() || value.length() > maxDigits) {
            throw new FormatException("line " + lineNumber + ": \"" + digits + "\" is not a hexadecimal number of at most "
                    + maxDigits + " digits");
        }
        long result = 0;
        for (int i = 0; i < value.length(); i++) {
            int digit = Character.digit(value.charAt(i), 16);
            if (digit < 0) {
                throw new FormatException("line " + lineNumber + ": \"" + digits + "\" is not hexadecimal");
            }
            result = (result << 4) | digit;
        }
        return result;
    }

    /** Whether the dump holds an answer for this leaf and subleaf. */
    public boolean has(int leaf, int subleaf) {
        return answers.containsKey(key(leaf, subleaf));
    }

    @Override
    public Registers query(int leaf, int subleaf) {
        return answers.getOrDefault(key(leaf, subleaf), ZERO);
    }

    @Override
    public long xcr0() {
        if (statedXcr0.isPresent()) {
            return statedXcr0.getAsLong();
        }
        Registers components = query(0xd, 0);
        return Integer.toUnsignedLong(components.eax()) | ((long) components.edx() << 32);
    }
}
