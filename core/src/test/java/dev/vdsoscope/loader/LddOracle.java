package dev.vdsoscope.loader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Runs the real ldd and reads its lines as (name, path or "not found"), addresses left out. */
public final class LddOracle {
    /** The directories of the ldd sweeps, and the biarch 32-bit libraries where gcc-multilib put them. */
    public static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/jvm", "/usr/lib32");

    private static final Pattern ARROW = Pattern.compile("^\\t(.+?) => (.+?)(?: \\(0x[0-9a-f]+\\))?$");
    private static final Pattern PLAIN = Pattern.compile("^\\t(.+?) \\(0x[0-9a-f]+\\)$");

    private LddOracle() {}

    /** ldd's answer for each file; files are passed many at a time, as ldd takes them. */
    static Map<String, List<String>> run(List<String> files) throws IOException, InterruptedException {
        Map<String, List<String>> answers = new LinkedHashMap<>();
        for (int i = 0; i < files.size(); i += 200) {
            List<String> chunk = files.subList(i, Math.min(files.size(), i + 200));
            List<String> command = new ArrayList<>(List.of("ldd", "/dev/null"));
            command.addAll(chunk);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            // The model is asked without LD_LIBRARY_PATH or preloads; so is ldd.
            builder.environment().remove("LD_LIBRARY_PATH");
            builder.environment().remove("LD_PRELOAD");
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(5, TimeUnit.MINUTES);
            String current = null;
            for (String line : output.split("\n")) {
                if (!line.startsWith("\t") && line.endsWith(":") && chunk.contains(line.substring(0, line.length() - 1))) {
                    current = line.substring(0, line.length() - 1);
                    answers.put(current, new ArrayList<>());
                } else if (current != null && line.startsWith("\t")) {
                    answers.get(current).add(normalise(line));
                }
            }
        }
        return answers;
    }

    static String normalise(String line) {
        Matcher arrow = ARROW.matcher(line);
        if (arrow.matches()) {
            return arrow.group(1) + " => " + arrow.group(2);
        }
        Matcher plain = PLAIN.matcher(line);
        if (plain.matches()) {
            return plain.group(1);
        }
        return line.strip();
    }

    /**
     * A deterministic sample of this machine's ELF files under {@link #SYSTEM_DIRECTORIES}: every
     * k-th of the sorted list so that about {@code size} are taken (all of them for 0 or less),
     * starting {@code phase} files in (modulo k), so that two samples can differ.
     */
    public static List<String> systemSample(int size, int phase) throws IOException {
        List<String> all = elfFiles(SYSTEM_DIRECTORIES, 8);
        int step = size <= 0 ? 1 : Math.max(1, all.size() / size);
        List<String> sample = new ArrayList<>();
        for (int i = phase % step; i < all.size(); i += step) {
            sample.add(all.get(i));
        }
        return sample;
    }

    /** Every regular ELF file under the directories, sorted, symlinks to files already seen left out. */
    public static List<String> elfFiles(List<String> directories, int maxDepth) throws IOException {
        List<String> result = new ArrayList<>();
        for (String directory : directories) {
            Path dir = Path.of(directory);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> paths = Files.walk(dir, maxDepth)) {
                paths.filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p)).filter(LddOracle::isElf)
                        .map(Path::toString).sorted().forEach(result::add);
            }
        }
        return result;
    }

    private static boolean isElf(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }
}
