package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.elf.testing.Fixtures;

/**
 * One way to name an image for every command: FILE, {@code self} or {@code pid:N}. A live image is
 * checked against the same image dumped to a file and read by the real tools (objdump, file), so the
 * oracles are binutils and file(1), not vdsoscope.
 */
class TargetSyntaxTest {
    @TempDir
    Path dir;

    private Process child;

    @BeforeEach
    void startChild() throws Exception {
        child = new ProcessBuilder("sleep", "60").start();
    }

    @AfterEach
    void stopChild() throws Exception {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
    }

    private String pid() {
        return "pid:" + child.pid();
    }

    /** The target's vDSO written to a file by `vdsoscope dump`. */
    private Path dumped(String target) {
        Path file = dir.resolve(target.replace(':', '-') + ".so");
        Cli.Result dump = Cli.run("dump", target, "-o", file.toString());
        assertThat(dump.exitCode()).as(dump.stderr()).isZero();
        return file;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void symbolsOfSelfAndOfAProcessAreObjdumpsOfTheirDumps() throws Exception {
        for (String target : List.of("self", pid())) {
            Path file = dumped(target);
            Cli.Result ours = Cli.run("symbols", "--style=objdump", target);
            assertThat(ours.exitCode()).as(ours.stderr()).isZero();
            String objdump = run("objdump", "-T", file.toString());
            assertThat(ours.out()).isEqualTo(objdump.replace(file.toString(), target));
        }
    }

    @Test
    void headersAndSymbolsOfSelfAreThoseOfItsDump() throws Exception {
        Path file = dumped("self");
        ObjectMapper json = new ObjectMapper();
        for (String command : List.of("headers", "symbols")) {
            JsonNode live = json.readTree(Cli.run(command, "--json", "self").out()).get("files").get(0);
            JsonNode dump = json.readTree(Cli.run(command, "--json", file.toString()).out()).get("files").get(0);
            assertThat(live.get("file").asText()).isEqualTo("self");
            ((com.fasterxml.jackson.databind.node.ObjectNode) live).remove("file");
            ((com.fasterxml.jackson.databind.node.ObjectNode) dump).remove("file");
            assertThat(live).as(command).isEqualTo(dump);
        }
    }

    @Test
    void fileOfSelfAndOfAProcessSaysWhatFileSaysOfTheirDumps() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/file")), "file(1) is the oracle");
        for (String target : List.of("self", pid())) {
            Path file = dumped(target);
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Cli.Result ours = Cli.run("file", "-b", target);
            assertThat(ours.exitCode()).as(ours.stderr()).isZero();
            assertThat(ours.out()).isEqualTo(run("file", "-b", file.toString()));
        }
    }

    /** A report of an image file: its soname, its exports as objdump -T lists them, its gate as linked. */
    @Test
    void reportOfAnImageFile() throws Exception {
        for (Path fixture : Fixtures.vdsoImages()) {
            Cli.Result text = Cli.run("report", fixture.toString());
            assertThat(text.exitCode()).as(text.stderr()).isZero();
            assertThat(text.out()).startsWith("vDSO image " + fixture).contains("System-call gate")
                    .doesNotContain("Where it is");
            JsonNode report = new ObjectMapper().readTree(Cli.run("report", "--json", fixture.toString()).out());
            assertThat(report.get("target").asText()).isEqualTo(fixture.toString());
            assertThat(report.get("pid").isNull()).isTrue();
            List<String> ours = new ArrayList<>();
            report.get("functions").forEach(f -> f.get("names").forEach(n -> ours.add(n.asText())));
            List<String> objdump = new ArrayList<>();
            for (String line : run("objdump", "-T", fixture.toString()).lines().toList()) {
                String[] f = line.trim().split("\\s+");
                if (line.contains(" DF ") && !line.contains("*UND*")) {
                    objdump.add(f[f.length - 1]);
                }
            }
            assertThat(ours).as(fixture.toString()).containsAll(objdump);
            assertThat(report.get("soname").asText()).isEqualTo(run("objdump", "-p", fixture.toString()).lines()
                    .filter(l -> l.trim().startsWith("SONAME")).map(l -> l.trim().split("\\s+")[1]).findFirst()
                    .orElseThrow());
        }
    }

    @Test
    void theDefaultCommandTakesATarget() {
        Cli.Result self = Cli.run("self");
        assertThat(self.exitCode()).as(self.stderr()).isZero();
        assertThat(self.out()).contains("(vdsoscope itself)");
        Cli.Result other = Cli.run(pid());
        assertThat(other.exitCode()).as(other.stderr()).isZero();
        assertThat(other.out()).startsWith("vDSO of pid " + child.pid() + ",");
    }

