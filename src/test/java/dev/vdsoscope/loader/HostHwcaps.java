package dev.vdsoscope.loader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import dev.vdsoscope.elf.ElfFile;

/** The capabilities the loader works out for this machine, and plain ones for tests that need no CPU. */
public final class HostHwcaps {
    private HostHwcaps() {}

    /** The ABI of this machine's x86-64 ld.so. */
    public static TargetAbi x86_64() {
        try (ElfFile ldSo = ElfFile.open(Path.of(Gcc.LD_SO))) {
            return TargetAbi.of(ldSo.header()).orElseThrow();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What a loader for this system (its environment's tunables included) uses for x86-64 programs. */
    public static Hwcaps forX86_64() {
        return new Loader(LoaderOptions.system()).hwcaps(x86_64());
    }

    /** No CPU: these glibc-hwcaps subdirectories, no legacy ones but tls, this platform. */
    public static Hwcaps plain(String platform, List<String> glibcHwcaps) {
        return new Hwcaps(glibcHwcaps, List.of("tls"), Optional.ofNullable(platform), 0, -1, 0, OptionalInt.empty(),
                "a test", List.of());
    }
}
