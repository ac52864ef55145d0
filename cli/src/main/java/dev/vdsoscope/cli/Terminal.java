package dev.vdsoscope.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Whether a standard stream is a terminal, asked of libc's isatty(3) through FFM. */
final class Terminal {
    private Terminal() {}

    static boolean stderrIsTerminal() {
        return isatty(2);
    }

    static boolean stdoutIsTerminal() {
        return isatty(1);
    }

    private static boolean isatty(int fd) {
        // Linux names a descriptor's file under /proc: reading that link costs one system call, where
        // the first FFM downcall costs tens of milliseconds of linking.
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            // No /proc: ask libc.
        }
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle isatty = linker.downcallHandle(linker.defaultLookup().find("isatty").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return (int) isatty.invokeExact(fd) == 1;
        } catch (Throwable t) {
            return false;
        }
    }
}
