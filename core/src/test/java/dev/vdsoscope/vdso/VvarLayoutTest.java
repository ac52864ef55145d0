package dev.vdsoscope.vdso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.abi.VvarFacts;
import dev.vdsoscope.btf.Btf;
import dev.vdsoscope.elf.testing.HostTools;
import dev.vdsoscope.vdso.testing.VvarHost;

/**
 * The layout read from BTF, against pahole's view of the same BTF (the host's), against gcc's
 * offsetof (a compiled replica of the older struct vdso_data, its BTF encoded by pahole -J), and
 * with types missing; and the vDSO's arithmetic against exact 128-bit arithmetic.
 */
class VvarLayoutTest {
    /** A member line of {@code pahole -C}: {@code u64 cycle_last; /* 8 8 *}{@code /}. */
    private static final Pattern PAHOLE_MEMBER = Pattern.compile("\\s(\\w+)(?:\\[\\d+])?;\\s+/\\*\\s+(\\d+)\\s+(\\d+)\\s+\\*/");

    /** stdout of {@code command} run in {@code dir}, which must succeed. */
    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        HostTools.Run run = HostTools.run(dir, command);
        assertThat(run.exitCode()).as(String.join(" ", command) + ": " + run.stderr()).isZero();
        return run.stdout();
    }

    /** Member name to byte offset, from {@code pahole -C struct file}. */
    private static Map<String, Long> pahole(Path dir, String struct, String file) throws Exception {
        Map<String, Long> offsets = new HashMap<>();
        Matcher m = PAHOLE_MEMBER.matcher(run(dir, "pahole", "-C", struct, file));
        while (m.find()) {
            offsets.putIfAbsent(m.group(1), Long.parseLong(m.group(2)));
        }
        return offsets;
    }

    @Test
    void theHostsLayoutAgreesWithPahole(@TempDir Path dir) throws Exception {
        VvarHost.assumeDecodable();
        assumeTrue(HostTools.installed("pahole"), "pahole (dwarves) is not installed");
        boolean vclock = Files.readString(Path.of("/proc/self/maps")).contains("[vvar_vclock]");
        VvarLayout layout = VvarLayout.of(Btf.open(Btf.VMLINUX), VvarFacts.of(LinuxAbi.host().orElseThrow()), vclock);
        VvarLayout.ClockLayout c = layout.clock();
        Map<String, Long> clock = pahole(dir, c.struct(), Btf.VMLINUX.toString());
        assertThat(clock).containsEntry("seq", c.seq().offset()).containsEntry("clock_mode", c.clockMode().offset())
                .containsEntry("cycle_last", c.cycleLast().offset()).containsEntry("mask", c.mask().offset())
                .containsEntry("mult", c.mult().offset()).containsEntry("shift", c.shift().offset())
                .containsEntry("basetime", c.basetimeOffset()).containsEntry("offset", c.offsetsOffset());
        c.maxCycles().ifPresent(f -> assertThat(clock).containsEntry("max_cycles", f.offset()));
        if (layout.shape().equals("vdso_time_data")) {
            Map<String, Long> time = pahole(dir, "vdso_time_data", Btf.VMLINUX.toString());
            VvarLayout.TimeDataLayout t = layout.timeData();
            assertThat(time).containsEntry("clock_data", t.clocksOffset())
                    .containsEntry("tz_minuteswest", t.tzMinuteswest().offset())
                    .containsEntry("tz_dsttime", t.tzDsttime().offset()).containsEntry("hrtimer_res", t.hrtimerRes().offset());
        }
        layout.pvclock().ifPresent(p -> {
            try {
                assertThat(pahole(dir, "pvclock_vcpu_time_info", Btf.VMLINUX.toString()))
                        .containsEntry("tsc_timestamp", p.tscTimestamp().offset())
                        .containsEntry("system_time", p.systemTime().offset())
                        .containsEntry("tsc_shift", p.tscShift().offset()).containsEntry("flags", p.flags().offset());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(layout.clock().clockMode().signed()).as("s32 clock_mode").isTrue();
    }

    /** Linux 6.1's struct vdso_data (include/vdso/datapage.h), with a program printing gcc's offsets. */
    private static final String LINUX_6_1_DATAPAGE = """
            #include <stddef.h>
            #include <stdio.h>
            typedef unsigned int u32; typedef int s32; typedef unsigned long long u64; typedef long long s64;
            struct vdso_timestamp { u64 sec; u64 nsec; };
            struct timens_offset { s64 sec; u64 nsec; };
            struct arch_vdso_data {};
            enum vdso_clock_mode { VDSO_CLOCKMODE_NONE, VDSO_CLOCKMODE_TSC, VDSO_CLOCKMODE_PVCLOCK,
                VDSO_CLOCKMODE_HVCLOCK, VDSO_CLOCKMODE_MAX, VDSO_CLOCKMODE_TIMENS = 0x7fffffff };
            struct vdso_data {
                u32 seq; s32 clock_mode; u64 cycle_last; u64 mask; u32 mult; u32 shift;
                union { struct vdso_timestamp basetime[12]; struct timens_offset offset[12]; };
                s32 tz_minuteswest; s32 tz_dsttime; u32 hrtimer_res; u32 __unused;
                struct arch_vdso_data arch_data;
            } data[2];
            enum vdso_clock_mode mode;
            int main(void) {
                printf("seq %zu clock_mode %zu cycle_last %zu mask %zu mult %zu shift %zu basetime %zu "
                       "tz_minuteswest %zu hrtimer_res %zu size %zu\\n", offsetof(struct vdso_data, seq),
                       offsetof(struct vdso_data, clock_mode), offsetof(struct vdso_data, cycle_last),
                       offsetof(struct vdso_data, mask), offsetof(struct vdso_data, mult),
                       offsetof(struct vdso_data, shift), offsetof(struct vdso_data, basetime),
                       offsetof(struct vdso_data, tz_minuteswest), offsetof(struct vdso_data, hrtimer_res),
                       sizeof(struct vdso_data));
                return 0;
            }
            """;

    @Test
    void theOlderVdsoDataIsLaidOutAsGccLaysItOut(@TempDir Path dir) throws Exception {
        assumeTrue(HostTools.installed("gcc") && HostTools.installed("pahole"),
                "gcc and pahole (dwarves) are needed to make BTF");
        Files.writeString(dir.resolve("datapage.c"), LINUX_6_1_DATAPAGE);
        run(dir, "gcc", "-g", "-o", "datapage", "datapage.c");
        run(dir, "pahole", "-J", "datapage");
        String[] printed = run(dir, dir.resolve("datapage").toString()).strip().split(" ");
        Map<String, Long> gcc = new HashMap<>();
        for (int i = 0; i + 1 < printed.length; i += 2) {
            gcc.put(printed[i], Long.parseLong(printed[i + 1]));
        }
        Btf btf = Btf.open(dir.resolve("datapage"));
        VvarLayout layout = VvarLayout.of(btf, VvarFacts.of(LinuxAbi.X86_64), false);
        assertThat(layout.shape()).isEqualTo("vdso_data");
        VvarLayout.ClockLayout c = layout.clock();
        assertThat(List.of(c.seq().offset(), c.clockMode().offset(), c.cycleLast().offset(), c.mask().offset(),
                c.mult().offset(), c.shift().offset(), c.basetimeOffset(), layout.timeData().tzMinuteswest().offset(),
                layout.timeData().hrtimerRes().offset(), c.size())).containsExactly(gcc.get("seq"), gcc.get("clock_mode"),
                gcc.get("cycle_last"), gcc.get("mask"), gcc.get("mult"), gcc.get("shift"), gcc.get("basetime"),
                gcc.get("tz_minuteswest"), gcc.get("hrtimer_res"), gcc.get("size"));
        assertThat(c.maxCycles()).isEmpty();
        assertThat(c.basetimeCount()).isEqualTo(12);
        // Where BTF cannot say, the layout is x86's of its time: up to 6.12 (no [vvar_vclock]) the data
        // at vvar+128 and the clock pages in [vvar]; 6.13 and 6.14 (with [vvar_vclock]) the data at 0.
        assertThat(List.of(layout.pages().timeDataOffset(), (long) layout.pages().timensPage(),
                (long) layout.pages().pvclockPage().orElse(-1), layout.pages().vclockMapping() ? 1L : 0L))
                .containsExactly(128L, 3L, 1L, 0L);
        VvarLayout.Pages with = VvarLayout.of(btf, VvarFacts.of(LinuxAbi.X86_64), true).pages();
        assertThat(List.of(with.timeDataOffset(), (long) with.timensPage(), (long) with.pvclockPage().orElse(-1),
                with.vclockMapping() ? 1L : 0L)).containsExactly(0L, 1L, 0L, 1L);
        assertThat(layout.clockModeName(2)).isEqualTo("VDSO_CLOCKMODE_PVCLOCK");
    }

    @Test
    void aKernelLackingTypesIsToldWhichOnes(@TempDir Path dir) throws Exception {
        assumeTrue(HostTools.installed("gcc") && HostTools.installed("pahole"),
                "gcc and pahole (dwarves) are needed to make BTF");
        Files.writeString(dir.resolve("partial.c"), """
                typedef unsigned int u32; typedef int s32; typedef unsigned long long u64;
                struct vdso_timestamp { u64 sec; u64 nsec; };
                struct timens_offset { long long sec; u64 nsec; };
                struct vdso_clock { u32 seq; s32 clock_mode; u64 cycle_last; u64 mask; u32 mult; u32 shift;
                    union { struct vdso_timestamp basetime[12]; struct timens_offset offset[12]; }; };
                struct vdso_time_data { struct vdso_clock clock_data[2]; s32 tz_minuteswest; s32 tz_dsttime; } t;
                """);
        run(dir, "gcc", "-g", "-c", "-o", "partial.o", "partial.c");
        run(dir, "pahole", "-J", "partial.o");
        Btf btf = Btf.open(dir.resolve("partial.o"));
        assertThatThrownBy(() -> VvarLayout.of(btf, VvarFacts.of(LinuxAbi.X86_64), true))
                .isInstanceOfSatisfying(VvarLayout.MissingTypesException.class, e -> assertThat(e.missing())
                        .containsExactly("struct vdso_time_data's member hrtimer_res", "enum vdso_pages",
                                "enum vdso_clock_mode"));
    }

    /** (delta * mult + base) >> shift, exactly, in 64 bits as the kernel keeps it. */
    private static long exact(long delta, long mult, long base, int shift) {
        BigInteger product = new BigInteger(Long.toUnsignedString(delta)).multiply(BigInteger.valueOf(mult))
                .add(new BigInteger(Long.toUnsignedString(base)));
        return product.shiftRight(shift).longValue();
    }

    @Test
    void theArithmeticIsExactOnBothPathsAndNegativeMotionGivesTheBase() {
        SplittableRandom random = new SplittableRandom(18);
        for (int i = 0; i < 100_000; i++) {
            long mult = random.nextLong(1, 1L << 32);
            int shift = random.nextInt(0, 32);
            long base = random.nextLong(0, Long.MAX_VALUE);
            long cycleLast = random.nextLong(0, Long.MAX_VALUE);
            long delta = random.nextBoolean() ? random.nextLong(0, 1L << 40) : random.nextLong(0, 1L << 62);
            // The kernel sets max_cycles so that delta * mult + base cannot overflow below it.
            long maxCycles = Long.divideUnsigned(-1L - base, mult);
            long cycles = cycleLast + delta;
            for (VvarFacts.CounterRule rule : VvarFacts.CounterRule.values()) {
                assertThat(Vvar.nanosSinceBase(rule, cycles, cycleLast, -1L, OptionalLong.of(maxCycles), mult, shift, base))
                        .as("%s delta %d mult %d shift %d base %d", rule, delta, mult, shift, base)
                        .isEqualTo(exact(delta, mult, base, shift));
            }
        }
        // x86: a TSC read a little behind cycle_last (another CPU's) gives the base time, not a leap.
        long base = 5_000L << 24;
        assertThat(Vvar.nanosSinceBase(VvarFacts.CounterRule.X86, 1_000, 1_200, -1L, OptionalLong.of(1L << 40),
                6_462_360, 24, base)).isEqualTo(base >>> 24);
        // x86 before 6.10 (no max_cycles): a counter not past cycle_last adds nothing.
        assertThat(Vvar.nanosSinceBase(VvarFacts.CounterRule.X86, 1_000, 1_200, -1L, OptionalLong.empty(), 6_462_360, 24,
                base)).isEqualTo(base >>> 24);
        // The generic rule masks the delta: a 32-bit counter that wrapped still moves forward.
        assertThat(Vvar.nanosSinceBase(VvarFacts.CounterRule.GENERIC, 5, 0xffff_fff0L, 0xffff_ffffL, OptionalLong.empty(),
                1 << 24, 24, 0)).isEqualTo(0x15);
    }
}
