package dev.vdsoscope;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.abi.LinuxAbi;

/**
 * Everything that differs per Linux ABI lives in dev.vdsoscope.abi: no other package decides an ABI
 * from the JVM's os.arch or from e_machine, names an ABI (a {@code LinuxAbi} constant, a switch over
 * ABIs), compares machines (a {@code Machine.EM_} constant, or e_machine's raw number), or spells an
 * architecture's or an ABI's names (an architecture as a string, the vDSO's soname, symbol prefix
 * and version, the loader's paths and triplets). The ELF format's own per-machine rules
 * (dev.vdsoscope.elf) and the emulated tools' tables (dev.vdsoscope.compat) are facts of the format
 * and of those tools.
 *
 * <p>Line by line, comments left out; a {@code case} is judged by the switch it belongs to (the
 * nearest {@code switch (} above it).
 */
class AbiFactsHaveOneHomeTest {
    /** Architecture and ABI names as programs spell them (os.arch, triplets, package and platform names). */
    private static final String ARCHITECTURES = "amd64|x86_64|x86-64|x86|x64|i[3-6]86|ia32|x32|aarch64(?:_be)?|arm64"
            + "|arm(?:hf|el|eb|v\\d\\w*)?|ppc(?:32|64)?(?:le|el)?|powerpc(?:64)?(?:le)?|s390x?|riscv(?:32|64)?"
            + "|loong(?:arch)?(?:32|64)?|mips(?:isa)?(?:32|64)?(?:r\\d)?(?:el|n32|o32|n64)?|sparc(?:32|64|v9)?";

    /** The e_machine numbers of the Linux ABIs' machines, and of those that run their code. */
    private static final Set<Long> ABI_MACHINES = Set.of(2L, 3L, 6L, 8L, 10L, 18L, 20L, 21L, 22L, 40L, 43L, 62L,
            183L, 243L, 258L);

    /** The LinuxAbi constants no other enum here has (InstructionSet's X86_64, ARM, AARCH64... are also switched on). */
    private static final String ABI_ONLY_CONSTANTS = Arrays.stream(LinuxAbi.values()).map(Enum::name)
            .filter(name -> Arrays.stream(InstructionSet.values()).noneMatch(i -> i.name().equals(name)))
            .collect(Collectors.joining("|"));

    private static final Map<String, Pattern> ABI_FACTS = new LinkedHashMap<>();

    static {
        ABI_FACTS.put("os.arch", Pattern.compile("\"os\\.arch\""));
        ABI_FACTS.put("an architecture name", Pattern.compile("\"(?:[\\w.]+[-_])?(?:" + ARCHITECTURES
                + ")(?:[-_][\\w.-]*)?\""));
        ABI_FACTS.put("a vDSO name", Pattern.compile("\"(linux-vdso|linux-gate|__vdso_|__kernel_|LINUX_\\d)"));
        ABI_FACTS.put("a glibc loader path or triplet", Pattern.compile("\"/lib(64|32|x32)?/ld-|-linux-gnu"));
        ABI_FACTS.put("a LinuxAbi constant", Pattern.compile("\\bLinuxAbi\\.[A-Z][A-Z0-9_]*\\b"));
        ABI_FACTS.put("a switch over ABIs", Pattern.compile("switch\\s*\\((?:[^()]|\\([^()]*\\))*(\\w*[aA]bi\\b|\\bhost\\b)"
                + "|case\\s+(?:\\w+\\s*,\\s*)*(?:" + ABI_ONLY_CONSTANTS + ")\\b"));
        ABI_FACTS.put("a decision on e_machine", Pattern.compile("switch\\s*\\((?:[^()]|\\([^()]*\\))*[mM]achine"
                + "|Machine\\.EM_(?!NONE\\b)\\w+"));
    }

    /** A raw e_machine number compared or switched on: {@code machine().value() == 62}, {@code case 62:}. */
    private static final Pattern RAW_MACHINE_COMPARISON = Pattern.compile(
            "[mM]achine\\w*(?:\\(\\))?(?:\\.value\\(\\))?\\s*[=!]=\\s*(\\d+)\\b|\\b(\\d+)\\s*[=!]=\\s*[\\w.]*[mM]achine");
    private static final Pattern CASE_NUMBER = Pattern.compile("\\bcase\\s+((?:\\d+\\s*,\\s*)*\\d+)\\s*(?:->|:)");
    private static final Pattern SWITCH = Pattern.compile("switch\\s*\\(((?:[^()]|\\([^()]*\\))*)\\)");

    /** Packages whose per-machine code is a format's or a tool's, not a Linux ABI's. */
    private static final List<String> FORMAT_AND_TOOL_PACKAGES = List.of("abi", "elf", "compat");

    /** Single files, each with the reason it may: the fact, and the reason, are named. */
    private static final Map<String, String> EXCEPTIONS = Map.of(
            "measure/MachineContext.java", "os.arch: reports the JVM's os.arch verbatim, as the bench context's architecture",
            "disasm/CapstoneLibrary.java", "an architecture name: the Capstone jar's directories (linux-x86-64,"
                    + " linux-aarch64) are that artifact's names, chosen by instruction set",
            "loader/cpu/X86CpuFeatures.java", "an architecture name: glibc's x86 CPU model derives the names it"
                    + " returns (the x86-64-v2..v4 subdirectories, the i586 and i686 platforms) from cpu_features");

