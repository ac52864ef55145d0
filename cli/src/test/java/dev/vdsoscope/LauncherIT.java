package dev.vdsoscope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs ./vdsoscope as a user would, after 'package': it must find its JDK and jar by itself and
 * print nothing but the tool's own output (no JVM, start-up cache or build messages).
 */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("vdsoscope").toAbsolutePath();
    private static final String FIXTURE = "test-fixtures/vdso/x86_64-linux-6.1-vdso64.so";
    // The first run records the start-up cache, which takes a while on a busy machine.
    private static final long TIMEOUT_MINUTES = 5;

    @TempDir
    Path temp;

    private record Result(int exitCode, String stdout, String stderr) {}

    private Result launch(String... args) throws Exception {
        return launch(temp.resolve("stdout").toFile(), args);
    }

    private Result launch(File stdout, String... args) throws Exception {
        return launchAs(LAUNCHER.toString(), null, stdout, args);
    }

    /** Runs the launcher by the path {@code launcher}, from {@code directory} (null: this one). */
    private Result launchAs(String launcher, File directory, File stdout, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(launcher);
        command.addAll(List.of(args));
        Path stderr = temp.resolve("stderr");
        Process process = new ProcessBuilder(command)
                .directory(directory)
                .redirectInput(new File("/dev/null"))
                .redirectOutput(stdout)
                .redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("./vdsoscope did not finish in " + TIMEOUT_MINUTES + " minutes");
        }
        String output = stdout.isFile() ? Files.readString(stdout.toPath(), StandardCharsets.UTF_8) : "";
        return new Result(process.exitValue(), output, Files.readString(stderr, StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsUsageAndNothingElse() throws Exception {
        Result result = launch("--help");

        assertThat(result.stderr()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).startsWith("Usage: vdsoscope");
    }

    @Test
    void symbolsOfAFixtureRunWithoutWarnings() throws Exception {
        Result result = launch("symbols", FIXTURE);

        assertThat(result.stderr()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).contains("__vdso_clock_gettime");
    }

    /**
     * Run through a link (as from a directory in PATH) or by a relative path from elsewhere, the
     * launcher finds its tree, and the start-up cache it recorded is still good: it is not recorded
     * again (which would take seconds each time the path changes).
     */
    @Test
    void aLinkOrARelativePathFindsTheTreeAndKeepsTheCache() throws Exception {
        String fixture = Path.of(FIXTURE).toAbsolutePath().toString();
        Result direct = launch("symbols", fixture);
        Path key = Path.of("cli/target/vdsoscope.aot.key");
        assumeTrue(Files.isRegularFile(key), "no AOT cache on this JDK");
        var recorded = Files.getLastModifiedTime(key);

        Path link = Files.createSymbolicLink(temp.resolve("vdsoscope-link"), LAUNCHER);
        Result linked = launchAs(link.toString(), temp.toFile(), temp.resolve("out1").toFile(), "symbols", fixture);
        Result relative = launchAs("../vdsoscope", new File("cli"), temp.resolve("out2").toFile(), "symbols", fixture);

        for (Result result : List.of(linked, relative)) {
            assertThat(result.stderr()).isEmpty();
            assertThat(result.exitCode()).isZero();
            assertThat(result.stdout()).isEqualTo(direct.stdout()).contains("__vdso_clock_gettime");
        }
        assertThat(Files.getLastModifiedTime(key)).as("the cache was not recorded again").isEqualTo(recorded);
    }

    @Test
    void aMissingFileIsOneLineAndExitCode2() throws Exception {
        Result result = launch("symbols", "/nonexistent");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr().lines().toList())
                .singleElement(STRING)
                .startsWith("vdsoscope: /nonexistent: ");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void outputThatCannotBeWrittenIsAFailure() throws Exception {
        Result result = launch(new File("/dev/full"), "symbols", FIXTURE);

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.stderr()).isEqualTo("vdsoscope: standard output: No space left on device\n");
    }

    /**
     * The build re-encodes picocli's Java 5 class files so that the AOT cache keeps them (JDK 25+).
     * Checked with the JDK and cache the launcher recorded (its key file names the JDK), since the
     * launcher itself switches JVM logging off.
     */
    @Test
    void picocliIsLoadedFromTheStartupCache() throws Exception {
        launch("file", FIXTURE); // records the cache if this is the first run
        Path cache = Path.of("cli/target/vdsoscope.aot");
        assumeTrue(Files.isRegularFile(cache), "no AOT cache: the launcher found a JDK older than 25");
        String jdk = Files.readString(Path.of("cli/target/vdsoscope.aot.key")).split(" ")[0];
        Path classes = temp.resolve("classes.txt");

        Process java = new ProcessBuilder(jdk + "/bin/java", "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:AOTCache=" + cache, "-Xlog:class+load=info:file=" + classes,
                "-jar", "cli/target/vdsoscope.jar", "file", FIXTURE)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();

        assertThat(java.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)).isTrue();
        assertThat(java.exitValue()).isZero();
        assertThat(Files.readAllLines(classes))
                .anyMatch(line -> line.endsWith(" picocli.CommandLine source: shared objects file"))
                .noneMatch(line -> line.contains(" picocli.") && !line.endsWith("source: shared objects file"));
    }

    /**
     * The two batch lines that skip picocli get the lean start-up cache, every other line the cache of
     * all commands: the launcher's test of a line must agree with Main's, or a batch loses its cache
     * (or another line loads too few classes from it).
     */
    @Test
    void batchLinesAndOnlyThemGetTheBatchCache() throws Exception {
        Method fastPath = Class.forName("dev.vdsoscope.cli.Main")
                .getDeclaredMethod("styleFastPath", String[].class, String.class, String.class);
        fastPath.setAccessible(true);
        List<List<String>> lines = List.of(
                List.of("symbols", "--style=objdump", FIXTURE),
                List.of("symbols", FIXTURE, "--style", "objdump", FIXTURE),
                List.of("ldd", "--style=ldd", "/bin/true"),
                List.of("ldd", "--style", "ldd", "/bin/true", "/bin/sh"),
                List.of("symbols", "--style=objdump"),
                List.of("symbols", "--style=ldd", FIXTURE),
                List.of("ldd", "--style=objdump", "/bin/true"),
                List.of("symbols", "--style=objdump", "--style=objdump", FIXTURE),
                List.of("symbols", "--style", "objdump"),
                List.of("symbols", "--style=objdump", "--json", FIXTURE),
                List.of("symbols", "--style=objdump", "@files"),
                List.of("symbols", "--style=objdump", ""),
                List.of("ldd", "/bin/true"),
                List.of("file", "--style=ldd", "/bin/true"),
                List.of("--debug", "ldd", "--style=ldd", "/bin/true"));
        int batchLines = 0;
        for (List<String> line : lines) {
            String[] args = line.toArray(String[]::new);
            boolean symbols = fastPath.invoke(null, args, "symbols", "objdump") != null;
            boolean ldd = fastPath.invoke(null, args, "ldd", "ldd") != null;
            batchLines += symbols || ldd ? 1 : 0;
            String cache = symbols ? "vdsoscope-symbols." : ldd ? "vdsoscope-ldd." : "vdsoscope.";
            assertThat(javaCommand(args)).as(String.join(" ", line))
                    .anyMatch(arg -> arg.startsWith("-XX:AOTCache=") || arg.startsWith("-XX:SharedArchiveFile="))
                    .filteredOn(arg -> arg.startsWith("-XX:AOTCache=") || arg.startsWith("-XX:SharedArchiveFile="))
                    .singleElement(STRING)
                    .contains("/cli/target/" + cache);
        }
        assertThat(batchLines).isEqualTo(4);
    }

    /** The java command line the launcher would run (VDSOSCOPE_PRINT_JAVA=1), one argument an element. */
    private List<String> javaCommand(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(new File("/dev/null"))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("VDSOSCOPE_PRINT_JAVA", "1");
        Process process = builder.start();
        List<String> lines = process.inputReader().lines().toList();
        assertThat(process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).isZero();
        return lines;
    }

    /** Under {@code | head}: the batch stops when the reader goes away, as a program killed by SIGPIPE. */
    @Test
    void aReaderThatGoesAwayStopsTheBatch() throws Exception {
        assertStopsWhenTheReaderGoesAway(Map.of());
    }

    /**
     * The same in a language whose glibc translates the error ("Datenübergabe unterbrochen"): the
     * JDK reports only strerror's text. The locale is built with localedef into a temporary LOCPATH.
     */
    @Test
    void aReaderThatGoesAwayStopsTheBatchInGermanToo() throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("/usr/share/locale/de/LC_MESSAGES/libc.mo")),
                "glibc's German messages (Debian package libc-l10n)");
        Path locales = Files.createDirectory(temp.resolve("locales"));
        Process localedef = new ProcessBuilder("localedef", "-i", "de_DE", "-f", "UTF-8",
                locales.resolve("de_DE.UTF-8").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(localedef.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)).isTrue();
        assumeTrue(Files.isDirectory(locales.resolve("de_DE.UTF-8")), "localedef could not build de_DE.UTF-8");

        assertStopsWhenTheReaderGoesAway(Map.of("LOCPATH", locales.toString(), "LC_ALL", "de_DE.UTF-8"));
    }

    private void assertStopsWhenTheReaderGoesAway(Map<String, String> environment) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(), "headers"));
        command.addAll(Collections.nCopies(2000, FIXTURE));
        Path stderr = temp.resolve("stderr");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(new File("/dev/null"))
                .redirectError(stderr.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        try (BufferedReader stdout = process.inputReader()) {
            assertThat(stdout.readLine()).isNotEmpty();
        }

        assertThat(process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).isEqualTo(141);
        assertThat(Files.readString(stderr)).isEmpty();
    }

    /**
     * Under the POSIX locale (a container's default, where the JVM would decode arguments as ASCII) and
     * under a locale only named UTF-8,
     * files named in UTF-8 open, and their names print as file(1) prints them in a UTF-8 locale:
     * printable characters as they are, control characters in octal. Names are made and passed
     * by the shell, as bytes, so that this test's own JVM locale plays no part.
     */
    @Test
    void utf8FileNamesWorkUnderThePosixLocale() throws Exception {
        String names = "\"$D/\\303\\251.so\" \"$D/\\346\\227\\245\\346\\234\\254.so\" \"$D/a\\001b.so\" \"$D/tab\\011here.so\"";
        String script = "set -e; for n in " + names + "; do cp \"$F\" \"$(printf \"$n\")\"; done; "
                + "set --; for n in " + names + "; do set -- \"$@\" \"$(printf \"$n\")\"; done; "
                + "env -u LC_ALL -u LC_CTYPE -u LANG \"$L\" file -N \"$@\" > ours; "
                // A locale named UTF-8 that is not one (as a Mac sends over ssh) must not fool the launcher.
                + "env -u LC_ALL -u LANG LC_CTYPE=UTF-8 \"$L\" file -N \"$@\" > ours-named; "
                + "LC_ALL=C.UTF-8 file -N \"$@\" > theirs";
        Process shell = shell(script);

        assertThat(shell.exitValue()).isZero();
        assertThat(Files.readAllBytes(temp.resolve("ours"))).isEqualTo(Files.readAllBytes(temp.resolve("theirs")));
        assertThat(Files.readAllBytes(temp.resolve("ours-named"))).isEqualTo(Files.readAllBytes(temp.resolve("theirs")));
    }

    /** A name with a byte that is not UTF-8 cannot reach the file through the JVM: the message says why. */
    @Test
    void aNameThatIsNotUtf8IsExplained() throws Exception {
        String script = "cp \"$F\" \"$D/bad$(printf '\\377').so\"; \"$L\" file \"$D/bad$(printf '\\377').so\" 2> err; echo $? > status";
        shell(script);

        assertThat(Files.readString(temp.resolve("status")).strip()).isEqualTo("2");
        assertThat(Files.readString(temp.resolve("err"), StandardCharsets.UTF_8))
                .contains("no such file or directory (the name has bytes that are not UTF-8");
    }

    /** Runs a shell script in the temporary directory, with $L the launcher, $F the fixture and $D the directory. */
    private Process shell(String script) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", script).directory(temp.toFile())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(temp.resolve("shell.out").toFile())
                .redirectError(temp.resolve("shell.err").toFile());
        builder.environment().putAll(Map.of("L", LAUNCHER.toString(), "F", Path.of(FIXTURE).toAbsolutePath().toString(),
                "D", temp.toString()));
        Process shell = builder.start();
        assertThat(shell.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)).isTrue();
        return shell;
    }
}
