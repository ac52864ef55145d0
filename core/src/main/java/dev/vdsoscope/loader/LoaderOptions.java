package dev.vdsoscope.loader;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.vdsoscope.loader.cpu.CpuProfile;
import dev.vdsoscope.loader.cpu.GlibcTunables;

/**
 * How to resolve.
 *
 * @param root        the sysroot whose files, ld.so.cache and ld.so.conf are used ("/" for this system)
 * @param libraryPath LD_LIBRARY_PATH as the loader would see it; empty when unset
 * @param hwcaps      glibc-hwcaps subdirectories to use instead of the CPU's, best first
 * @param workingDirectory what relative paths and empty path elements mean, as for the loader
 * @param cpu         the CPU whose capabilities decide the hwcaps subdirectories and $PLATFORM
 * @param tunables    GLIBC_TUNABLES (and LD_HWCAP_MASK) as ld.so would see them
 */
public record LoaderOptions(Path root, Optional<String> libraryPath, Optional<List<String>> hwcaps,
        String workingDirectory, CpuProfile cpu, GlibcTunables tunables) {

    /** An empty LD_LIBRARY_PATH is no LD_LIBRARY_PATH for ld.so (_dl_init_paths), not the working directory. */
    public LoaderOptions {
        libraryPath = libraryPath.filter(path -> !path.isEmpty());
    }

    public LoaderOptions(Path root, Optional<String> libraryPath, Optional<List<String>> hwcaps,
            String workingDirectory) {
        this(root, libraryPath, hwcaps, workingDirectory, CpuProfile.host(), GlibcTunables.none());
    }

    /**
     * This system, with this process's LD_LIBRARY_PATH, GLIBC_TUNABLES and LD_HWCAP_MASK, working
     * directory and CPU.
     */
    public static LoaderOptions system() {
        return new LoaderOptions(Path.of("/"), Optional.ofNullable(System.getenv("LD_LIBRARY_PATH")),
                Optional.empty(), System.getProperty("user.dir"), CpuProfile.host(), GlibcTunables.fromEnvironment());
    }

    public LoaderOptions withRoot(Path newRoot) {
        return new LoaderOptions(newRoot, libraryPath, hwcaps, workingDirectory, cpu, tunables);
    }

    public LoaderOptions withLibraryPath(Optional<String> newPath) {
        return new LoaderOptions(root, newPath, hwcaps, workingDirectory, cpu, tunables);
    }

    public LoaderOptions withHwcaps(Optional<List<String>> newHwcaps) {
        return new LoaderOptions(root, libraryPath, newHwcaps, workingDirectory, cpu, tunables);
    }

    public LoaderOptions withCpu(CpuProfile newCpu) {
        return new LoaderOptions(root, libraryPath, hwcaps, workingDirectory, newCpu, tunables);
    }

    public LoaderOptions withTunables(GlibcTunables newTunables) {
        return new LoaderOptions(root, libraryPath, hwcaps, workingDirectory, cpu, newTunables);
    }

    boolean isSystemRoot() {
        return root.toAbsolutePath().normalize().toString().equals("/");
    }
}
