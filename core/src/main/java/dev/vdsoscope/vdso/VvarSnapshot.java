package dev.vdsoscope.vdso;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.vdsoscope.linux.PageProbe.PageState;

/**
 * The data beside this process's vDSO as the kernel had written it at one moment, decoded by the
 * layout of the running kernel's BTF ({@link VvarLayout}). Every clock base was read under its
 * sequence count, as the vDSO reads it, so each is consistent in itself.
 *
 * @param shape     the time data's structure ({@code vdso_time_data}, or the older {@code vdso_data})
 * @param pages     every page of [vvar] and [vvar_vclock], and whether it holds data
 * @param namespace this process's time namespace, where it is in one other than the initial
 * @param time      the system-wide time data
 * @param rng       the getrandom generation, where the kernel has it
 * @param pvclock   vCPU 0's KVM pvclock, where the page is populated
 * @param hvTsc     the Hyper-V reference TSC page, where it is populated
 */
public record VvarSnapshot(String shape, List<Page> pages, Optional<TimeNamespace> namespace, TimeData time,
        Optional<Rng> rng, Optional<Pvclock> pvclock, Optional<HvTsc> hvTsc) {

    /** What the kernel keeps in a page. */
    public enum PageRole {
        TIME_DATA("time data"),
        /** The time-namespace slot outside a namespace (a hole there). */
        TIME_NAMESPACE("time namespace"),
        /** Inside a time namespace, the namespace's page, where the time data would be. */
        NAMESPACE_OFFSETS("this time namespace's offsets"),
        RNG("getrandom state"),
        PVCLOCK("KVM pvclock"),
        HVCLOCK("Hyper-V TSC page"),
        /** Any other page: VDSO_ARCH_PAGES_START and on, or a clock page of an unknown kind. */
        OTHER("architecture data");

        private final String description;

        PageRole(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** One page of a mapping: where it is, what the kernel keeps there, and whether it can be read. */
    public record Page(String mapping, int index, long address, List<PageRole> roles, PageState state) {
        /** The roles in words, "time data, getrandom state". */
        public String role() {
            return String.join(", ", roles.stream().map(PageRole::description).toList());
        }
    }

    /**
     * A base time or a namespace offset: {@code basetime[clock]} or {@code offset[clock]}, named by
     * its clock id's C name ({@code VDSO_BASE_AUX} for an auxiliary clock's one base time).
     * {@code shifted}: the nanoseconds are kept shifted left by the clock base's {@code shift}, as
     * the high-resolution clocks' base times are (coarse clocks and namespace offsets are plain).
     */
    public record Timestamp(String clock, long sec, long nsec, boolean shifted) {}

    /**
     * One clock base ({@code clock_data[CS_HRES_COARSE]}, {@code clock_data[CS_RAW]}, an auxiliary
     * clock). {@code basetimes} holds the clocks this base serves; the high-resolution ones keep their
     * nanoseconds shifted left by {@code shift}, the coarse ones plain.
     */
    public record ClockBase(String name, long seq, long clockMode, String clockModeName, long cycleLast,
            OptionalLong maxCycles, long mask, long mult, long shift, List<Timestamp> basetimes) {
        /** Whether the vDSO serves this base in user space (any mode but VDSO_CLOCKMODE_NONE). */
        public boolean servedInUserSpace() {
            return !clockModeName.equals("VDSO_CLOCKMODE_NONE");
        }
    }

    /** The time data: its clock bases, auxiliary clocks, timezone and resolution. */
    public record TimeData(List<ClockBase> bases, List<ClockBase> auxClocks, long tzMinuteswest, long tzDsttime,
            long hrtimerRes) {
        /** The base of CS_HRES_COARSE (CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI, coarse clocks). */
        public ClockBase hresCoarse() {
            return bases.get(VvarLayout.CS_HRES_COARSE);
        }
    }

    /** A time namespace's offsets as the kernel keeps them in the namespace's page. */
    public record TimeNamespace(List<Timestamp> offsets) {}

    /** {@code struct vdso_rng_data}: bumped when the kernel's random pool is reseeded. */
    public record Rng(long generation, boolean ready) {}

    /** vCPU 0's {@code struct pvclock_vcpu_time_info}; the vDSO uses it only when {@code stable}. */
    public record Pvclock(long version, long tscTimestamp, long systemTime, long tscToSystemMul, long tscShift,
            long flags) {
        public boolean stable() {
            return (flags & VvarLayout.PVCLOCK_TSC_STABLE_BIT) != 0;
        }
    }

    /** {@code struct ms_hyperv_tsc_page}; a sequence of 0 tells the vDSO to make the system call. */
    public record HvTsc(long sequence, long scale, long offset) {}
}
