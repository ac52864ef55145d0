package dev.vdsoscope.vdso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.abi.VdsoFunction;
import dev.vdsoscope.linux.Libc;

/** Calls this JVM's own vDSO and holds each answer against an independent clock or libc. */
@org.junit.jupiter.api.parallel.Isolated
class VdsoCurrentTest {
    private final Vdso vdso = Vdso.current();

    @Test
    void baseIsWhereMapsPutsTheVdso() throws Exception {
        String maps = Files.readString(Path.of("/proc/self/maps"));
        String line = maps.lines().filter(l -> l.endsWith("[vdso]")).findFirst().orElseThrow();
        long start = Long.parseUnsignedLong(line.substring(0, line.indexOf('-')), 16);
        assertThat(vdso.base()).isEqualTo(start);
    }

    @Test
    void monotonicClockIsBracketedByNanoTime() {
        // System.nanoTime is CLOCK_MONOTONIC on Linux, read independently of our binding.
        long before = System.nanoTime();
        long ours = vdso.clockGettimeNanos(ClockId.CLOCK_MONOTONIC);
        long after = System.nanoTime();
        assertThat(ours).isBetween(before, after);
    }

    @Test
    void timeAgreesWithTheWallClockWithinASecond() {
        long wall = System.currentTimeMillis() / 1000;
        assertThat(vdso.time()).isBetween(wall - 1, wall + 1);
        VdsoCalls.Timespec tv = vdso.gettimeofday();
        assertThat(tv.seconds()).isBetween(wall - 1, wall + 1);
        assertThat(tv.nanos()).isBetween(0L, 999_999L);
    }

    @Test
    void getcpuAgreesWithSchedGetcpu() {
        // The thread may migrate between the two calls; a few tries must see one agreement.
        boolean agreed = false;
        for (int i = 0; i < 100 && !agreed; i++) {
            agreed = vdso.getcpu().cpu() == Libc.schedGetcpu();
        }
        assertThat(agreed).isTrue();
        assertThat(vdso.getcpu().cpu()).isBetween(0, Runtime.getRuntime().availableProcessors() * 64);
    }

    @Test
    void clockGetresMatchesLibc() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle libcGetres = linker.downcallHandle(linker.defaultLookup().find("clock_getres").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        for (ClockId clock : ClockId.values()) {
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                var ts = arena.allocate(16, 8);
                int rc = (int) libcGetres.invokeExact(clock.id(), ts);
                assertThat(rc).as(clock.name()).isZero();
                VdsoCalls.Timespec ours = vdso.clockGetres(clock);
                assertThat(ours.seconds()).as(clock.name()).isEqualTo(ts.get(ValueLayout.JAVA_LONG, 0));
                assertThat(ours.nanos()).as(clock.name()).isEqualTo(ts.get(ValueLayout.JAVA_LONG, 8));
            }
        }
    }

    @Test
    void anInvalidClockIsRefusedWithTheKernelsError() {
        assertThatThrownBy(() -> VdsoCalls.clockGettimeNanos(9999)).hasMessageContaining("Invalid argument");
    }

    @Test
    void theTimeFunctionsOfThisMachineAreServedByTheVdso() {
        assertThat(VdsoCalls.servedByVdso(VdsoFunction.CLOCK_GETTIME)).isTrue();
        assertThat(vdso.lookup(VdsoFunction.CLOCK_GETTIME)).isPresent();
        assertThat(vdso.lookup("LINUX_0.0", vdso.names().orElseThrow().symbol(VdsoFunction.CLOCK_GETTIME))).isEmpty();
        assertThat(vdso.lookup(vdso.names().orElseThrow().version(), "no_such_function")).isEmpty();
    }
}
