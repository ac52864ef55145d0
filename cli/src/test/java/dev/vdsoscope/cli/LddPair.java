package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import dev.vdsoscope.loader.GccAccess;

/**
 * The real ldd and {@code vdsoscope ldd --style=ldd} asked the same question: standard output with
 * load addresses masked, standard error and exit status, each side in the same environment (no
 * LD_LIBRARY_PATH, no tunables, the C locale).
 */
final class LddPair {
    private static final Pattern ADDRESS = Pattern.compile(" \\(0x[0-9a-f]+\\)");

    record Answer(int exitCode, String out, String err) {}

    private LddPair() {}

    /** The tests that build programs and ask both sides need gcc and glibc's ldd; skipped, visibly, without. */
    static void assumeGccAndLdd() {
        assumeTrue(GccAccess.available(), "needs gcc");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ldd")), "needs glibc's ldd");
    }

    /** glibc's ldd with these options and files, run in {@code workingDirectory}. */
    static Answer ldd(Path workingDirectory, List<String> options, List<String> files) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/ldd"));
        command.addAll(options);
        command.addAll(files);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        builder.environment().remove("LD_LIBRARY_PATH");
        builder.environment().remove("LD_PRELOAD");
        builder.environment().remove("GLIBC_TUNABLES");
        builder.environment().put("LC_ALL", "C");
        Path err = Files.createTempFile("ldd", ".err");
        builder.redirectError(err.toFile());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("ldd finished").isTrue();
        String errors = Files.readString(err);
        Files.delete(err);
        return new Answer(process.exitValue(), masked(out), errors);
    }

    /** vdsoscope, with the environment ldd is given: no LD_LIBRARY_PATH, no tunables (LD_HWCAP_MASK as both see it). */
    static Answer ours(List<String> options, List<String> files) {
        List<String> command = new ArrayList<>(List.of("ldd", "--style=ldd", "--library-path=", "--tunables="));
        command.addAll(options);
        command.addAll(files);
        Cli.Result result = Cli.run(command.toArray(String[]::new));
        return new Answer(result.exitCode(), masked(result.out()), result.stderr());
    }

    /** Both answers, asserted equal; returns ldd's. */
    static Answer assertSame(Path workingDirectory, List<String> options, Path... files) throws Exception {
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            names.add(file.toString());
        }
        Answer expected = ldd(workingDirectory, options, names);
        assertThat(ours(options, names)).as("vdsoscope ldd --style=ldd %s %s", options, names).isEqualTo(expected);
        return expected;
    }

    static String masked(String out) {
        return ADDRESS.matcher(out).replaceAll(" (ADDR)");
    }
}
