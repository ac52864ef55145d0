package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Permission cases need a user the file modes apply to: when the tests run as root, the CLI is run
 * again as nobody (through runuser), from a world-readable copy of the class path.
 */
class LddAsUnprivilegedUserTest {
    @TempDir
    Path dir;

    private List<String> command;

    @BeforeEach
    void asNobody() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can switch to nobody");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")), "needs runuser");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> copied = new ArrayList<>();
        int i = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = dir.resolve("cp" + i++);
            if (Files.isDirectory(source)) {
                try (var paths = Files.walk(source)) {
                    for (Path p : (Iterable<Path>) paths::iterator) {
                        Path to = target.resolve(source.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(to);
                        } else {
                            Files.copy(p, to);
                        }
                    }
                }
            } else {
                Files.copy(source, target);
            }
            copied.add(target.toString());
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        command = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "nobody", "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, copied), "dev.vdsoscope.cli.Main", "ldd"));
    }

    private record Run(int exitCode, String output) {}

    private Run ldd(String... arguments) throws Exception {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(arguments));
        Process process = new ProcessBuilder(all).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(process.exitValue(), output);
    }

    @Test
    void anUnreadableFileIsAPermissionProblemAndTheBatchGoesOn() throws Exception {
        Path secret = Files.copy(Path.of("/usr/bin/true"), dir.resolve("secret"));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
        Run run = ldd(secret.toString(), "/usr/bin/true");
        assertThat(run.exitCode()).as(run.output()).isEqualTo(ExitCode.PERMISSION);
        assertThat(run.output()).contains("vdsoscope: " + secret + ": permission denied")
                .contains("/usr/bin/true: x86-64, glibc rules");
    }

    @Test
    void aDirectoryThatCannotBeListedIsWarnedAboutAndStillSearched() throws Exception {
        Path hidden = Files.createDirectories(dir.resolve("hidden"));
        Files.copy(Path.of("/lib/x86_64-linux-gnu/libc.so.6"), hidden.resolve("libc.so.6"));
        Files.setPosixFilePermissions(hidden.resolve("libc.so.6"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(hidden, PosixFilePermissions.fromString("rwx--x--x"));
        Run run = ldd("--library-path", hidden.toString(), "/usr/bin/true");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("warning: " + hidden + ": cannot list the directory (permission denied)")
                .contains(hidden + "/libc.so.6");
    }
}
