package dev.vdsoscope.measure;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.vdsoscope.linux.Syscall;
import dev.vdsoscope.vdso.ClockId;
import dev.vdsoscope.vdso.VdsoCalls;

/**
 * vdsotest's abi mode: a vDSO call given a bad pointer faults (SIGSEGV), where the system call
 * answers EFAULT. A fault would kill vdsoscope, so the vDSO side runs in a child JVM made for it
 * (this class's {@link #main}), which is expected to die; the system call is made here.
 */
public final class FaultCheck {
    /** An address no process maps: the first page is never mapped (vm.mmap_min_addr). */
    static final long BAD_POINTER = 1;
    private static final int EFAULT = 14;
    private static final String RETURNED = "returned ";
    private static final String CALLING = "calling";

    /**
     * What one call did: the vDSO's in the child (faulted, or returned {@code vdsoResult}), the system
     * call's here.
     */
    public record Outcome(String call, boolean vdsoFaulted, long vdsoResult, String vdsoDetail, long syscallResult) {
        /**
         * As vdsotest expects: the vDSO faulted, or (where it falls back, on a clocksource it cannot
         * read) it made the system call, which said EFAULT; and the system call said EFAULT.
         */
        public boolean asExpected() {
            return (vdsoFaulted || vdsoResult == -EFAULT) && syscallResult == -EFAULT;
        }
    }

    private FaultCheck() {}

    /** Child side: makes the call with the bad pointer; if it returns, says what it returned. */
    public static void main(String[] args) {
        System.out.println(CALLING); // the JVM started and the call is next: a death after this is the call's
        System.out.flush();
        int result = switch (args[0]) {
            case "clock_gettime" -> VdsoCalls.clockGettimeUnchecked(ClockId.CLOCK_MONOTONIC.id(), BAD_POINTER);
            case "gettimeofday" -> VdsoCalls.gettimeofdayUnchecked(BAD_POINTER);
            default -> throw new IllegalArgumentException(args[0]);
        };
        System.out.println(RETURNED + result);
        System.exit(0);
    }

    /** Both calls, each in a child for the vDSO side; empty where no child JVM can be started. */
    public static List<Outcome> run() throws IOException, InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (String call : List.of("clock_gettime", "gettimeofday")) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                    "-XX:TieredStopAtLevel=1", "-XX:+UnlockDiagnosticVMOptions", "-XX:+SuppressFatalErrorMessage",
                    "-XX:ErrorFile=/dev/null", "-XX:-CreateCoredumpOnCrash",
                    "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), FaultCheck.class.getName(), call)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // Read on another thread, so that the timeout below holds even for a child that hangs.
            CompletableFuture<String> output = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    output.complete(new String(child.getInputStream().readAllBytes()).strip());
                } catch (IOException e) {
                    output.complete("");
                }
            });
            boolean ended = child.waitFor(30, TimeUnit.SECONDS);
            if (!ended) {
                child.destroyForcibly().waitFor();
            }
            String out;
            try {
                out = output.get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                out = ""; // nothing read: the child never said it reached the call
            }
            List<String> lines = out.lines().toList();
            boolean called = lines.contains(CALLING);
            String last = lines.isEmpty() ? "" : lines.getLast();
            boolean returned = last.startsWith(RETURNED);
            boolean faulted = ended && called && !returned && child.exitValue() != 0;
            long vdsoResult = returned ? Long.parseLong(last.substring(RETURNED.length()).strip()) : 0;
            String detail = !ended ? "the child JVM did not end within 30 s"
                    : !called ? "the child JVM did not get as far as the call (status " + child.exitValue() + ")"
                    : returned ? "the vDSO " + last + " instead of faulting"
                    : "the vDSO faulted (the child JVM ended with status " + child.exitValue() + ")";
            long syscall = call.equals("clock_gettime")
                    ? Syscall.invoke(Syscall.number("clock_gettime").orElseThrow(), ClockId.CLOCK_MONOTONIC.id(),
                            BAD_POINTER, 0)
                    : Syscall.invoke(Syscall.number("gettimeofday").orElseThrow(), BAD_POINTER, 0, 0);
            outcomes.add(new Outcome(call, faulted, vdsoResult, detail, syscall));
        }
        return outcomes;
    }
}