    /** README: "(none) = report [self | pid:N | FILE]"; a mistyped command stays a usage error. */
    @Test
    void theDefaultCommandTakesAFile() throws Exception {
        String fixture = Fixtures.vdsoImages().getFirst().toString();
        for (List<String> args : List.of(List.of(fixture), List.of("--json", fixture))) {
            List<String> report = new ArrayList<>(List.of("report"));
            report.addAll(args);
            Cli.Result bare = Cli.run(args.toArray(String[]::new));
            assertThat(bare.exitCode()).as(bare.stderr()).isZero();
            assertThat(bare.out()).isEqualTo(Cli.run(report.toArray(String[]::new)).out());
        }
        assertThat(Cli.run("no-such.so").stderr()).isEqualTo("vdsoscope: no-such.so: no such file or directory\n");
        Cli.Result typo = Cli.run("symbls");
        assertThat(typo.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(typo.stderr()).startsWith("vdsoscope: 'symbls' is not a command; did you mean symbols?\n");
        // A name with neither '/' nor '.' is a file when there is one.
        Files.copy(Path.of(fixture), dir.resolve("vdsoimage"));
        ChildRun plain = childJvm(dir, "C.UTF-8", "vdsoimage");
        assertThat(plain.exitCode()).as(plain.err()).isZero();
        assertThat(plain.out()).startsWith("vDSO image vdsoimage, ");
    }

    @Test
    void processCommandsTakeATargetToo() {
        Cli.Result auxv = Cli.run("auxv", "--json", pid());
        assertThat(auxv.exitCode()).as(auxv.stderr()).isZero();
        assertThat(auxv.out()).contains("\"pid\" : " + child.pid());
        Cli.Result maps = Cli.run("maps", "self");
        assertThat(maps.exitCode()).as(maps.stderr()).isZero();
    }

    @Test
    void badTargetsAreOneLineErrors() {
        Cli.Result notANumber = Cli.run("symbols", "pid:abc");
        assertThat(notANumber.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(notANumber.stderr()).isEqualTo(
                "vdsoscope: pid:abc: not a process id: pid:N and --pid N take a positive decimal number\n");
        Cli.Result fileForProcess = Cli.run("auxv", "/bin/true");
        assertThat(fileForProcess.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(fileForProcess.stderr()).isEqualTo("vdsoscope: /bin/true: not a process: name one as self or pid:N\n");
        Cli.Result both = Cli.run("gate", "self", "--pid", "1");
        assertThat(both.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(both.stderr()).contains("give a target or --pid, not both");
        Cli.Result notAVdso = Cli.run("report", "/bin/true");
        assertThat(notAVdso.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(notAVdso.stderr()).startsWith("vdsoscope: /bin/true: not a vDSO image: ");
    }

    /** The commands whose usage line takes a TARGET or an IMAGE: every one of them takes --pid N too. */
    private static List<String> imageCommands() {
        List<String> commands = new ArrayList<>();
        for (String command : EveryCommandHelpTest.commands()) {
            String usage = Cli.run(command, "--help").out().split("\n\\S", 2)[0];
            if (usage.contains("TARGET") || usage.contains("IMAGE")) {
                commands.add(command);
            }
        }
        return commands;
    }

    @Test
    void everyCommandThatReadsAnImageTakesPid() throws Exception {
        List<String> commands = imageCommands();
        assertThat(commands).contains("report", "auxv", "maps", "dump", "file", "headers", "symbols", "disasm", "gate",
                "diff");
        for (String command : commands) {
            assertThat(Cli.run(command, "--help").out()).as(command).contains("-p, --pid=PID");
            if (!List.of("auxv", "maps", "dump").contains(command)) {
                // Those three read processes only: for them a file called self is no target at all.
                assertThat(Cli.run(command, "--help").out()).as(command).contains(Targets.SHADOWED);
            }
        }
        // And it means pid:N: the same output, byte for byte.
        String n = Long.toString(child.pid());
        for (List<String> line : List.of(List.of("report"), List.of("auxv"), List.of("maps"), List.of("file"),
                List.of("headers"), List.of("symbols"), List.of("symbols", "--style=objdump"), List.of("symbols", "--json"),
                List.of("disasm"), List.of("gate"), List.of("diff", "self"))) {
            List<String> byOption = new ArrayList<>(line);
            byOption.addAll(List.of("--pid", n));
            List<String> byArgument = new ArrayList<>(line);
            byArgument.add(pid());
            Cli.Result option = Cli.run(byOption.toArray(String[]::new));
            Cli.Result argument = Cli.run(byArgument.toArray(String[]::new));
            assertThat(option.out()).as(String.join(" ", byOption)).isNotEmpty().isEqualTo(argument.out());
            assertThat(option.stderr()).as(String.join(" ", byOption)).isEqualTo(argument.stderr());
            assertThat(option.exitCode()).as(String.join(" ", byOption)).isEqualTo(argument.exitCode());
        }
        Cli.Result dumpByOption = Cli.run("dump", "--pid", n, "-o", dir.resolve("by-option.so").toString());
        assertThat(dumpByOption.exitCode()).as(dumpByOption.stderr()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("by-option.so"))).isEqualTo(Files.readAllBytes(dumped(pid())));
    }

    @Test
    void severalTargetsOrPidNotBoth() {
        Cli.Result both = Cli.run("symbols", "--pid", Long.toString(child.pid()), "/bin/true");
        assertThat(both.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(both.stderr()).isEqualTo("vdsoscope: give targets or --pid, not both\n");
        Cli.Result neither = Cli.run("headers");
        assertThat(neither.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(neither.stderr()).startsWith("vdsoscope: Missing required parameter: 'TARGET'\n");
        assertThat(neither.out()).isEmpty();
    }

    /**
     * A process id is checked the same way however it is given, by every command: ASCII decimal
     * digits (not another script's, which Java's number parsers take), a positive number that fits; the
     * error names it {@code pid:N}, as every message about a process does.
     */
    @Test
    void aProcessIdIsCheckedTheSameWayEverywhere() {
        for (String bad : List.of("0", "00", "-1", "+5", " 5", "abc", "\u0661\u0662", "\uff11", "1e3",
                "99999999999999999999", "")) {
            String expected = "vdsoscope: pid:" + bad + ": not a process id: pid:N and --pid N take a positive decimal number\n";
            for (List<String> line : List.of(List.of("symbols", "pid:" + bad), List.of("symbols", "--pid", bad),
                    List.of("symbols", "--style=objdump", "pid:" + bad), List.of("file", "-p", bad),
                    List.of("headers", "--pid=" + bad), List.of("auxv", "pid:" + bad), List.of("auxv", "--pid", bad),
                    List.of("maps", "-p", bad), List.of("dump", "--pid", bad), List.of("report", "--pid", bad),
                    List.of("pid:" + bad), List.of("--pid", bad), List.of("disasm", "pid:" + bad),
                    List.of("gate", "--pid", bad), List.of("diff", "self", "pid:" + bad), List.of("diff", "self", "--pid", bad))) {
                Cli.Result r = Cli.run(line.toArray(String[]::new));
                assertThat(r.stderr()).as(line.toString()).isEqualTo(expected);
                assertThat(r.exitCode()).as(line.toString()).isEqualTo(ExitCode.BAD_INPUT);
                assertThat(r.out()).as(line.toString()).isEmpty();
            }
        }
    }

    @Test
    void aProcessThatIsGoneIsNamedPidN() {
        // A pid above the kernel's pid_max (at most 2^22) names no process.
        for (List<String> line : List.of(List.of("symbols", "pid:4194305"), List.of("symbols", "--pid", "4194305"),
                List.of("auxv", "--pid", "4194305"), List.of("report", "pid:4194305"))) {
            Cli.Result r = Cli.run(line.toArray(String[]::new));
            assertThat(r.stderr()).as(line.toString()).isEqualTo("vdsoscope: pid:4194305: no such process\n");
            assertThat(r.exitCode()).as(line.toString()).isEqualTo(ExitCode.BAD_INPUT);
        }
    }

    /**
     * A file is named in headings and messages exactly as given, as objdump names it: {@code a//b}
     * is not made {@code a/b}.
     */
    @Test
    void aFileKeepsTheNameItWasGiven() throws Exception {
        Path fixture = Fixtures.vdsoImages().stream().filter(f -> f.getFileName().toString().startsWith("x86_64"))
                .findFirst().orElseThrow();
        String given = fixture.getParent() + "//" + fixture.getFileName();
        assumeTrue(haveObjdump(), "objdump (binutils) is the oracle");
        String objdumpT = run("objdump", "-T", given);
        assertThat(objdumpT).contains("\n" + given + ":     file format ");
        assertThat(Cli.run("symbols", "--style=objdump", given).out()).isEqualTo(objdumpT);
        assertThat(Cli.run("symbols", given).out()).startsWith(given + ":\n");
        assertThat(Cli.run("headers", "--only", "header", given).out()).startsWith(given + ":\n");
        if (dev.vdsoscope.disasm.CapstoneLibrary.find().isPresent()) {
            String objdumpD = run("objdump", "-d", given);
            String heading = objdumpD.lines().filter(l -> l.contains(":     file format ")).findFirst().orElseThrow();
            String ours = Cli.run("disasm", given).out().lines().findFirst().orElseThrow();
            assertThat(ours.substring(0, ours.indexOf(": "))).isEqualTo(heading.substring(0, heading.indexOf(":     ")));
            assertThat(Cli.run("disasm", given, "--symbol", "no_such_function").stderr())
                    .startsWith("vdsoscope: " + given + ": no function named no_such_function (it has ")
                    .contains("clock_gettime").endsWith(")\n");
        }
        String missing = dir + "//no" + "/.//such.so";
        for (String command : List.of("symbols", "headers", "file", "report", "disasm", "gate")) {
            Cli.Result r = Cli.run(command, missing);
            assertThat(r.stderr()).as(command).isEqualTo("vdsoscope: " + missing + ": no such file or directory\n");
        }
    }

    private static boolean haveObjdump() {
        return dev.vdsoscope.elf.testing.HostTools.installed("objdump");
    }

    /** What a child JVM running vdsoscope printed. */
    private record ChildRun(int exitCode, String out, String err) {}

    /**
     * Runs vdsoscope in a new JVM, in {@code directory}, under {@code locale} (LC_ALL, the other
     * locale variables removed), through sh so that {@code shellArgs} may make bytes with printf
     * whatever this JVM's own encoding is.
     */
    private static ChildRun childJvm(Path directory, String locale, String shellArgs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", "exec \"$0\" --enable-native-access=ALL-UNNAMED -cp \"$1\" "
                + Main.class.getName() + " " + shellArgs, java, classPath).directory(directory.toFile());
        builder.environment().keySet().removeIf(name -> name.equals("LANG") || name.startsWith("LC_"));
        builder.environment().put("LC_ALL", locale);
        Process p = builder.start();
        byte[] err = p.getErrorStream().readAllBytes();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new ChildRun(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /**
     * A file name that the locale's encoding cannot hold (UTF-8 bytes under LC_ALL=C, where the JVM
     * decodes arguments as ASCII) is said as such, with the way out, by every kind of command: the
     * batches, the objdump fast path, the single-target commands and ldd.
     */
    @Test
    void aNameTheLocaleCannotHoldSaysSo() throws Exception {
        for (String command : List.of("symbols", "symbols --style=objdump", "headers", "file", "report", "disasm", "ldd")) {
            ChildRun r = childJvm(dir, "C", command + " \"$(printf 'caf\\303\\251.so')\"");
            assertThat(r.exitCode()).as(command + ": " + r.err()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(r.err()).as(command).matches("vdsoscope: caf.+\\.so: cannot be a file name in this locale's"
                    + " encoding \\([^)]+\\); run under a UTF-8 locale\n");
            assertThat(r.out()).as(command).isEmpty();
        }
    }

    /**
     * {@code self} and {@code pid:N} keep their vDSO meaning when a file here has that name (as the
     * README says), and each such argument gets one warning naming the way to the file.
     */
    @Test
    void aFileCalledSelfOrPidNIsNamedWithDotSlash() throws Exception {
        Path fixture = Fixtures.vdsoImages().getFirst();
        Files.copy(fixture, dir.resolve("self"));
        Files.copy(fixture, dir.resolve(pid()));
        String ownVdso = "self: " + Cli.run("file", "-b", "self").out();
        String theFile = "./self: " + Cli.run("file", "-b", fixture.toString()).out();
        String selfWarning = "vdsoscope: self: warning: a file here is also named self; self means vdsoscope's own"
                + " vDSO: name the file ./self\n";
        String pidWarning = "vdsoscope: " + pid() + ": warning: a file here is also named " + pid() + "; " + pid()
                + " means the vDSO of process " + child.pid() + ": name the file ./" + pid() + "\n";

        ChildRun file = childJvm(dir, "C.UTF-8", "file -N self ./self");
        assertThat(file.exitCode()).as(file.err()).isZero();
        assertThat(file.out()).isEqualTo(ownVdso + theFile);
        assertThat(file.err()).isEqualTo(selfWarning);

        // The objdump batch (the fast path, without picocli) warns too, before its output.
        ChildRun symbols = childJvm(dir, "C.UTF-8", "symbols --style=objdump ./self " + pid() + " self");
        assertThat(symbols.exitCode()).as(symbols.err()).isZero();
        assertThat(symbols.err()).isEqualTo(pidWarning + selfWarning);
        assertThat(symbols.out()).contains("\n./self:     file format ", "\n" + pid() + ":     file format ",
                "\nself:     file format ");

        ChildRun pidOption = childJvm(dir, "C.UTF-8", "file -N --pid " + child.pid());
        assertThat(pidOption.err()).as("--pid names no file").isEmpty();

        assertThat(Path.of("self")).as("no file called self where the tests run").doesNotExist();
        assertThat(Cli.run("file", "self").stderr()).isEmpty();
    }
}
