package dev.vdsoscope.abi;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What an ABI's kernel places in the data mappings beside its vDSO ({@code [vvar]},
 * {@code [vvar_vclock]}) that the kernel's BTF does not say, and how its vDSO turns a counter
 * reading into nanoseconds. The types of the data (their members and offsets), and on kernels with
 * the generic vDSO data store (6.15 and later) the order of the [vvar] pages ({@code enum vdso_pages}),
 * come from BTF; these are the rest, each with the kernel source it comes from.
 *
 * @param pvclockPage       the KVM pvclock page's index in [vvar_vclock]: VDSO_PAGE_PVCLOCK_OFFSET
 *                          (arch/x86/include/asm/vdso/vsyscall.h, 6.13 and later)
 * @param hvclockPage       the Hyper-V TSC page's index in [vvar_vclock]: VDSO_PAGE_HVCLOCK_OFFSET (same file)
 * @param legacy            where kernels before the data store that have no [vvar_vclock] keep their data
 * @param legacyWithVclock  where kernels before the data store that have [vvar_vclock] keep it (x86 6.13, 6.14)
 * @param counterRule       how the vDSO computes nanoseconds from a counter reading
 */
public record VvarFacts(OptionalInt pvclockPage, OptionalInt hvclockPage, Optional<LegacyLayout> legacy,
        Optional<LegacyLayout> legacyWithVclock, CounterRule counterRule) {

    /**
     * The [vvar] of kernels whose time data is {@code struct vdso_data[CS_BASES]} (before 6.15), which
     * have no {@code enum vdso_pages}: the page of each part and the time data's offset in its page.
     *
     * @param timeDataOffset byte offset of {@code _vdso_data} in the data page
     * @param rngOffset      byte offset of {@code _vdso_rng_data} in the data page, where the kernel has one
     * @param dataPage       the page with the system-wide data (or, in a time namespace, the namespace's page)
     * @param timensPage     the page where a time namespace's task finds the system-wide data
     * @param pvclockPage    the KVM pvclock page in [vvar], where the ABI has one there
     * @param hvclockPage    the Hyper-V TSC page in [vvar], where the ABI has one there
     */
    public record LegacyLayout(long timeDataOffset, OptionalLong rngOffset, int dataPage, int timensPage,
            OptionalInt pvclockPage, OptionalInt hvclockPage) {}

    /** How the vDSO turns {@code cycles} into nanoseconds past the clock base's base time. */
    public enum CounterRule {
        /**
         * lib/vdso/gettimeofday.c's {@code vdso_calc_ns()}: {@code ((cycles - cycle_last) & mask) * mult}
         * added to the shifted base nanoseconds, shifted right by {@code shift}.
         */
        GENERIC,
        /**
         * arch/x86/include/asm/vdso/gettimeofday.h: the TSC read with its top bit cleared
         * ({@code rdtsc_ordered() & S64_MAX}, the top bit marking an invalid reading), no mask, and a
         * TSC behind {@code cycle_last} (another CPU's) never moves time back. Kernels whose clock data
         * has {@code max_cycles} (6.10 and later, {@code vdso_calc_ns()}): a delta above it with bit 62
         * set is such negative motion and gives the base time itself. Older ones (5.3 to 6.9,
         * {@code vdso_calc_delta()}): a counter not above {@code cycle_last} counts as no delta.
         */
        X86
    }

    /** x86's two pages of [vvar_vclock], in arch/x86/include/asm/vdso/vsyscall.h's order. */
    private static final int X86_VCLOCK_PVCLOCK_PAGE = 0;
    private static final int X86_VCLOCK_HVCLOCK_PAGE = 1;

    /**
     * x86 up to 6.12: arch/x86/include/asm/vvar.h declares {@code DECLARE_VVAR(128, struct vdso_data,
     * _vdso_data)} and {@code DECLARE_VVAR_SINGLE(640, struct vdso_rng_data, _vdso_rng_data)} (6.11
     * and later), and arch/x86/entry/vdso/vdso-layout.lds.S places vvar_page, pvclock_page,
     * hvclock_page and timens_page in that order.
     */
    private static final LegacyLayout X86_LEGACY = new LegacyLayout(128, OptionalLong.of(640), 0, 3,
            OptionalInt.of(1), OptionalInt.of(2));
    /**
     * x86 6.13 and 6.14: {@code vdso_data} moved to the start of vvar_page, {@code __VDSO_RND_DATA_OFFSET}
     * (640, arch/x86/include/asm/vdso/vsyscall.h) after it, timens_page right after vvar_page, and the
     * clock pages in [vvar_vclock] (vdso-layout.lds.S of 6.13).
     */
    private static final LegacyLayout X86_LEGACY_WITH_VCLOCK = new LegacyLayout(0, OptionalLong.of(640), 0, 1,
            OptionalInt.empty(), OptionalInt.empty());
    /**
     * arm64 up to 6.14: arch/arm64/kernel/vdso.c's VVAR_DATA_PAGE_OFFSET (0) and
     * VVAR_TIMENS_PAGE_OFFSET (1); the data at the start of its page, {@code __VDSO_RND_DATA_OFFSET}
     * (480, arch/arm64/include/asm/vdso/vsyscall.h, with the vDSO's getrandom of 6.14) after it.
     */
    private static final LegacyLayout AARCH64_LEGACY = new LegacyLayout(0, OptionalLong.of(480), 0, 1,
            OptionalInt.empty(), OptionalInt.empty());

    /** The facts of this ABI's kernel. */
    public static VvarFacts of(LinuxAbi abi) {
        return switch (abi) {
            case X86_64, X32, I386 -> new VvarFacts(OptionalInt.of(X86_VCLOCK_PVCLOCK_PAGE),
                    OptionalInt.of(X86_VCLOCK_HVCLOCK_PAGE), Optional.of(X86_LEGACY),
                    Optional.of(X86_LEGACY_WITH_VCLOCK), CounterRule.X86);
            case AARCH64 -> new VvarFacts(OptionalInt.empty(), OptionalInt.empty(), Optional.of(AARCH64_LEGACY),
                    Optional.empty(), CounterRule.GENERIC);
            default -> new VvarFacts(OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(),
                    CounterRule.GENERIC);
        };
    }

    /** The legacy layout of a process that has (or has not) a [vvar_vclock] mapping. */
    public Optional<LegacyLayout> legacy(boolean vclockMapping) {
        return vclockMapping ? legacyWithVclock : legacy;
    }
}
