package dev.vdsoscope.disasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.elf.ElfFile;

/**
 * Where Capstone does not know an instruction, the listing still keeps the instruction boundaries
 * the ISA fixes: checked against binutils (binutils-multiarch's objdump), which knows every
 * instruction of the s390x vDSO. Capstone 4 lacks {@code stcke} (b2 78, 4 bytes by its length code);
 * split into two {@code .short}s, the second would start inside an instruction objdump decodes.
 */
class InstructionBoundariesTest {
    private static final Pattern OBJDUMP_LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f ]+?)\\s*\\t(\\S+)");

    @Test
    void s390xUnknownInstructionsKeepTheirLength() throws Exception {
        Path file = ObjdumpAgreementTest.FIXTURES.resolve("s390x-linux-6.1-vdso64.so");
        Map<Long, Decoded> theirs = objdump(file);
        assumeTrue(theirs != null && !theirs.isEmpty(), "no objdump that knows s390 (binutils-multiarch)");
        Map<Long, Instruction> ours = new TreeMap<>();
        try (ElfFile elf = ElfFile.open(file); ImageDisassembler d = ImageDisassembler.open(elf, Syntax.att)) {
            for (ImageDisassembler.Block b : d.sections()) {
                if (b.section().equals(".text")) {
                    b.instructions().forEach(i -> ours.put(i.address(), i));
                }
            }
        }
        int unknownToCapstone = 0;
        for (Map.Entry<Long, Decoded> e : theirs.entrySet()) {
            Decoded insn = e.getValue();
            if (insn.mnemonic().startsWith(".")) {
                continue; // bytes objdump did not decode either: no boundary to keep
            }
            long at = e.getKey();
            assertThat(ours).as("an instruction at 0x%x (objdump: %s)", at, insn.mnemonic()).containsKey(at);
            assertThat(ours.get(at).length()).as("the length of objdump's %s at 0x%x", insn.mnemonic(), at)
                    .isEqualTo(insn.length());
            if (ours.get(at).isData()) {
                unknownToCapstone++;
            }
        }
        // The fixture has five stcke: the case this test is about must be in it.
        assertThat(unknownToCapstone).isGreaterThanOrEqualTo(5);
    }

    private record Decoded(int length, String mnemonic) {}

    /** objdump -d over .text: address to length and mnemonic; null when objdump is missing. */
    private static Map<Long, Decoded> objdump(Path file) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(List.of("objdump", "-d", "-j", ".text", file.toString())).redirectErrorStream(true)
                    .start();
        } catch (IOException notInstalled) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            return null; // an objdump without s390 ("can't disassemble for architecture UNKNOWN!")
        }
        Map<Long, Decoded> result = new TreeMap<>();
        for (String line : out.split("\n")) {
            Matcher m = OBJDUMP_LINE.matcher(line);
            if (m.find()) {
                result.put(Long.parseLong(m.group(1), 16), new Decoded(m.group(2).split(" ").length, m.group(3)));
            }
        }
        return result;
    }
}
