package dev.vdsoscope.loader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds small programs and libraries with the system's gcc, and runs glibc's own ld.so --list on them. */
final class Gcc {
    static final String LD_SO = "/lib64/ld-linux-x86-64.so.2";

    private Gcc() {}

    static boolean available() {
        try {
            return run(Map.of(), "gcc", "--version").exitCode == 0;
        } catch (IOException e) {
            return false;
        }
    }

    record Result(int exitCode, String output) {}

    static Result run(Map<String, String> environment, String... command) throws IOException {
        return runIn(null, environment, command);
    }

    /** Runs a command in a working directory (null: this process's). */
    static Result runIn(Path directory, Map<String, String> environment, String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().remove("LD_LIBRARY_PATH");
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            process.waitFor(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(process.exitValue(), output);
    }

    /** Compiles C source into {@code output} with extra gcc arguments; fails the test if gcc does. */
    static Path compile(Path output, String source, String... arguments) throws IOException {
        Files.createDirectories(output.getParent());
        Path c = Files.createTempFile(output.getParent(), "src", ".c");
        Files.writeString(c, source);
        List<String> command = new ArrayList<>(List.of("gcc", "-o", output.toString(), c.toString()));
        command.addAll(List.of(arguments));
        // In the output's directory, so that relative library paths are relative to it.
        Result result = runIn(output.getParent(), Map.of(), command.toArray(String[]::new));
        Files.delete(c);
        if (result.exitCode != 0) {
            throw new IOException("gcc failed: " + String.join(" ", command) + "\n" + result.output);
        }
        return output;
    }

    /** A shared library with this soname exporting {@code int symbol(void)}. */
    static Path library(Path output, String soname, String symbol, String... arguments) throws IOException {
        List<String> all = new ArrayList<>(List.of("-shared", "-fPIC", "-Wl,-soname," + soname));
        all.addAll(List.of(arguments));
        return compile(output, "int " + symbol + "(void) { return 1; }\n", all.toArray(String[]::new));
    }

    /**
     * glibc's ld.so tracing a file, as ldd makes it (LD_TRACE_LOADED_OBJECTS=1; {@code ld.so --list}
     * stops at the first missing library instead), normalised like ldd's lines.
     */
    static List<String> ldSoList(Path file, Map<String, String> environment) throws IOException {
        return ldSoListIn(null, file, environment);
    }

    static List<String> ldSoListIn(Path directory, Path file, Map<String, String> environment) throws IOException {
        Map<String, String> tracing = new java.util.HashMap<>(environment);
        tracing.put("LD_TRACE_LOADED_OBJECTS", "1");
        Result result = runIn(directory, tracing, LD_SO, file.toString());
        List<String> lines = new ArrayList<>();
        for (String line : result.output.split("\n")) {
            if (line.startsWith("\t")) {
                lines.add(LddOracle.normalise(line));
            }
        }
        return lines;
    }
}
