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
        assertThat(notANumber.stderr()).isEqualTo("vdsoscope: pid:abc: pid:N needs a process id, a positive number\n");
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
}