    /** What the rules find in one file's text: "line: fact: code". */
    static List<String> findings(String source) {
        List<String> found = new ArrayList<>();
        String[] lines = source.split("\n", -1);
        String currentSwitch = "";
        for (int i = 0; i < lines.length; i++) {
            String code = lines[i].strip();
            if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) {
                continue;
            }
            for (var fact : ABI_FACTS.entrySet()) {
                if (fact.getValue().matcher(code).find()) {
                    found.add((i + 1) + ": " + fact.getKey() + ": " + code);
                }
            }
            Matcher s = SWITCH.matcher(code);
            while (s.find()) {
                currentSwitch = s.group(1);
            }
            Matcher compared = RAW_MACHINE_COMPARISON.matcher(code);
            while (compared.find()) {
                String number = compared.group(1) != null ? compared.group(1) : compared.group(2);
                if (ABI_MACHINES.contains(Long.parseLong(number))) {
                    found.add((i + 1) + ": a raw e_machine number: " + code);
                }
            }
            Matcher c = CASE_NUMBER.matcher(code);
            boolean onMachine = currentSwitch.contains("value()") || currentSwitch.toLowerCase().contains("machine");
            if (c.find() && onMachine && Arrays.stream(c.group(1).split(",")).map(String::strip).map(Long::parseLong)
                    .anyMatch(ABI_MACHINES::contains)) {
                found.add((i + 1) + ": a raw e_machine number: " + code);
            }
        }
        return found;
    }

    @Test
    void noPackageButAbiHoldsPerAbiFacts() throws IOException {
        List<String> found = new ArrayList<>();
        for (var file : ProjectSources.javaFiles().entrySet()) {
            String relative = file.getKey();
            String topPackage = relative.substring(0, relative.indexOf('/'));
            if (FORMAT_AND_TOOL_PACKAGES.contains(topPackage)) {
                continue;
            }
            for (String finding : findings(Files.readString(file.getValue()))) {
                String fact = finding.split(": ")[1];
                if (!EXCEPTIONS.getOrDefault(relative, "").startsWith(fact + ":")) {
                    found.add(relative + ":" + finding);
                }
            }
        }
        assertThat(found).as("per-ABI facts outside dev.vdsoscope.abi").isEmpty();
    }

    /** The exceptions still need to be exceptions: each file holds the fact it is excused for. */
    @Test
    void everyExceptionIsStillNeeded() throws IOException {
        for (var exception : EXCEPTIONS.entrySet()) {
            String fact = exception.getValue().substring(0, exception.getValue().indexOf(':'));
            assertThat(findings(Files.readString(ProjectSources.javaFiles().get(exception.getKey()))))
                    .as(exception.getKey()).anyMatch(f -> f.split(": ")[1].equals(fact));
        }
    }

    /** Each way of deciding on an ABI outside abi is caught, one probe line at a time. */
    @Test
    void theRulesCatchEveryKindOfPerAbiDecision() {
        List<String> probes = List.of(
                "if (h.machine().is(Machine.EM_X86_64)) {",
                "boolean arm = elf.machine().equals(Machine.EM_ARM);",
                "if (abi == LinuxAbi.AARCH64) {",
                "return LinuxAbi.host().orElse(null) == LinuxAbi.X86_64;",
                "return LinuxAbi.host().flatMap(abi -> switch (abi) {",
                "switch (abi) {",
                "case X32, I386 -> 4;",
                "switch (h.machine()) {",
                "if (header.machine().value() == 62) {",
                "String triplet = \"i686\";",
                "String triplet = \"i686-linux-gnu\";",
                "String platform = \"linux-x86-64\";",
                "return \"powerpc64le\";",
                "String name = \"armhf\";",
                "String name = \"mips64el\";",
                "String name = \"sparc64\";",
                "String name = \"x32\";",
                "String name = \"s390\";");
        for (String probe : probes) {
            assertThat(findings(probe)).as(probe).isNotEmpty();
        }
        assertThat(findings("switch ((int) m.value()) {\n    case 62: return 1;\n    default: return 0;\n}"))
                .as("a switch on e_machine's raw number").anyMatch(f -> f.contains("raw e_machine number"));
        List<String> allowed = List.of(
                "return switch (isa) { case X86_32, X86_64 -> X86_BRANCH;",
                "out.println(\"x86 syntax: att (default, as objdump) or intel.\");",
                "Optional<LinuxAbi> abi = LinuxAbi.of(elf.header());",
                "machine.orElse(Machine.EM_NONE);",
                "case 3 -> \"three\";",
                "if (count == 62) {");
        for (String line : allowed) {
            assertThat(findings(line)).as(line).isEmpty();
        }
        assertThat(new TreeSet<>(List.of(ABI_ONLY_CONSTANTS.split("\\|")))).contains("X32", "I386", "PPC64LE")
                .doesNotContain("X86_64", "ARM", "AARCH64");
    }
}
