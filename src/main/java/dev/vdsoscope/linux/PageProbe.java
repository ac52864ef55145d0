package dev.vdsoscope.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Which pages of this process's memory can be read, found without reading them: the kernel is
 * asked to copy each page into a pipe ({@code write(2)}), and where a page cannot be read it
 * answers EFAULT. The JVM itself never touches a page during the probe, so a hole that would
 * raise SIGBUS or SIGSEGV in user space (the [vvar] pages a kernel leaves unpopulated, the
 * [vvar_vclock] page of a clock the machine does not use) costs an errno, not the process.
 *
 * <p>A page found readable stays readable for the kernel's special mappings this is used on: their
 * fault handlers decide from facts fixed for the life of the process (its time namespace, whether
 * a paravirtual clock was ever used). For ordinary memory, which another thread may unmap at any
 * time, the answer holds only for the moment it was given.
 */
public final class PageProbe {
    private PageProbe() {}

    /** What the kernel found when it copied one page. */
    public enum PageState {
        /** The kernel copied the whole page. */
        READABLE,
        /** The kernel could not read it (EFAULT): reading it in user space would fault. */
        HOLE
    }

    /**
     * The state of each of the {@code count} pages of {@code pageSize} bytes starting at {@code address}
     * (page-aligned), in order.
     *
     * @throws Libc.ErrnoException when no pipe can be made (out of file descriptors), or a write fails
     *     for another reason than the memory
     */
    public static List<PageState> probe(long address, int count, int pageSize) throws Libc.ErrnoException {
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1 || (address & (pageSize - 1)) != 0 || count < 0) {
            throw new IllegalArgumentException("not a page-aligned range: 0x" + Long.toHexString(address) + ", "
                    + count + " pages of " + pageSize + " bytes");
        }
        // Non-blocking: a page never waits for room, and the drain never waits for data. An empty
        // pipe holds at least one page (its capacity is 16 pages by default, and never below one).
        int[] pipe = Libc.pipe2(Libc.O_CLOEXEC | Libc.O_NONBLOCK);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment drain = arena.allocate(pageSize);
            List<PageState> states = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long written = Libc.writeFrom(pipe[1], address + (long) i * pageSize, pageSize);
                if (written < 0 && written != -Libc.EFAULT) {
                    throw new Libc.ErrnoException("write to a pipe", (int) -written);
                }
                // A partial copy means the kernel met a fault inside the page: a hole all the same.
                states.add(written == pageSize ? PageState.READABLE : PageState.HOLE);
                while (written > 0) {
                    long n = Libc.read(pipe[0], drain);
                    if (n <= 0) {
                        break;
                    }
                    written -= n;
                }
            }
            return List.copyOf(states);
        } finally {
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
        }
    }
}
