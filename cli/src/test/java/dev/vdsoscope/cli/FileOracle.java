package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * The two sides of the differential tests: the real {@code file -b} (file 5.44, run with LC_ALL=C so
 * that it escapes every non-ASCII byte) and our {@code vdsoscope file}, run in-process through
 * {@link Main#run} with its output captured so that hundreds of files take a fraction of a second.
 */
final class FileOracle {
    private static final int BATCH = 200;
    private static Boolean available;

    private FileOracle() {}

    /** Skips the calling test unless file 5.44 is installed: the expected strings are its output. */
    static void assumeFile544() {
        if (available == null) {
            try {
                Process p = new ProcessBuilder("file", "--version").redirectErrorStream(true).start();
                String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                available = p.waitFor(30, TimeUnit.SECONDS) && version.startsWith("file-5.44");
            } catch (IOException | InterruptedException e) {
                available = false;
            }
        }
        Assumptions.assumeTrue(available, "file 5.44 is not installed");
    }

    /** What {@code file -b} says about each path, in order. */
    static List<String> theirs(List<Path> paths) {
        assumeFile544();
        List<String> lines = new ArrayList<>();
        for (int from = 0; from < paths.size(); from += BATCH) {
            List<String> command = new ArrayList<>(List.of("file", "-b", "--"));
            for (Path p : paths.subList(from, Math.min(paths.size(), from + BATCH))) {
                command.add(p.toString());
            }
            lines.addAll(run(command));
        }
        assertThat(lines).as("one line per file from file(1)").hasSize(paths.size());
        return lines;
    }

    static String theirs(Path path) {
        return theirs(List.of(path)).get(0);
    }

    /** Runs a command and returns its standard output lines (ISO-8859-1: one char per byte). */
    static List<String> run(List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("LC_ALL", "C");
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
            return out.lines().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What one run of our command printed, and its exit code. */
    record Run(int exitCode, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    /** Runs {@code vdsoscope ARGS} in this JVM and captures what it prints. */
    static Run ours(String... args) {
        Cli.Result run = Cli.run(args);
        return new Run(run.exitCode(), run.out(), run.stderr());
    }

    /** Our line for each path (without the name), or null where we printed an error instead. */
    static Map<Path, String> ours(List<Path> paths) {
        return lines(oursRun(paths), paths);
    }

    /** Runs {@code vdsoscope file PATHS...} once. */
    static Run oursRun(List<Path> paths) {
        List<String> args = new ArrayList<>(List.of("file"));
        paths.forEach(p -> args.add(p.toString()));
        return ours(args.toArray(String[]::new));
    }

    /** The line printed for each path by a run of {@code vdsoscope file}, or null where there is none. */
    static Map<Path, String> lines(Run run, List<Path> paths) {
        Map<Path, String> lines = new LinkedHashMap<>();
        List<String> printed = run.outLines();
        int next = 0;
        for (Path p : paths) {
            // "NAME:" is padded with spaces so that the lines of a batch align, as file does.
            String prefix = p + ":";
            if (next < printed.size() && printed.get(next).startsWith(prefix)) {
                lines.put(p, printed.get(next++).substring(prefix.length()).stripLeading());
            } else {
                lines.put(p, null);
            }
        }
        assertThat(next).as("every line we printed belongs to a file").isEqualTo(printed.size());
        return lines;
    }

    static String ours(Path path) {
        return ours(List.of(path)).get(path);
    }

    /** Compares both sides on every path; returns "path\n  ours:   ...\n  file:   ..." for each difference. */
    static List<String> differences(List<Path> paths) {
        List<String> theirs = theirs(paths);
        Map<Path, String> ours = ours(paths);
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            String mine = ours.get(paths.get(i));
            if (!theirs.get(i).equals(mine)) {
                differences.add(paths.get(i) + "\n  ours:   " + mine + "\n  file:   " + theirs.get(i));
            }
        }
        return differences;
    }
}
