package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * auxv, maps, dump and report against real processes, with independent readers and glibc's own
 * LD_SHOW_AUXV=1 output as oracles.
 */
class LiveProcessCommandsTest {
    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void stopChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    /** Starts `sleep` with LD_SHOW_AUXV=1 and returns glibc's dump of its auxiliary vector. */
    private List<String> startChildShowingAuxv() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sleep", "60");
        builder.environment().put("LD_SHOW_AUXV", "1");
        child = builder.start();
        var reader = child.inputReader(StandardCharsets.UTF_8);
        List<String> lines = new java.util.ArrayList<>();
        // The first line proves the exec is done; then glibc prints one line per entry before AT_NULL,
        // so the raw vector (16 bytes an entry) says how many follow.
        lines.add(reader.readLine());
        int expected = Files.readAllBytes(Path.of("/proc/" + child.pid() + "/auxv")).length / 16 - 1;
        for (int i = 1; i < expected; i++) {
            lines.add(reader.readLine());
        }
        return lines;
    }

    private static Map<String, String> byName(List<String> ldShowAuxv) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : ldShowAuxv) {
            int colon = line.indexOf(": ");
            map.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return map;
    }

    @Test
    void auxvOfAChildMatchesItsOwnLdShowAuxvLineForLine() throws Exception {
        List<String> glibc = startChildShowingAuxv();
        assertThat(glibc).isNotEmpty();
        Cli.Result ours = Cli.run("auxv", "--pid", Long.toString(child.pid()), "--style=ld-show-auxv");
        assertThat(ours.exitCode()).isZero();
        assertThat(ours.stderr()).isEmpty();
        assertThat(ours.out().lines().toList()).isEqualTo(glibc);
        Map<String, String> fields = byName(glibc);
        assertThat(fields).containsKeys("AT_PAGESZ", "AT_HWCAP", "AT_PHENT", "AT_UID", "AT_PLATFORM", "AT_SYSINFO_EHDR");
    }

    /** A 32-bit x86 process's glibc prints AT_HWCAP as names; the tool must print what the process would. */
    @Test
    void auxvOfA32BitChildMatchesItsOwnLdShowAuxv() throws Exception {
        // The loader prints the vector before main runs; main then says so and waits.
        Files.writeString(dir.resolve("wait.c"),
                "#include <unistd.h>\nint main(void) { write(1, \"ready\\n\", 6); pause(); return 0; }\n");
        Assumptions.assumeTrue(Toolchain.works(dir, "gcc", "-m32", "-o", "wait32", "wait.c"),
                "gcc -m32 needs gcc-multilib");
        ProcessBuilder builder = new ProcessBuilder(dir.resolve("wait32").toString());
        builder.environment().put("LD_SHOW_AUXV", "1");
        child = builder.start();
        List<String> glibc = new java.util.ArrayList<>();
        var reader = child.inputReader(StandardCharsets.UTF_8);
        for (String line = reader.readLine(); line != null && !line.equals("ready"); line = reader.readLine()) {
            glibc.add(line);
        }

        Cli.Result ours = Cli.run("auxv", "--pid", Long.toString(child.pid()), "--style=ld-show-auxv");

        assertThat(ours.exitCode()).isZero();
        assertThat(ours.stderr()).isEmpty();
        assertThat(ours.out().lines().toList()).isEqualTo(glibc);
        assertThat(glibc).anyMatch(line -> line.startsWith("AT_HWCAP:    fpu "));
        assertThat(glibc).anyMatch(line -> line.startsWith("AT_SYSINFO: "));
    }

    @Test
    void childsSysinfoEhdrIsTheStartOfItsVdsoMapping() throws Exception {
        Map<String, String> glibc = byName(startChildShowingAuxv());
        long ehdr = Long.parseUnsignedLong(glibc.get("AT_SYSINFO_EHDR").substring(2), 16);
        String maps = Files.readString(Path.of("/proc/" + child.pid() + "/maps"));
        String vdso = maps.lines().filter(l -> l.endsWith("[vdso]")).findFirst().orElseThrow();
        assertThat(ehdr).isEqualTo(Long.parseUnsignedLong(vdso.substring(0, vdso.indexOf('-')), 16));

        Cli.Result json = Cli.run("auxv", "--pid", Long.toString(child.pid()), "--json");
        assertThat(json.exitCode()).isZero();
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.stdout());
        var entry = java.util.stream.StreamSupport.stream(tree.get("entries").spliterator(), false)
                .filter(e -> e.get("name").asText().equals("AT_SYSINFO_EHDR")).findFirst().orElseThrow();
        assertThat(entry.get("hex").asText()).isEqualTo("0x" + Long.toHexString(ehdr));
    }

    @Test
    void dumpOfOwnProcessEqualsTheVdsoReadIndependently() throws Exception {
        Path out = dir.resolve("vdso.so");
        Cli.Result dump = Cli.run("dump", "-o", out.toString());
        assertThat(dump.exitCode()).isZero();
        byte[] expected = readOwnVdso();
        assertThat(Files.readAllBytes(out)).isEqualTo(expected);

        Cli.Result symbols = Cli.run("symbols", "--style=objdump", out.toString());
        Process objdump = new ProcessBuilder("objdump", "-T", out.toString()).start();
        byte[] oracle = objdump.getInputStream().readAllBytes();
        objdump.waitFor();
        assertThat(new String(symbols.stdout(), StandardCharsets.UTF_8)).isEqualTo(new String(oracle, StandardCharsets.UTF_8));
    }

    /** The [vdso] range of this JVM, read with plain Java file I/O on /proc/self/mem. */
    private static byte[] readOwnVdso() throws IOException {
        String line = Files.readString(Path.of("/proc/self/maps")).lines().filter(l -> l.endsWith("[vdso]"))
                .findFirst().orElseThrow();
        String[] range = line.substring(0, line.indexOf(' ')).split("-");
        long start = Long.parseUnsignedLong(range[0], 16);
        long end = Long.parseUnsignedLong(range[1], 16);
        byte[] bytes = new byte[(int) (end - start)];
        try (RandomAccessFile mem = new RandomAccessFile("/proc/self/mem", "r")) {
            mem.seek(start);
            mem.readFully(bytes);
        }
        return bytes;
    }

    @Test
    void dumpNeverClobbersAndNeverFollowsASymlink() throws Exception {
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "precious");
        Path link = dir.resolve("link.so");
        Files.createSymbolicLink(link, victim);

        Cli.Result refused = Cli.run("dump", "-o", link.toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(refused.stderr().lines().toList()).hasSize(1);
        assertThat(refused.stderr()).startsWith("vdsoscope: " + link + ": exists");

        Cli.Result forced = Cli.run("dump", "--force", "-o", link.toString());
        assertThat(forced.exitCode()).isZero();
        assertThat(Files.readString(victim)).isEqualTo("precious");
        assertThat(Files.isSymbolicLink(link)).isFalse();
        assertThat(Files.readAllBytes(link)).isEqualTo(readOwnVdso());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("victim", "link.so");
        }
    }

    @Test
    void aPidThatDoesNotExistIsOneLineAndExitTwo() {
        Cli.Result result = Cli.run("report", "--pid", "999999999");
        assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(result.stderr()).isEqualTo("vdsoscope: pid:999999999: no such process\n");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void aKernelThreadHasNoVdso() {
        Cli.Result result = Cli.run("report", "--pid", "2");
        assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(result.stderr()).isEqualTo(
                "vdsoscope: pid:2: is a kernel thread: it has no user address space, auxiliary vector or vDSO\n");
    }

    @Test
    void aProcessThatExitsIsReportedAsGone() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        var process = dev.vdsoscope.proc.LinuxProcess.of(sleeper.pid());
        sleeper.destroyForcibly().waitFor();
        var error = org.junit.jupiter.api.Assertions.assertThrows(dev.vdsoscope.proc.ProcessException.class, process::auxv);
        assertThat(error.kind()).isEqualTo(dev.vdsoscope.proc.ProcessException.Kind.EXITED);
        assertThat(error.getMessage()).isEqualTo("process exited while it was being read");
    }

    @Test
    void reportAndItsJsonTellTheSameFacts() throws Exception {
        Cli.Result text = Cli.run();
        assertThat(text.exitCode()).isZero();
        Cli.Result json = Cli.run("report", "--json");
        assertThat(json.exitCode()).isZero();
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.stdout());
        String start = tree.get("vdso").get("start").asText();
        assertThat(tree.get("auxvSysinfoEhdr").asText()).isEqualTo(start);
        assertThat(tree.get("locationsAgree").asBoolean()).isTrue();
        assertThat(tree.get("soname").asText()).isEqualTo("linux-vdso.so.1");
        // Every exported function named in the JSON appears in the text report too.
        for (var f : tree.get("functions")) {
            for (var name : f.get("names")) {
                assertThat(text.out()).contains(name.asText());
            }
        }
        String maps = Files.readString(Path.of("/proc/self/maps"));
        assertThat(maps).contains(start.substring(2) + "-");
    }

    @Test
    void theReportQuotesLddsVdsoLineInLddsOwnFormat() throws Exception {
        // The address differs per process; its form (padding, parentheses) is ldd's, asked on this host.
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/ldd")), "needs glibc's ldd");
        String javaLauncher = ProcessHandle.current().info().command().orElseThrow();
        Process ldd = new ProcessBuilder("/usr/bin/ldd", javaLauncher).redirectErrorStream(true).start();
        String lddOut = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ldd.waitFor();
        var vdsoLine = Pattern.compile("\tlinux-vdso\\.so\\.1 \\(0x([0-9a-f]+)\\)").matcher(lddOut);
        Assumptions.assumeTrue(vdsoLine.find(), "this ldd lists no vDSO: " + lddOut);
        var quoted = Pattern.compile("ldd lists it as \"linux-vdso\\.so\\.1 \\(0x([0-9a-f]+)\\)\"")
                .matcher(Cli.run().out());
        assertThat(quoted.find()).as("the report quotes ldd's line").isTrue();
        assertThat(quoted.group(1)).hasSameSizeAs(vdsoLine.group(1));
    }
}
