package dev.vdsoscope.disasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.vdsoscope.abi.GateRules;
import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.testing.Fixtures;

/**
 * Every real image through its ABI's gate rules, so that no ABI falls through to another's: the
 * kernel entries the analysis finds in .text are the ones objdump -d shows there, each is spelled as
 * one of the ABI's entries, and every system-call number found has its name in the ABI's table.
 */
class GateRulesOnEveryFixtureTest {
    private static final Pattern ENTRY = Pattern.compile("\\t(syscall|sysenter|int +\\$0x80|svc)\\b");

    static List<Path> images() {
        return Fixtures.vdsoImages();
    }

    @ParameterizedTest
    @MethodSource("images")
    void theAbisRulesFindWhatObjdumpShows(Path file) throws Exception {
        assumeTrue(CapstoneLibrary.find().isPresent(), "Capstone (libcapstone4) decodes the images");
        try (ElfFile image = ElfFile.open(file)) {
            LinuxAbi abi = LinuxAbi.of(image.header()).orElseThrow();
            GateRules rules = abi.gate();
            GateAnalysis.Result result = GateAnalysis.analyse(image, false, Optional.empty());
            assertThat(result.isa()).isEqualTo(abi.instructionSet(image.header()));
            List<GateAnalysis.Gate> entries = new ArrayList<>();
            for (GateAnalysis.FunctionGates f : result.functions()) {
                for (GateAnalysis.Gate g : f.gates()) {
                    if (g.feature().isEmpty() && g.via() == null) {
                        entries.add(g);
                    }
                }
            }
            assertThat(entries).as("kernel entries in exported functions of " + file)
                    .hasSize(objdumpEntries(file));
            List<String> spellings = rules.entries().stream().map(GateRules.KernelEntry::spelled).toList();
            for (GateAnalysis.Gate g : entries) {
                assertThat(spellings).as(g.instruction()).anyMatch(s -> g.instruction().startsWith(s));
                if (g.number().isPresent()) {
                    assertThat(g.syscall()).as("system call " + g.number().getAsLong() + " of " + abi).isPresent();
                }
            }
        }
    }

    /** The kernel-entry instructions objdump -d finds in the functions objdump -T lists as exported. */
    private static int objdumpEntries(Path file) throws Exception {
        java.util.Set<String> exported = new java.util.HashSet<>();
        for (String line : run("objdump", "-T", file.toString()).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            // Code objdump -T lists as defined in .text: functions (DF) and untyped labels (D), such as
            // arm64's __kernel_rt_sigreturn.
            if (DEFINED_CODE.matcher(line).find()) {
                exported.add(f[f.length - 1]);
            }
        }
        int count = 0;
        boolean inExported = false;
        for (String line : run("objdump", "-d", "-j", ".text", file.toString()).lines().toList()) {
            java.util.regex.Matcher function = FUNCTION.matcher(line);
            if (function.matches()) {
                inExported = exported.contains(function.group(1));
            } else if (inExported && ENTRY.matcher(line).find()) {
                count++;
            }
        }
        return count;
    }

    /** A function header of objdump -d, its name without the version objdump adds (name@@LINUX_2.6). */
    private static final Pattern FUNCTION = Pattern.compile("[0-9a-f]+ <([^@>]+)(@@[^>]*)?>:");
    private static final Pattern DEFINED_CODE = Pattern.compile(" D[F ] +\\.text\\t");

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
        return out;
    }
}
