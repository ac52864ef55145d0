package dev.vdsoscope.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The workloads ./vdsoscope runs once after each build to record the JDK's start-up caches (AOT caches
 * on JDK 25 and later, CDS archives before), so that the classes a run needs are loaded and linked
 * ahead of it. Their output is thrown away; this is not a user command.
 * <ul>
 * <li>{@code StartupTraining FILE...}: the common commands in text and JSON over the files given;
 * <li>{@code StartupTraining --batch FILE...}: only the two batch lines that skip picocli
 * ({@link Main#BATCH_LINES}: {@code symbols --style=objdump} and {@code ldd --style=ldd}), for
 * the lean cache the launcher gives them: a cache of every command's classes takes some 20 ms longer
 * to load, a tenth of such a batch's time.
 * </ul>
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

    public static void main(String[] args) {
        boolean batch = args.length > 0 && args[0].equals("--batch");
        List<String> files = List.of(args).subList(batch ? 1 : 0, args.length);
        if (!batch) {
            Main.run("--help");
            Main.run();
            Main.run("auxv");
        }
        List<List<String>> commands = batch
                ? Main.BATCH_LINES.stream().map(line -> List.of(line.command(), "--style=" + line.style())).toList()
                : FILE_COMMANDS;
        for (List<String> command : commands) {
            List<String> line = new ArrayList<>(command);
            line.addAll(files);
            Main.run(line.toArray(String[]::new));
        }
    }
}
