package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unprivileged user asking about root's process must get exit 3 and one line explaining ptrace
 * access. The tool runs as `nobody` from a world-readable copy of its class path.
 */
class PermissionTest {
    @TempDir
    Path dir;

    @Test
    void anotherUsersProcessIsRefusedWithExitThree() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch to nobody");
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "needs setpriv (util-linux)");
        String classPath = worldReadableClassPath();
        Process victim = new ProcessBuilder("sleep", "60").start();
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process tool = new ProcessBuilder(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                    java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                    "dev.vdsoscope.cli.Main", "report", "--pid", Long.toString(victim.pid()))
                    .directory(dir.toFile()).start();
            assertThat(tool.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String err = new String(tool.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(tool.exitValue()).as(err).isEqualTo(ExitCode.PERMISSION);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).startsWith("vdsoscope: pid:" + victim.pid() + ": permission denied reading /proc/"
                    + victim.pid() + "/").contains("ptrace");
        } finally {
            victim.destroyForcibly();
        }
    }

    /**
     * With /proc mounted hidepid=invisible (in a mount namespace of the test's own), another user's
     * process is invisible: one line, exit 2, and the reason named.
     */
    @Test
    void aProcHidingOtherUsersIsExplained() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount /proc and switch users");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "needs unshare (util-linux)");
        String classPath = worldReadableClassPath();
        Process victim = new ProcessBuilder("sleep", "60").start();
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String script = "mount -t proc -o hidepid=invisible proc /proc && exec /usr/bin/setpriv --reuid=65534"
                    + " --regid=65534 --clear-groups " + java + " --enable-native-access=ALL-UNNAMED -cp " + classPath
                    + " dev.vdsoscope.cli.Main auxv --pid " + victim.pid();
            Process tool = new ProcessBuilder("/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c", script)
                    .directory(dir.toFile()).start();
            assertThat(tool.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String err = new String(tool.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assumeTrue(!err.contains("mount:"), "this kernel cannot mount a private /proc: " + err);
            assertThat(tool.exitValue()).as(err).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(err).isEqualTo("vdsoscope: pid:" + victim.pid() + ": no such process visible: /proc is mounted"
                    + " with hidepid=invisible, which hides other users' processes\n");
        } finally {
            victim.destroyForcibly();
        }
    }

    /** A copy of this test's class path that the user nobody can read. */
    private String worldReadableClassPath() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> classPath = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path copy = dir.resolve("cp" + i++);
            copyTree(Path.of(entry), copy);
            classPath.add(copy.toString());
        }
        return String.join(File.pathSeparator, classPath);
    }

    private static void copyTree(Path source, Path target) throws Exception {
        if (Files.isDirectory(source)) {
            try (var walk = Files.walk(source)) {
                for (Path p : walk.toList()) {
                    Path to = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        } else {
            Files.copy(source, target);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }
}
