package dev.vdsoscope.loader;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import dev.vdsoscope.abi.LinuxAbi;

/** The capabilities the loader works out for this machine, and plain ones for tests that need no CPU. */
public final class HostHwcaps {
    private HostHwcaps() {}

    /** The x86-64 ABI, whose ld.so the tests ask. */
    public static LinuxAbi x86_64() {
        return LinuxAbi.X86_64;
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
