package dev.vdsoscope.disasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.abi.InstructionSet;

/**
 * The oracle is binutils: over all of .text, every instruction objdump -d finds must start at the
 * same address in our listing with the same mnemonic, up to the spelling differences documented in
 * docs/DISASM-COMPAT.md (AT&T size suffixes, ARM width qualifiers and condition aliases, AArch64
 * aliases Capstone 4 predates). At least 99% must agree.
 */
public class ObjdumpAgreementTest {
    static final Path FIXTURES = Path.of("test-fixtures/vdso");
    private static final Pattern OBJDUMP_LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t[0-9a-f ]+\\t(\\S+)");

    @ParameterizedTest
    @ValueSource(strings = {"x86_64-linux-6.1-vdso64.so", "x86_64-linux-6.12.117-vdso64.so",
            "x86_64-linux-6.18.44-live-vdso.so", "i386compat-linux-6.1-vdso32.so",
            "i386compat-linux-6.12.117-vdso32.so", "i386-linux-6.1-686-vdso32.so", "x32-linux-6.12.117-vdsox32.so",
            "aarch64-linux-6.12.117-vdso.so", "armcompat-linux-6.12.117-vdso32.so"})
    void textAgreesWithObjdump(String fixture) throws Exception {
        assertAgreement(fixture, Syntax.att);
    }

    /** Intel syntax has no size suffixes: there the mnemonics must agree as spelled, save the prefixes. */
    @ParameterizedTest
    @ValueSource(strings = {"x86_64-linux-6.1-vdso64.so", "x86_64-linux-6.12.117-vdso64.so",
            "x86_64-linux-6.18.44-live-vdso.so", "i386compat-linux-6.12.117-vdso32.so", "i386-linux-6.1-686-vdso32.so",
            "x32-linux-6.12.117-vdsox32.so"})
    void intelSyntaxAgreesWithObjdump(String fixture) throws Exception {
        assertAgreement(fixture, Syntax.intel);
    }

    private static void assertAgreement(String fixture, Syntax syntax) throws Exception {
        assertAgreement(FIXTURES.resolve(fixture), fixture, syntax);
    }

    /** Every instruction objdump -d finds in .text is ours too (99%, up to the documented spellings). */
    static void assertAgreement(Path file, String fixture, Syntax syntax) throws Exception {
        Map<Long, String> expected = objdump(file, syntax);
        assumeTrue(expected != null, "objdump is not installed");
        Map<Long, String> actual = new TreeMap<>();
        InstructionSet isa;
        try (ElfFile elf = ElfFile.open(file); ImageDisassembler d = ImageDisassembler.open(elf, syntax)) {
            isa = d.isa();
            for (ImageDisassembler.Block b : d.sections()) {
                if (b.section().equals(".text")) {
                    b.instructions().forEach(i -> actual.put(i.address(), i.mnemonic()));
                }
            }
        }
        assertAgreement(fixture, syntax, isa, expected, actual, 99.0);
    }

    /**
     * objdump's instructions ({@code expected}, address to mnemonic) are ours ({@code actual}, which
     * may hold more: other sections), at least {@code minimumPercent} of them, up to the documented spellings.
     */
    public static void assertAgreement(String fixture, Syntax syntax, InstructionSet isa, Map<Long, String> expected,
            Map<Long, String> actual, double minimumPercent) {
        int total = 0;
        int same = 0;
        int spelled = 0;
        Map<String, Integer> differences = new TreeMap<>();
        for (Map.Entry<Long, String> e : expected.entrySet()) {
            String theirs = e.getValue();
            if (theirs.startsWith(".") || theirs.equals("(bad)")) {
                continue; // data, not instructions
            }
            total++;
            String ours = actual.get(e.getKey());
            if (theirs.equals(ours)) {
                same++;
            } else if (ours != null && syntax == Syntax.att && sameSpelling(isa, theirs, ours)) {
                spelled++;
            } else {
                differences.merge(theirs + " / " + ours, 1, Integer::sum);
            }
        }
        double agreement = 100.0 * (same + spelled) / total;
        String summary = String.format("%s (%s): %d instructions, %d identical, %d differ only in spelling, %.2f%% agree;"
                + " other differences %s", fixture, syntax, total, same, spelled, agreement, differences);
        System.out.println(summary);
        assertThat(total).isGreaterThan(100);
        assertThat(agreement).as(summary).isGreaterThanOrEqualTo(minimumPercent);
    }

    /** Pure spelling differences for one encoding, as classified in docs/DISASM-COMPAT.md. */
    static boolean sameSpelling(InstructionSet isa, String objdump, String capstone) {
        return switch (isa) {
            // AT&T: Capstone always writes the operand-size suffix; objdump omits it when a register implies it.
            case X86_32, X86_64 -> capstone.length() == objdump.length() + 1 && capstone.startsWith(objdump)
                    && "bwlq".indexOf(capstone.charAt(capstone.length() - 1)) >= 0;
            case ARM, THUMB -> armCanonical(objdump).equals(armCanonical(capstone));
            // Capstone 4 prints the underlying instruction where binutils prints the later alias.
            case AARCH64 -> objdump.equals("mov") && capstone.matches("movz|movn|orr|ins|umov")
                    || capstone.equals("hint") && objdump.matches("paciasp|autiasp|bti|pacibsp|autibsp|xpaclri");
            default -> false;
        };
    }

    private static final Map<String, String> ARM_ALIASES = new LinkedHashMap<>(Map.of("push", "stmdb", "pop", "ldmia",
            "bhs", "bcs", "blo", "bcc"));

    private static String armCanonical(String mnemonic) {
        String m = mnemonic.replaceFirst("\\.[nw]$", "");
        return ARM_ALIASES.getOrDefault(m, m);
    }

    /** objdump -d over .text: address to mnemonic; null when objdump is missing. */
    public static Map<Long, String> objdump(Path file, Syntax syntax) throws IOException, InterruptedException {
        Process p;
        try {
            List<String> command = new ArrayList<>(List.of("objdump", "-d", "-j", ".text", file.toString()));
            if (syntax == Syntax.intel) {
                command.addAll(1, List.of("-M", "intel"));
            }
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        Map<Long, String> result = new TreeMap<>();
        for (String line : out.split("\n")) {
            Matcher m = OBJDUMP_LINE.matcher(line);
            if (m.find()) {
                result.put(Long.parseLong(m.group(1), 16), m.group(2));
            }
        }
        return result;
    }
}
