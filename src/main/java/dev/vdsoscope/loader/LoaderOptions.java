package dev.vdsoscope.loader;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How to resolve.
 *
 * @param root        the sysroot whose files, ld.so.cache and ld.so.conf are used ("/" for this system)
 * @param libraryPath LD_LIBRARY_PATH as the loader would see it; empty when unset
 * @param hwcaps      glibc-hwcaps subdirectories to use instead of this CPU's, best first
 * @param workingDirectory what relative paths and empty path elements mean, as for the loader
 */
public record LoaderOptions(Path root, Optional<String> libraryPath, Optional<List<String>> hwcaps,
        String workingDirectory) {

    /** An empty LD_LIBRARY_PATH is no LD_LIBRARY_PATH for ld.so (_dl_init_paths), not the working directory. */
    public LoaderOptions {
        libraryPath = libraryPath.filter(path -> !path.isEmpty());
    }

    /** This system, with this process's LD_LIBRARY_PATH and working directory. */
    public static LoaderOptions system() {
        return new LoaderOptions(Path.of("/"), Optional.ofNullable(System.getenv("LD_LIBRARY_PATH")),
                Optional.empty(), System.getProperty("user.dir"));
    }

    public LoaderOptions withRoot(Path newRoot) {
        return new LoaderOptions(newRoot, libraryPath, hwcaps, workingDirectory);
    }

    public LoaderOptions withLibraryPath(Optional<String> newPath) {
        return new LoaderOptions(root, newPath, hwcaps, workingDirectory);
    }

    public LoaderOptions withHwcaps(Optional<List<String>> newHwcaps) {
        return new LoaderOptions(root, libraryPath, newHwcaps, workingDirectory);
    }

    boolean isSystemRoot() {
        return root.toAbsolutePath().normalize().toString().equals("/");
    }
}
