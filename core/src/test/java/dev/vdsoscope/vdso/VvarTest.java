package dev.vdsoscope.vdso;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.vdsoscope.linux.Cpuid;
import dev.vdsoscope.linux.PageProbe.PageState;
import dev.vdsoscope.linux.Syscall;
import dev.vdsoscope.proc.AuxvType;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.vdso.testing.VvarHost;

/**
 * This process's vvar pages, live: every page the probe calls populated is read byte by byte from
 * Java (a wrong answer would end the test JVM with SIGBUS), and the decoded values agree with the
 * kernel's answers through other doors: the clocks, clock_getres(2), CPUID's KVM features.
 */
class VvarTest {
    @BeforeEach
    void needsADecodableKernel() {
        VvarHost.assumeDecodable();
    }

    @Test
    void everyPageFoundPopulatedReadsWhole() throws Exception {
        Vvar vvar = Vvar.open();
        long pageSize = LinuxProcess.self().auxv().value(AuxvType.AT_PAGESZ).orElseThrow();
        int populated = 0;
        for (VvarSnapshot.Page page : vvar.pages()) {
            if (page.state() == PageState.READABLE) {
                // A hole read here would end this JVM with SIGBUS, which fails the run.
                MemorySegment bytes = MemorySegment.ofAddress(page.address()).reinterpret(pageSize);
                for (long i = 0; i < bytes.byteSize(); i++) {
                    bytes.get(ValueLayout.JAVA_BYTE, i);
                }
                populated++;
            }
        }
        assertThat(populated).as("the time page at least").isPositive();
        assertThat(vvar.pages()).anyMatch(p -> p.roles().contains(VvarSnapshot.PageRole.TIME_DATA)
                && p.state() == PageState.READABLE);
    }

    @Test
    void decodedValuesAgreeWithTheKernelsOtherAnswers() throws Exception {
        Vvar vvar = Vvar.open();
        VvarSnapshot s = vvar.snapshot();
        long monotonic = VdsoCalls.clockGettimeNanos(ClockId.CLOCK_MONOTONIC.id());
        VvarSnapshot.Timestamp base = s.time().hresCoarse().basetimes().stream()
                .filter(t -> t.clock().equals("CLOCK_MONOTONIC_COARSE")).findFirst().orElseThrow();
        // The coarse base is the last tick's time: at most a tick (well under a second) behind the clock.
        long baseNanos = base.sec() * 1_000_000_000L + base.nsec();
        assertThat(monotonic - baseNanos).isBetween(0L, 1_000_000_000L);
        // hrtimer_res is what clock_getres(2) answers for the high-resolution clocks.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(16);
            long number = Syscall.number("clock_getres").orElseThrow();
            assertThat(Syscall.invoke(number, ClockId.CLOCK_MONOTONIC.id(), ts.address(), 0)).isZero();
            assertThat(s.time().hrtimerRes()).isEqualTo(ts.get(ValueLayout.JAVA_LONG, 8));
        }
        s.pvclock().ifPresent(pv -> Cpuid.leaf(Cpuid.KVM_FEATURES_LEAF).filter(r -> Cpuid.hypervisorSignature()
                .orElse("").equals("KVMKVMKVM")).ifPresent(kvm -> assertThat(pv.stable())
                .as("PVCLOCK_TSC_STABLE_BIT follows KVM_FEATURE_CLOCKSOURCE_STABLE_BIT")
                .isEqualTo((kvm.eax() & (1 << Cpuid.KVM_FEATURE_CLOCKSOURCE_STABLE_BIT)) != 0)));
    }

    @Test
    void monotonicComputedFromTheFieldsFallsBetweenTwoVdsoCalls() throws Exception {
        Vvar vvar = Vvar.open();
        try {
            vvar.checkMonotonic();
        } catch (Vvar.SystemCallModeException e) {
            VvarHost.assumeServedInUserSpace(e.getMessage());
        }
        int within = 0;
        for (int i = 0; i < 100; i++) {
            boolean landed = false;
            for (int attempt = 0; attempt < 4 && !landed; attempt++) {
                landed = vvar.checkMonotonic().within();
            }
            within += landed ? 1 : 0;
        }
        assertThat(within).isEqualTo(100);
    }
}
