package dev.vdsoscope.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * vdsoscope's Main run in a child JVM from the test class path, for tests that need a process of
 * its own: one in a new namespace, or one whose system properties must not reach the tests running
 * beside it in this JVM.
 */
public final class ChildVdsoscope {
    private ChildVdsoscope() {}

    /** How the child exited and what it wrote to each stream. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** Both streams, for assertion messages. */
        public String output() {
            return stdout + stderr;
        }
    }

    /**
     * Runs {@code PREFIX... java JVM_OPTIONS... dev.vdsoscope.cli.Main ARGS...}: the prefix is a command
     * that runs the rest ({@code unshare ...}), or empty.
     */
    public static Result run(List<String> prefix, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.vdsoscope.cli.Main"));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile("vdsoscope-child", ".err");
        try {
            Process child = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = child.waitFor();
            return new Result(exit, out, Files.readString(stderr));
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
