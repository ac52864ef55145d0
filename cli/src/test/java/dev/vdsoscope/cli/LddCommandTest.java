package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LddCommandTest {
    @TempDir
    Path dir;

    private static String ldd(String file) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("ldd", file).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(1, TimeUnit.MINUTES);
        return output;
    }

    private static String withoutAddresses(String text) {
        return text.replaceAll(" \\(0x[0-9a-f]+\\)", "");
    }

    @Test
    void lddStyleIsLddsOutputWithTheVdsoAtThisProcessesAddress() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ldd")));
        Cli.Result result = Cli.run("ldd", "--style=ldd", "/usr/bin/ls");
        assertThat(result.exitCode()).isZero();
        assertThat(withoutAddresses(result.out())).isEqualTo(withoutAddresses(ldd("/usr/bin/ls")));
        long base = dev.vdsoscope.vdso.Vdso.find().orElseThrow().base();
        assertThat(result.out()).contains("\tlinux-vdso.so.1 (0x" + String.format("%016x", base) + ")");
    }

    @Test
    void badInputGetsOneLineEachAndTheRestOfTheBatchIsDone() throws Exception {
        Path script = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        Files.createSymbolicLink(dir.resolve("loop-a"), dir.resolve("loop-b"));
        Files.createSymbolicLink(dir.resolve("loop-b"), dir.resolve("loop-a"));
        Cli.Result result = Cli.run("ldd", dir.resolve("missing").toString(), script.toString(), dir.toString(),
                dir.resolve("loop-a").toString(), "/usr/bin/ls");
        assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(result.stderr().lines().toList()).containsExactly(
                "vdsoscope: " + dir.resolve("missing") + ": no such file or directory",
                "vdsoscope: " + script + ": not an ELF file",
                "vdsoscope: " + dir + ": is a directory",
                "vdsoscope: " + dir.resolve("loop-a") + ": too many levels of symbolic links");
        assertThat(result.out()).contains("/usr/bin/ls: x86-64, glibc rules").contains("libc.so.6");
    }

    @Test
    void anUnreadableFileIsAPermissionProblem() throws Exception {
        assumeTrue(!"root".equals(System.getProperty("user.name")), "root reads everything");
        Path secret = Files.copy(Path.of("/usr/bin/ls"), dir.resolve("secret"));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        Cli.Result result = Cli.run("ldd", secret.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.PERMISSION);
    }

    @Test
    void aMissingLibraryIsAFindingAndWhyListsEveryPlaceSearched() throws Exception {
        assumeTrue(dev.vdsoscope.loader.GccAccess.available());
        Path program = dev.vdsoscope.loader.GccAccess.programNeeding(dir, "libnowhere.so.7");
        Cli.Result result = Cli.run("ldd", "--why", "--library-path", dir.resolve("llp").toString(), program.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.FINDINGS);
        assertThat(result.out())
                .contains("libnowhere.so.7")
                .contains("NOT FOUND")
                .contains("searched LD_LIBRARY_PATH: " + dir.resolve("llp") + ": " + dir.resolve("llp") + " (no such file)")
                .contains("searched ld.so.cache (/etc/ld.so.cache): /etc/ld.so.cache (no entry for libnowhere.so.7)")
                .contains("searched default directories: /usr/lib/x86_64-linux-gnu (no such file)");
    }

    @Test
    void staticExecutablesAreRecognisedAsLddRecognisesThem() throws Exception {
        assumeTrue(dev.vdsoscope.loader.GccAccess.available());
        Path[] programs = dev.vdsoscope.loader.GccAccess.staticPrograms(dir);
        Cli.Result result = Cli.run("ldd", "--style=ldd", programs[0].toString(), programs[1].toString());
        // ldd: "not a dynamic executable" on standard error, and status 1 for it.
        assertThat(result.out()).isEqualTo(programs[0] + ":\n" + programs[1] + ":\n\tstatically linked\n");
        assertThat(result.stderr()).isEqualTo("\tnot a dynamic executable\n");
        assertThat(result.exitCode()).isEqualTo(1);
        Cli.Result clear = Cli.run("ldd", programs[0].toString(), programs[1].toString());
        assertThat(clear.exitCode()).as("the default style's contract").isZero();
        assertThat(clear.out()).contains(programs[0] + ": not a dynamic executable (x86-64, no dynamic table)")
                .contains(programs[1] + ": statically linked");
    }

    @Test
    void jsonHasOneDocumentWithEveryFile() throws Exception {
        Cli.Result result = Cli.run("ldd", "--json", "/usr/bin/ls", "/usr/bin/true");
        JsonNode document = new ObjectMapper().readTree(result.stdout());
        assertThat(document.get("command").asText()).isEqualTo("ldd");
        assertThat(document.get("files")).hasSize(2);
        JsonNode ls = document.get("files").get(0);
        assertThat(ls.get("linkage").asText()).isEqualTo("dynamic");
        List<String> kinds = new ArrayList<>();
        ls.get("libraries").forEach(l -> kinds.add(l.get("kind").asText()));
        assertThat(kinds).contains("vdso", "file", "interpreter");
        assertThat(ls.get("libraries").get(0).get("reason").asText()).contains("kernel");
    }

    @Test
    void treeShowsWhoPulledInWhom() {
        Cli.Result result = Cli.run("ldd", "--tree", "/usr/bin/ls");
        assertThat(result.out()).contains("\n    libselinux.so.1 => ").contains("\n        libpcre2-8.so.0 => ");
    }

    @Test
    void anEmptyHwcapsOptionSearchesNoGlibcHwcapsSubdirectory() throws Exception {
        assumeTrue(dev.vdsoscope.loader.GccAccess.available());
        assumeTrue(dev.vdsoscope.loader.HostHwcaps.forX86_64().glibcHwcaps().contains("x86-64-v2"));
        Path program = dev.vdsoscope.loader.GccAccess.programWithHwcapsLibrary(dir, "x86-64-v2");
        Cli.Result detected = Cli.run("ldd", "--style=ldd", program.toString());
        Cli.Result none = Cli.run("ldd", "--style=ldd", "--hwcaps=", program.toString());
        Cli.Result chosen = Cli.run("ldd", "--style=ldd", "--hwcaps=x86-64-v3,x86-64-v2", program.toString());
        assertThat(detected.out()).contains(dir + "/lib/glibc-hwcaps/x86-64-v2/libdep.so");
        assertThat(chosen.out()).contains(dir + "/lib/glibc-hwcaps/x86-64-v2/libdep.so");
        assertThat(none.out()).contains("libdep.so => " + dir + "/lib/libdep.so");
        assertThat(none.exitCode()).isZero();
    }

    /**
     * --cpu works the search out for another CPU: a recorded Skylake-SP makes $PLATFORM haswell and
     * searches avx512_1; a recorded Zen 4 keeps x86_64 (the platform rules are Intel's only); a
     * saved ld.so --list-diagnostics of this machine gives what this machine gives.
     */
    @Test
    void cpuProfilesChooseThePlatformDirectory() throws Exception {
        assumeTrue(dev.vdsoscope.loader.GccAccess.available());
        Path built = dev.vdsoscope.loader.GccAccess.library(dir.resolve("build/libdep.so"), "libdep.so", "dep");
        for (String platform : List.of("x86_64", "haswell")) {
            Files.createDirectories(dir.resolve("p/" + platform));
            Files.copy(built, dir.resolve("p/" + platform + "/libdep.so"));
        }
        Path program = dev.vdsoscope.loader.GccAccess.compile(dir.resolve("prog"),
                "int dep(void); int main(void) { return dep(); }\n", built.toString(),
                "-Wl,--enable-new-dtags,-rpath," + dir.resolve("p") + "/$PLATFORM");
        Cli.Result skylake = Cli.run("ldd", "--why", "--tunables=", "--cpu", "intel-skylake-sp", program.toString());
        assertThat(skylake.exitCode()).isZero();
        assertThat(skylake.out()).containsPattern("\\n  libdep\\.so +" + java.util.regex.Pattern.quote(dir + "/p/haswell/libdep.so"))
                .contains("capabilities: the recorded CPU intel-skylake-sp, arch_kind_intel family 0x6 model 0x55")
                .contains("$PLATFORM: haswell")
                .contains("glibc-hwcaps subdirectories: x86-64-v4, x86-64-v3, x86-64-v2")
                .contains("every combination of tls, haswell, avx512_1, x86_64");
        Cli.Result zen4 = Cli.run("ldd", "--style=ldd", "--tunables=", "--cpu", "amd-zen4", program.toString());
        assertThat(zen4.out()).contains("libdep.so => " + dir + "/p/x86_64/libdep.so");

        Path ldSo = Path.of("/lib64/ld-linux-x86-64.so.2");
        assumeTrue(Files.isExecutable(ldSo));
        Process diagnostics = new ProcessBuilder(ldSo.toString(), "--list-diagnostics").start();
        Path saved = Files.write(dir.resolve("diagnostics.txt"), diagnostics.getInputStream().readAllBytes());
        assertThat(diagnostics.waitFor()).isZero();
        Cli.Result fromFile = Cli.run("ldd", "--style=ldd", "--tunables=", "--cpu", saved.toString(), program.toString());
        Cli.Result host = Cli.run("ldd", "--style=ldd", "--tunables=", program.toString());
        assertThat(withoutAddresses(fromFile.out())).isEqualTo(withoutAddresses(host.out()));
        // A profile that is neither, and one that does not exist: one line each, exit 2.
        Path junk = Files.writeString(dir.resolve("junk.txt"), "hello\n");
        Cli.Result bad = Cli.run("ldd", "--cpu", junk.toString(), program.toString());
        assertThat(bad.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(bad.stderr()).isEqualTo("vdsoscope: --cpu " + junk
                + ": neither a CPUID dump (\"CPUID 00000000: ...\" lines) nor ld.so --list-diagnostics output\n");
        Cli.Result missing = Cli.run("ldd", "--cpu", "nosuch-cpu", program.toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(missing.stderr()).startsWith("vdsoscope: --cpu nosuch-cpu: no such file, and not a recorded CPU");
        assertThat(Cli.run("ldd", "--cpu", "list").out().lines().toList()).contains("amd-zen4", "intel-haswell");
    }

    /** The environment's GLIBC_TUNABLES, or --tunables, as ld.so honours them; --why says which. */
    @Test
    void tunablesAreHonouredAndSaid() throws Exception {
        assumeTrue(dev.vdsoscope.loader.GccAccess.available());
        Path program = dev.vdsoscope.loader.GccAccess.programWithHwcapsLibrary(dir, "x86-64-v2");
        Cli.Result result = Cli.run("ldd", "--why", "--cpu", "intel-haswell",
                "--tunables", "glibc.cpu.hwcaps=-SSE4_2:glibc.malloc.check=3", program.toString());
        assertThat(result.out()).contains("glibc-hwcaps subdirectories: none")
                .contains("note: GLIBC_TUNABLES glibc.cpu.hwcaps: -SSE4_2 honoured, as ld.so honours it")
                .contains("note: GLIBC_TUNABLES glibc.malloc.check=3 does not change the library search")
                .containsPattern("\\n  libdep\\.so +" + java.util.regex.Pattern.quote(dir + "/lib/libdep.so\n"));
    }

    /** ldd --style=ldd FILE... skips picocli (Main.styleFastPath); "--" sends the same line through it. */
    @Test
    void lddStyleSaysTheSameWithAndWithoutPicocli() throws Exception {
        Path script = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        List<String> files = List.of("/bin/true", "/usr/bin/ls", dir.resolve("missing").toString(), script.toString(),
                dir.toString(), "/dev/null", "/lib64/ld-linux-x86-64.so.2");
        List<String> fast = new ArrayList<>(List.of("ldd", "--style=ldd"));
        fast.addAll(files);
        List<String> parsed = new ArrayList<>(List.of("ldd", "--style=ldd", "--"));
        parsed.addAll(files);
        assertThat(Main.styleFastPath(fast.toArray(String[]::new), "ldd", "ldd")).isEqualTo(files);
        assertThat(Main.styleFastPath(parsed.toArray(String[]::new), "ldd", "ldd")).isNull();
        assertThat(Main.styleFastPath(new String[] {"ldd", "/bin/true", "--style", "ldd", "/usr/bin/ls"}, "ldd", "ldd"))
                .as("the style spelled apart, after a file").containsExactly("/bin/true", "/usr/bin/ls");
        Cli.Result withoutPicocli = Cli.run(fast.toArray(String[]::new));
        Cli.Result withPicocli = Cli.run(parsed.toArray(String[]::new));
        assertThat(withoutPicocli.out()).isEqualTo(withPicocli.out()).contains("/usr/bin/ls:\n\tlinux-vdso.so.1 (0x");
        // ldd's own words and status for a file it cannot trace.
        assertThat(withoutPicocli.stderr()).isEqualTo(withPicocli.stderr())
                .contains("ldd: " + dir.resolve("missing") + ": No such file or directory\n")
                .contains("ldd: /dev/null: not regular file\n");
        assertThat(withoutPicocli.exitCode()).isEqualTo(withPicocli.exitCode()).isEqualTo(1);
        for (String other : List.of("ldd --style=ldd", "ldd --why --style=ldd /bin/true", "ldd --style=ldd @files",
                "ldd --style=clear /bin/true", "file --style=ldd /bin/true")) {
            assertThat(Main.styleFastPath(other.split(" "), "ldd", "ldd")).as(other).isNull();
        }
    }
}
