package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package, built by scripts/build-deb from the jar 'package' made, then installed into a
 * scratch root the way dpkg installs it: dpkg-deb -x unpacks the same files with the same modes and
 * times that dpkg -i would write under /, only under another directory (a real dpkg -i needs root
 * over a whole system, a chroot made with debootstrap, which this test does not build). The
 * unpacked tool runs from there with no JDK on PATH and no JAVA_HOME, on the runtime it carries;
 * man(1) finds its pages by name through MANPATH, and the shells run its completion files.
 */
class DebPackageIT {
    private static final Path APP_DIR = Path.of("cli/target").toAbsolutePath();
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

    /** One package for every test: building it takes most of a minute. */
    @TempDir
    static Path temp;

    private static Path deb;
    private static Path root;

    @BeforeAll
    static void buildAndUnpack() throws Exception {
        assumeTrue(HostRun.onPath("dpkg-deb") && HostRun.onPath("dpkg-shlibdeps"),
                "dpkg-deb or dpkg-shlibdeps is missing (Debian: dpkg-dev, which scripts/install-test-deps installs)");
        assumeTrue(Runtime.version().feature() >= 25 && Files.isExecutable(Path.of(System.getProperty("java.home"), "bin", "jlink")),
                "the package needs a JDK 25 or newer with jlink; this is " + System.getProperty("java.home"));
        ProcessBuilder build = new ProcessBuilder("scripts/build-deb", APP_DIR.toString(), temp.resolve("out").toString());
        build.environment().put("JAVA_HOME", System.getProperty("java.home"));
        HostRun built = HostRun.of(build, BUILD_TIMEOUT);
        assertThat(built.exitCode()).as("scripts/build-deb:\n" + built.stderr()).isZero();
        deb = Path.of(built.stdout().strip());
        root = temp.resolve("root");
        HostRun unpacked = HostRun.of(RUN_TIMEOUT, "dpkg-deb", "-x", deb.toString(), root.toString());
        assertThat(unpacked.exitCode()).as(unpacked.stderr()).isZero();
    }

    @Test
    void controlNamesThePackageItsLibcAndCapstone() throws Exception {
        HostRun info = HostRun.of(RUN_TIMEOUT, "dpkg-deb", "-f", deb.toString(), "Package", "Version", "Architecture",
                "Depends", "Recommends");
        String version = VersionInfo.release().replace('-', '~');

        assertThat(info.exitCode()).isZero();
        assertThat(info.stdout()).contains("Package: vdsoscope\n", "Version: " + version + "\n", "Architecture: amd64\n",
                "Recommends: libcapstone4 | libcapstone5\n").containsPattern("(?m)^Depends: libc6 \\(>= 2\\.\\d+\\)$");
        assertThat(deb.getFileName().toString()).isEqualTo("vdsoscope_" + version + "_amd64.deb");
        HostRun members = HostRun.of(RUN_TIMEOUT, "dpkg-deb", "-I", deb.toString());
        assertThat(members.stdout()).as("the control archive's members").containsPattern("(?m)^ +\\d+ bytes, +\\d+ lines +md5sums");
    }

    @Test
    void filesAreWhereDebianLooksForThem() throws Exception {
        HostRun contents = HostRun.of(RUN_TIMEOUT, "dpkg-deb", "-c", deb.toString());
        List<String> paths = contents.stdout().lines().map(line -> line.substring(line.indexOf("./") + 1))
                .map(path -> path.replaceFirst(" -> .*", "")).toList();

        assertThat(contents.exitCode()).isZero();
        assertThat(paths).contains("/usr/bin/vdsoscope", "/usr/lib/vdsoscope/vdsoscope.jar",
                "/usr/lib/vdsoscope/runtime/bin/java", "/usr/lib/vdsoscope/vdsoscope.aot",
                "/usr/share/bash-completion/completions/vdsoscope", "/usr/share/zsh/vendor-completions/_vdsoscope",
                "/usr/share/doc/vdsoscope/copyright", "/usr/share/doc/vdsoscope/changelog.gz",
                "/usr/share/man/man1/vdsoscope.1.gz");
        for (String command : EveryCommandHelpTest.commands()) {
            assertThat(paths).contains("/usr/share/man/man1/vdsoscope-" + command + ".1.gz");
        }
        assertThat(paths).allMatch(path -> path.equals("/") || path.startsWith("/usr/"))
                .noneMatch(path -> path.startsWith("/usr/lib/vdsoscope/runtime/bin/javac"));
        assertThat(contents.stdout().lines()).allMatch(line -> line.contains(" root/root "));
    }

