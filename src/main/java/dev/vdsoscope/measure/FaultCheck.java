package dev.vdsoscope.measure;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    /** What one call did: the vDSO's in the child, the system call's here. */
    public record Outcome(String call, boolean vdsoFaulted, String vdsoDetail, long syscallResult) {
        /** As vdsotest expects: the vDSO faulted, the system call said EFAULT. */
        public boolean asExpected() {
            return vdsoFaulted && syscallResult == -EFAULT;
        }
    }

    private FaultCheck() {}

    /** Child side: makes the call with the bad pointer; if it returns, says what it returned. */
    public static void main(String[] args) {
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
            String out = new String(child.getInputStream().readAllBytes()).strip();
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
            String last = out.lines().reduce((a, b) -> b).orElse("");
            boolean returned = last.startsWith(RETURNED);
            String detail = returned ? "the vDSO " + last + " instead of faulting"
                    : "the vDSO faulted (the child JVM ended with status " + child.exitValue() + ")";
            long syscall = call.equals("clock_gettime")
                    ? Syscall.invoke(Syscall.number("clock_gettime").orElseThrow(), ClockId.CLOCK_MONOTONIC.id(),
                            BAD_POINTER, 0)
                    : Syscall.invoke(Syscall.number("gettimeofday").orElseThrow(), BAD_POINTER, 0, 0);
            outcomes.add(new Outcome(call, !returned, detail, syscall));
        }
        return outcomes;
    }
}
