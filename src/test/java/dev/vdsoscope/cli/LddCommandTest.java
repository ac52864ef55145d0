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
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(programs[0] + ":\n\tnot a dynamic executable\n"
                + programs[1] + ":\n\tstatically linked\n");
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
        assumeTrue(dev.vdsoscope.loader.Hwcaps.detect().glibcHwcaps().contains("x86-64-v2"));
        Path program = dev.vdsoscope.loader.GccAccess.programWithHwcapsLibrary(dir, "x86-64-v2");
        Cli.Result detected = Cli.run("ldd", "--style=ldd", program.toString());
        Cli.Result none = Cli.run("ldd", "--style=ldd", "--hwcaps=", program.toString());
        Cli.Result chosen = Cli.run("ldd", "--style=ldd", "--hwcaps=x86-64-v3,x86-64-v2", program.toString());
        assertThat(detected.out()).contains(dir + "/lib/glibc-hwcaps/x86-64-v2/libdep.so");
        assertThat(chosen.out()).contains(dir + "/lib/glibc-hwcaps/x86-64-v2/libdep.so");
        assertThat(none.out()).contains("libdep.so => " + dir + "/lib/libdep.so");
        assertThat(none.exitCode()).isZero();
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
        assertThat(withoutPicocli.stderr()).isEqualTo(withPicocli.stderr()).contains("missing: no such file");
        assertThat(withoutPicocli.exitCode()).isEqualTo(withPicocli.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        for (String other : List.of("ldd --style=ldd", "ldd --why --style=ldd /bin/true", "ldd --style=ldd @files",
                "ldd --style=clear /bin/true", "file --style=ldd /bin/true")) {
            assertThat(Main.styleFastPath(other.split(" "), "ldd", "ldd")).as(other).isNull();
        }
    }
}