    @Test
    void theUnpackedToolRunsOnItsOwnRuntimeAndStartUpCaches() throws Exception {
        assumeTrue(HostRun.onPath("objdump"), "objdump (binutils) is missing: it is the oracle of symbols --style=objdump");
        HostRun objdump = HostRun.of(RUN_TIMEOUT, "objdump", "-T", "/bin/ls");

        HostRun symbols = vdsoscope("symbols", "--style=objdump", "/bin/ls");
        HostRun report = vdsoscope();
        HostRun version = vdsoscope("--version");

        assertThat(symbols.exitCode()).as(symbols.stderr()).isZero();
        assertThat(symbols.stdout()).isEqualTo(objdump.stdout());
        assertThat(report.exitCode()).as(report.stderr()).isZero();
        assertThat(report.stdout()).startsWith("vDSO of pid ").contains("Exported functions", "clock_gettime");
        assertThat(version.stdout()).contains("JDK " + Runtime.version().feature());
        for (HostRun run : List.of(symbols, report, version)) {
            assertThat(run.stderr()).as("nothing but the JVM's note of the options this test added")
                    .isEqualTo("NOTE: Picked up JDK_JAVA_OPTIONS: -XX:AOTMode=on\n");
        }
    }

    /**
     * Runs the unpacked usr/bin/vdsoscope with an environment that has no JDK: no JAVA_HOME, and a
     * PATH of an empty directory. -XX:AOTMode=on makes the JVM refuse to start unless the package's
     * start-up cache for this command line can be used where the package was unpacked.
     */
    private HostRun vdsoscope(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(root.resolve("usr/bin/vdsoscope").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Path emptyPath = Files.createDirectories(temp.resolve("empty-path"));
        builder.environment().clear();
        builder.environment().putAll(Map.of("PATH", emptyPath.toString(), "HOME", temp.toString(), "LANG", "C.UTF-8",
                "JDK_JAVA_OPTIONS", "-XX:AOTMode=on"));
        return HostRun.of(builder, RUN_TIMEOUT);
    }

    @Test
    void manFindsThePagesByName() throws Exception {
        assumeTrue(HostRun.onPath("man"), "man(1) is not installed (Debian: man-db, which scripts/install-test-deps installs)");
        ProcessBuilder builder = new ProcessBuilder("man", "--warnings", "vdsoscope-ldd");
        builder.environment().putAll(Map.of("MANPATH", root.resolve("usr/share/man").toString(), "MANWIDTH", "80",
                "LC_ALL", "C.UTF-8"));
        builder.environment().remove("MANPAGER");
        builder.environment().remove("PAGER");
        HostRun man = HostRun.of(builder, RUN_TIMEOUT);

        assertThat(man.exitCode()).as(man.stderr()).isZero();
        assertThat(man.stderr()).isEmpty();
        assertThat(man.stdout()).containsPattern("vdsoscope-ldd +- +List +the +shared +libraries").contains("--style=STYLE", "EXIT STATUS");
    }

    @Test
    void bashCompletesFromTheInstalledFile() throws Exception {
        assumeTrue(HostRun.onPath("bash"), "bash is not installed");
        assertThat(ShellCompletionTest.bashComplete(root.resolve("usr/share/bash-completion/completions/vdsoscope"),
                "vdsoscope", "ldd", "--tr")).containsExactly("--tree");
    }

    @Test
    void zshCompletesFromTheInstalledFile() throws Exception {
        assumeTrue(HostRun.onPath("zsh"), "zsh is not installed (Debian: zsh, which scripts/install-test-deps installs)");
        assertThat(ShellCompletionTest.zshComplete(root.resolve("usr/share/zsh/vendor-completions"), "vdsoscope sy"))
                .isEqualTo("vdsoscope symbols ");
    }
}
