package dev.vdsoscope.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.vdsoscope.cli.Cli;

/**
 * The oracle of the objdump differential tests: the real {@code objdump -T} (GNU binutils 2.40, as
 * docs/OBJDUMP-COMPAT.md is written against), and our {@code symbols --style=objdump} run in-process,
 * with their outputs cut into one block per file.
 */
public final class Objdump {
    private Objdump() {}

    /** What a run printed. */
    public record Run(byte[] stdout, String stderr, int exitCode) {}

    /** Whether /usr/bin/objdump is binutils 2.40, the version the printer follows. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder("objdump", "--version").redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst()
                    .orElse("");
            return p.waitFor() == 0 && first.matches(".*\\b2\\.40\\b.*");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** {@code objdump -T FILES...} in the C locale. */
    public static Run objdump(List<String> files) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("objdump", "-T"));
        command.addAll(files);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("LC_ALL", "C");
        Path err = Files.createTempFile("objdump", ".err");
        try {
            builder.redirectError(err.toFile());
            Process p = builder.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("objdump did not finish");
            }
            return new Run(out, Files.readString(err), p.exitValue());
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Our command line, run in this JVM with standard output and error captured. */
    public static Run ours(List<String> args) {
        Cli.Result run = Cli.run(args.toArray(String[]::new));
        return new Run(run.stdout(), run.stderr(), run.exitCode());
    }

    /** {@code symbols --style=objdump FILES...}. */
    public static Run symbols(List<String> files) {
        List<String> args = new ArrayList<>(List.of("symbols", "--style=objdump"));
        args.addAll(files);
        return ours(args);
    }

    /**
     * Cuts a multi-file output into each file's block, found by its {@code \nNAME:     file format}
     * header; a file that printed nothing has no entry.
     */
    public static Map<String, String> blocks(byte[] stdout, List<String> files) {
        String text = new String(stdout, StandardCharsets.ISO_8859_1);
        Map<String, Integer> starts = new LinkedHashMap<>();
        int from = 0;
        for (String f : files) {
            String header = "\n" + new String(f.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)
                    + ":     file format ";
            int at = text.indexOf(header, from);
            if (at >= 0) {
                starts.put(f, at);
                from = at + header.length();
            }
        }
        Map<String, String> blocks = new LinkedHashMap<>();
        List<Map.Entry<String, Integer>> list = new ArrayList<>(starts.entrySet());
        for (int i = 0; i < list.size(); i++) {
            int end = i + 1 < list.size() ? list.get(i + 1).getValue() : text.length();
            blocks.put(list.get(i).getKey(), text.substring(list.get(i).getValue(), end));
        }
        return blocks;
    }

    /** The files whose blocks differ (or that only one side printed), each with its first differing line. */
    public static Map<String, String> differences(Run theirs, Run ours, List<String> files) {
        Map<String, String> a = blocks(theirs.stdout(), files);
        Map<String, String> b = blocks(ours.stdout(), files);
        Map<String, String> diffs = new LinkedHashMap<>();
        for (String f : files) {
            String x = a.get(f);
            String y = b.get(f);
            if (x == null && y == null) {
                continue;
            }
            if (x == null || y == null || !x.equals(y)) {
                diffs.put(f, firstDifference(x, y));
            }
        }
        return diffs;
    }

    private static String firstDifference(String x, String y) {
        if (x == null) {
            return "objdump printed nothing";
        }
        if (y == null) {
            return "we printed nothing";
        }
        List<String> xl = x.lines().toList();
        List<String> yl = y.lines().toList();
        for (int i = 0; i < Math.max(xl.size(), yl.size()); i++) {
            String l1 = i < xl.size() ? xl.get(i) : "<end>";
            String l2 = i < yl.size() ? yl.get(i) : "<end>";
            if (!l1.equals(l2)) {
                return "line " + (i + 1) + ": objdump [" + l1 + "] ours [" + l2 + "]";
            }
        }
        return "same lines, different line ends";
    }
}
