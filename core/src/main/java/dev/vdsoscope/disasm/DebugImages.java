package dev.vdsoscope.disasm;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.vdsoscope.elf.BuildId;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.Section;

/**
 * Finds the unstripped image of a live vDSO on this machine, so that the code as linked is known:
 * the distribution's kernel debug package installs it under /usr/lib/debug, by build-id
 * (.build-id/ab/cdef….debug) or by kernel release (lib/modules/RELEASE/vdso/, as Debian does), and
 * the kernel's own copy in /lib/modules/RELEASE/vdso/ where it was installed.
 * A candidate counts only with the same build-id and real code bytes (not a debug-only file).
 */
public final class DebugImages {
    public static final Path DEFAULT_ROOT = Path.of("/usr/lib/debug");
    /** Where {@code make vdso_install} (and some distributions' kernel packages) put the images as linked. */
    static final Path KERNEL_MODULES = Path.of("/lib/modules");

    private DebugImages() {}

    public static Optional<Path> find(ElfFile image, Path root, String kernelRelease) {
        Optional<String> buildId = buildId(image);
        if (buildId.isEmpty() || buildId.get().length() < 3) {
            return Optional.empty();
        }
        List<Path> candidates = new ArrayList<>();
        String id = buildId.get();
        candidates.add(root.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2) + ".debug"));
        if (kernelRelease != null && !kernelRelease.isBlank()) {
            // The debug package's copy, then the kernel's own (make vdso_install puts it there).
            for (Path modules : List.of(root.resolve("lib/modules"), KERNEL_MODULES)) {
                Path vdsoDirectory = modules.resolve(kernelRelease.strip()).resolve("vdso");
                try (DirectoryStream<Path> files = Files.newDirectoryStream(vdsoDirectory)) {
                    files.forEach(candidates::add);
                } catch (IOException e) {
                    // No image of this kernel there: nothing to add.
                }
            }
        }
        for (Path candidate : candidates) {
            if (matches(candidate, id)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The running kernel's release, as the debug packages name their directories. */
    public static String runningKernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean matches(Path candidate, String id) {
        if (!Files.isRegularFile(candidate)) {
            return false;
        }
        try (ElfFile elf = ElfFile.open(candidate)) {
            boolean code = elf.section(".text").map(Section::hasFileBytes).orElse(false);
            return code && Objects.equals(buildId(elf).orElse(null), id);
        } catch (IOException | RuntimeException e) {
            return false; // unreadable or not ELF: not the image
        }
    }

    private static Optional<String> buildId(ElfFile image) {
        return BuildId.of(image).map(BuildId::hex);
    }
}
