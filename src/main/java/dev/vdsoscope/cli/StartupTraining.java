package dev.vdsoscope.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The workload ./vdsoscope runs once after each build to record the JDK's start-up cache (an AOT
 * cache on JDK 25 and later, a CDS archive before): the common commands in text and JSON over the
 * files given, so that the classes they need are loaded and linked ahead of every later run.
 * Its output is thrown away; it is not a user command.
 */
public final class StartupTraining {
    private static final List<List<String>> FILE_COMMANDS = List.of(
            List.of("symbols", "--style=objdump"),
            List.of("symbols"),
            List.of("symbols", "--json"),
            List.of("headers"),
            List.of("headers", "--json"),
            List.of("file"),
            List.of("ldd"),
            List.of("ldd", "--style=ldd"));

    private StartupTraining() {}

    public static void main(String[] files) {
        Main.run("--help");
        Main.run();
        Main.run("auxv");
        for (List<String> command : FILE_COMMANDS) {
            List<String> args = new ArrayList<>(command);
            args.addAll(List.of(files));
            Main.run(args.toArray(String[]::new));
        }
    }
}
