package dev.vdsoscope.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.vdsoscope.btf.Bpftool.Dumped;

/**
 * The running kernel's own BTF (/sys/kernel/btf/vmlinux), against {@code bpftool btf dump file} of
 * the same file: every type's kind, name and numbers (sizes, type ids, member names, bit offsets and
 * bitfield widths, enumerator values, linkages, array counts, data-section entries). Then the vDSO's
 * data types the kernel names, with the offsets bpftool gives. Skipped, with the reason, on a kernel
 * without BTF or a host without bpftool.
 */
class BtfHostKernelTest {
    private static Btf btf;
    private static Map<Integer, Dumped> dumped;

    /** Why the host cannot be compared, or null: each test skips with it (a class-level skip would not show). */
    private static String missing;

    @BeforeAll
    static void readBothWays() throws Exception {
        if (!Files.isReadable(Btf.VMLINUX)) {
            missing = Btf.VMLINUX + " is absent: this kernel was built without CONFIG_DEBUG_INFO_BTF";
        } else if (!Bpftool.available()) {
            missing = "bpftool (Debian package bpftool) is not installed";
        } else {
            btf = Btf.open(Btf.VMLINUX);
            dumped = Bpftool.dump(Btf.VMLINUX.toString(), null);
        }
    }

    @BeforeEach
    void needsTheHostsBtfAndBpftool() {
        assumeTrue(missing == null, missing);
    }

    @Test
    void everyTypeIsWhatBpftoolSays() {
        assertThat(btf.typeCount()).isEqualTo(dumped.size());
        assertThat(Bpftool.differences(btf, dumped, 1)).isEmpty();
    }

    @Test
    void theVdsoClockDataIsFoundWithTheOffsetsBpftoolGives() {
        // Kernels since 6.15 name vdso_time_data and vdso_clock; before, vdso_data held both.
        Optional<BtfType> clock = btf.find("vdso_clock", BtfKind.STRUCT).or(() -> btf.find("vdso_data", BtfKind.STRUCT));
        assumeTrue(clock.isPresent(), "this kernel's BTF names neither struct vdso_clock nor struct vdso_data");
        String struct = clock.get().name();
        for (String member : List.of("seq", "clock_mode", "cycle_last", "mask", "mult", "shift", "basetime")) {
            Field field = btf.field(struct, member).orElseThrow(() -> new AssertionError(struct + " has no " + member));
            assertThat(field.bitOffset()).as("%s.%s", struct, member).isEqualTo(bpftoolBitOffset(clock.get().id(), member));
        }
        btf.find("vdso_time_data", BtfKind.STRUCT).ifPresent(data -> {
            for (String member : List.of("clock_data", "hrtimer_res", "tz_minuteswest", "tz_dsttime")) {
                assertThat(btf.field(data, member).orElseThrow().bitOffset()).as("vdso_time_data.%s", member)
                        .isEqualTo(bpftoolBitOffset(data.id(), member));
            }
            assertThat(btf.sizeOf(data.id())).isEqualTo(Long.parseLong(dumped.get(data.id()).values().get("size")));
        });
    }

    @Test
    void theClockModesAreTheEnumeratorsBpftoolGives() {
        Optional<List<Enumerator>> modes = btf.enumerators("vdso_clock_mode");
        assumeTrue(modes.isPresent(), "this kernel's BTF names no enum vdso_clock_mode");
        int id = btf.find("vdso_clock_mode", BtfKind.ENUM).or(() -> btf.find("vdso_clock_mode", BtfKind.ENUM64))
                .orElseThrow().id();
        List<String> theirs = dumped.get(id).entries().stream().map(e -> e.name() + "=" + e.values().get("val")).toList();
        assertThat(modes.get()).extracting(e -> e.name() + "=" + e.value()).containsExactlyElementsOf(theirs)
                .contains("VDSO_CLOCKMODE_NONE=0");
    }

    /**
     * The bit offset of a member as bpftool's dump gives it: found in the struct or, as C finds it, in
     * its anonymous members (through typedefs and qualifiers), their offsets added.
     */
    private static long bpftoolBitOffset(int structId, String member) {
        Dumped struct = dumped.get(structId);
        for (Dumped m : struct.entries()) {
            long at = Long.parseLong(m.values().get("bits_offset"));
            if (m.name().equals(member)) {
                return at;
            }
            int inner = Integer.parseInt(m.values().get("type_id"));
            while (List.of("TYPEDEF", "CONST", "VOLATILE", "TYPE_TAG").contains(dumped.get(inner).kind())) {
                inner = Integer.parseInt(dumped.get(inner).values().get("type_id"));
            }
            if (m.name().equals("(anon)") && List.of("STRUCT", "UNION").contains(dumped.get(inner).kind())) {
                long within = bpftoolBitOffset(inner, member);
                if (within >= 0) {
                    return at + within;
                }
            }
        }
        return -1;
    }
}
