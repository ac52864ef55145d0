import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Build step (prepare-package, on the compiled classes): writes what ./vdsoscope must know about the
 * command line before it starts Java, from dev.vdsoscope.cli.Main, to the file given; written whole
 * to a temporary file and moved into place, so that a launcher never reads half of it.
 */
public class WriteLauncherFacts {
    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        Files.writeString(partial, dev.vdsoscope.cli.Main.launcherFacts());
        Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
