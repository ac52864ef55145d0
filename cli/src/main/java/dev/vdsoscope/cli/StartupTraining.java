package dev.vdsoscope.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The workloads ./vdsoscope runs once after each build to record the JDK's start-up caches (AOT caches
 * on JDK 25 and later, CDS archives before), so that the classes a run needs are loaded and linked
 * ahead of it. Their output is thrown away; this is not a user command.
 * <ul>
 * <li>{@code StartupTraining FILE...}: the common commands in text and JSON over the files given;
 * <li>{@code StartupTraining --batch COMMAND FILE...}: one of the batch lines that skip picocli
 * ({@link Main#BATCH_LINES}: {@code symbols --style=objdump}, {@code ldd --style=ldd}), alone, for the
 * lean cache the launcher gives that line: a cache loads every class its training touched at the
 * start of every run, so each line has its own. The ldd line is trained on 64-bit files only: for a
 * 32-bit one it asks the kernel whether it runs 32-bit programs, through a child process, and every
 * class that needs would be loaded at the start of every run.
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
        if (args.length >= 2 && args[0].equals("--batch")) {
            String command = args[1];
            Main.BatchLine batchLine = Main.BATCH_LINES.stream().filter(l -> l.command().equals(command)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no batch line " + command));
            List<String> line = new ArrayList<>(List.of(command, "--style=" + batchLine.style()));
            for (String file : List.of(args).subList(2, args.length)) {
                if (!command.equals("ldd") || is64Bit(file)) {
                    line.add(file);
                }
            }
            Main.run(Output.standard(), line.toArray(String[]::new));
            return;
        }
        Main.run(Output.standard(), "--help");
        Main.run(Output.standard());
        Main.run(Output.standard(), "auxv");
        for (List<String> command : FILE_COMMANDS) {
            List<String> line = new ArrayList<>(command);
            line.addAll(List.of(args));
            Main.run(Output.standard(), line.toArray(String[]::new));
        }
    }

    /** Whether a file starts as an ELFCLASS64 file does (and is not, say, a script). */
    private static boolean is64Bit(String file) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(file))) {
            byte[] ident = in.readNBytes(5);
            return ident.length == 5 && ident[0] == 0x7f && ident[1] == 'E' && ident[4] == 2;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
