package dev.vdsoscope.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the files an installation of vdsoscope has besides its jars, all made from the command
 * model: the man pages and the bash and zsh completion. Run by scripts/build-deb; not a user command.
 * <pre>
 * InstallFiles DIR DATE
 *   DIR/man1/vdsoscope.1, DIR/man1/vdsoscope-COMMAND.1   (DATE, YYYY-MM-DD, in their title lines)
 *   DIR/bash-completion/vdsoscope
 *   DIR/zsh/_vdsoscope
 * </pre>
 * Exit 2, with one line, on a wrong command line; 4 when a file cannot be written.
 */
public final class InstallFiles {
    private InstallFiles() {}

    public static void main(String[] args) {
        if (args.length != 2 || !args[1].matches("\\d{4}-\\d{2}-\\d{2}")) {
            System.err.println("usage: InstallFiles DIR YYYY-MM-DD");
            Runtime.getRuntime().halt(ExitCode.BAD_INPUT);
        }
        Path directory = Path.of(args[0]);
        try {
            write(directory, args[1]);
        } catch (IOException e) {
            System.err.println("InstallFiles: " + directory + ": " + e.getMessage());
            Runtime.getRuntime().halt(ExitCode.MISSING_ENVIRONMENT);
        }
        Runtime.getRuntime().halt(ExitCode.OK);
    }

    /** Writes every file under {@code directory}, creating the directories. */
    static void write(Path directory, String date) throws IOException {
        var model = Main.model();
        for (Map.Entry<String, String> page : ManPages.all(model, date, VersionInfo.release()).entrySet()) {
            writeFile(directory.resolve("man" + ManPages.SECTION).resolve(page.getKey() + "." + ManPages.SECTION), page.getValue());
        }
        writeFile(directory.resolve("bash-completion").resolve(ShellCompletion.COMMAND), ShellCompletion.bash(model));
        writeFile(directory.resolve("zsh").resolve("_" + ShellCompletion.COMMAND), ShellCompletion.zsh(model));
    }

    private static void writeFile(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
