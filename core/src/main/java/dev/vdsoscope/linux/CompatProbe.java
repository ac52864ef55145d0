package dev.vdsoscope.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import dev.vdsoscope.abi.CompatProbeProgram;


/**
 * The compat probe: a 32-bit process of vdsoscope's own on a 64-bit kernel ({@link CompatProbeProgram},
 * i386 on x86-64), so that the compat vDSO (linux-gate.so.1, AT_SYSINFO, {@code __kernel_vsyscall})
 * can be seen live and timed wherever the kernel runs such programs. It runs from an anonymous
 * memory file (memfd), so no file is left behind, and exits when its standard input reaches end of
 * file: when vdsoscope closes the pipe, or dies, even by SIGKILL. So it never outlives the tool.
 * Each timing request is timed from this side, one pipe round trip included; an
 * {@link CompatProbeProgram.Loop#EMPTY} loop of the same count is the overhead to subtract.
 */
public final class CompatProbe implements AutoCloseable {
    /** Why no 32-bit process can be started here, in one line. */
    public static final class UnavailableException extends Exception {
        public UnavailableException(String message) {
            super(message);
        }
    }

    /**
     * Test hook: the e_machine the probe's ELF header says (default its ABI's). A machine the kernel does
     * not run makes execve fail as it fails without IA32 emulation (ENOEXEC).
     */
    public static final String MACHINE_PROPERTY = "vdsoscope.compatprobe.machine";
    private static final String NOT_RUN = "this kernel does not run " + CompatProbeProgram.ABI.displayName()
            + " programs (" + CompatProbeProgram.NOT_RUN_REASON + ")";

    /** The longest a timing request may take before the probe is killed. */
    static final java.time.Duration REQUEST_TIMEOUT = java.time.Duration.ofSeconds(30);

    private final Process process;
    private final OutputStream requests;
    private final InputStream answers;

    private CompatProbe(Process process) {
        this.process = process;
        this.requests = process.getOutputStream();
        this.answers = process.getInputStream();
    }

    /**
     * Starts the probe and waits until it runs (its auxiliary vector and mappings are then final).
     *
     * @throws UnavailableException where this kernel or its policy runs no i386 program
     */
    public static CompatProbe start() throws UnavailableException {
        Long machine = Long.getLong(MACHINE_PROPERTY);
        byte[] image = machine == null ? CompatProbeProgram.image() : CompatProbeProgram.image(machine);
        int executable;
        try {
            executable = executableCopy(image);
        } catch (Libc.ErrnoException e) {
            throw new UnavailableException("cannot make the 32-bit program's in-memory file: " + e.getMessage());
        }
        Process process;
        try {
            // Our own /proc entry, not /proc/self: the path is opened by the child, before its exec.
            process = new ProcessBuilder("/proc/" + ProcessHandle.current().pid() + "/fd/" + executable)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UnavailableException(whyNotStarted(e));
        } finally {
            Libc.close(executable);
        }
        CompatProbe probe = new CompatProbe(process);
        try {
            if (probe.answers.read() < 0) {
                // It never ran. Where execve says ENOEXEC, the JDK runs the file with /bin/sh instead (as
                // execvp does), which fails on it with an exit status; a policy kills with a signal.
                int status = probe.exitStatus();
                throw new UnavailableException(status > 128 ? "the 32-bit process was killed at once ("
                        + describe(status) + "): a seccomp filter or security policy stops 32-bit programs here"
                        : NOT_RUN);
            }
        } catch (IOException e) {
            probe.close();
            throw new UnavailableException("cannot talk to the 32-bit process: " + e.getMessage());
        } catch (UnavailableException e) {
            probe.close();
            throw e;
        }
        return probe;
    }

    /** The probe's pid, for /proc. */
    public long pid() {
        return process.pid();
    }

    /**
     * Runs one loop {@code count} times in the probe and returns the nanoseconds it took, as seen
     * from here (one pipe round trip included: compare with {@link CompatProbeProgram.Loop#EMPTY} of the same count).
     *
     * @param address the function a loop calls ({@code __kernel_vsyscall}, the vDSO's
     *                {@code __vdso_clock_gettime}); 0 for the others
     */
    public long time(CompatProbeProgram.Loop loop, int count, long address) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        ByteBuffer request = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        request.putInt(loop.ordinal()).putInt(count).putInt((int) address);
        // A watchdog: a loop that does not answer within REQUEST_TIMEOUT (a wrong address, a kernel
        // stuck) is killed, and the read below then ends; the probe never holds the tool up for ever.
        Thread watchdog = Thread.ofVirtual().unstarted(() -> {
            try {
                Thread.sleep(REQUEST_TIMEOUT);
                process.destroyForcibly();
            } catch (InterruptedException e) {
                // Answered in time.
            }
        });
        long start = System.nanoTime();
        requests.write(request.array());
        requests.flush();
        watchdog.start();
        int answer;
        try {
            answer = answers.read();
        } finally {
            watchdog.interrupt();
        }
        if (answer < 0) {
            throw new IOException("the 32-bit process ended while timing (" + describe(exitStatus()) + ")");
        }
        return System.nanoTime() - start;
    }

    /** Ends the probe: end of file on its input, which it answers by exiting; killed if it does not. */
    @Override
    public void close() {
        try {
            requests.close();
        } catch (IOException e) {
            // Already gone: nothing to tell it.
        }
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private int exitStatus() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String describe(int status) {
        return status < 0 ? "still running" : status > 128 ? "killed by signal " + (status - 128) : "exit status " + status;
    }

    private static String whyNotStarted(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("error=8,")) {
            return NOT_RUN;
        }
        if (message.contains("error=13,") || message.contains("error=1,")) {
            return "not allowed to run the 32-bit program from memory (vm.memfd_noexec, or a security policy)";
        }
        return "cannot start the 32-bit program: " + message;
    }

    /**
     * A read-only descriptor of an in-memory copy of the program. execve refuses a file that is open
     * for writing (ETXTBSY), so the memfd is written, reopened read-only, and the writable one closed.
     */
    private static int executableCopy(byte[] image) throws Libc.ErrnoException {
        int writable;
        try {
            writable = Libc.memfdCreate("vdsoscope-compat-probe", Libc.MFD_CLOEXEC | Libc.MFD_EXEC);
        } catch (Libc.ErrnoException e) {
            writable = Libc.memfdCreate("vdsoscope-compat-probe", Libc.MFD_CLOEXEC); // before Linux 6.3: no MFD_EXEC
        }
        try {
            Libc.writeAll(writable, image);
            return Libc.openReadOnly("/proc/self/fd/" + writable);
        } finally {
            Libc.close(writable);
        }
    }
}
