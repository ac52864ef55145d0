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
 * to load, a tenth of such a batch's time. The ldd line is trained on 64-bit files only: for a
 * 32-bit one it asks the kernel whether it runs 32-bit programs, through a child process, and
 * every class that needs would be loaded at the start of every run.
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
            for (String file : files) {
                if (!batch || !command.getFirst().equals("ldd") || is64Bit(file)) {
                    line.add(file);
                }
            }
            Main.run(line.toArray(String[]::new));
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
