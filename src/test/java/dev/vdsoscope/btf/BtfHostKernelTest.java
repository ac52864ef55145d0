package dev.vdsoscope.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The running kernel's own BTF (/sys/kernel/btf/vmlinux), against {@code bpftool btf dump file} of
 * the same file: every type's kind, name and numbers (sizes, type ids, member names, bit offsets and
 * bitfield widths, enumerator values, linkages, array counts, data-section entries). Then the vDSO's
 * data types the kernel names, with the offsets bpftool gives. Skipped, with the reason, on a kernel
 * without BTF or a host without bpftool.
 */
class BtfHostKernelTest {
    private static final Pattern TYPE_LINE = Pattern.compile("^\\[(\\d+)] (\\w+) '([^']*)'(.*)$");
    private static final Pattern ENTRY_LINE = Pattern.compile("^\\t(?:'([^']*)')?(.*)$");
    private static final Pattern VALUE = Pattern.compile("(\\w+)=([^\\s,]+)");

    /** One type or one of its entries (members, enumerators, parameters, variables) as bpftool prints it. */
    record Dumped(String kind, String name, Map<String, String> values, List<Dumped> entries) {}

    private static Btf btf;
    private static Map<Integer, Dumped> dumped;

    @BeforeAll
    static void readBothWays() throws Exception {
        assumeTrue(Files.isReadable(Btf.VMLINUX), Btf.VMLINUX + " is absent: this kernel was built without CONFIG_DEBUG_INFO_BTF");
        btf = Btf.open(Btf.VMLINUX);
        Process bpftool;
        try {
            bpftool = new ProcessBuilder("bpftool", "btf", "dump", "file", Btf.VMLINUX.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            assumeTrue(false, "bpftool (Debian package bpftool) is not installed: " + e.getMessage());
            return;
        }
        dumped = new HashMap<>();
        try (var lines = bpftool.inputReader(StandardCharsets.UTF_8)) {
            Dumped current = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                Matcher type = TYPE_LINE.matcher(line);
                if (type.matches()) {
                    current = new Dumped(type.group(2), type.group(3), values(type.group(4)), new ArrayList<>());
                    dumped.put(Integer.parseInt(type.group(1)), current);
                    continue;
                }
                Matcher entry = ENTRY_LINE.matcher(line);
                assertThat(entry.matches() && current != null).as("bpftool line %s", line).isTrue();
                current.entries().add(new Dumped("", entry.group(1), values(entry.group(2)), List.of()));
            }
        }
        assertThat(bpftool.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(bpftool.exitValue()).as("bpftool btf dump file").isZero();
    }

    private static Map<String, String> values(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        Matcher m = VALUE.matcher(text);
        while (m.find()) {
            // bpftool writes 64-bit enumerators as C literals: 1ULL, -5LL.
            values.putIfAbsent(m.group(1), m.group(2).replaceFirst("U?LL$", ""));
        }
        return values;
    }

    @Test
    void everyTypeIsWhatBpftoolSays() {
        assertThat(btf.typeCount()).isEqualTo(dumped.size());
        List<String> differences = new ArrayList<>();
        for (int id = 1; id <= btf.typeCount() && differences.size() < 20; id++) {
            Dumped ours = render(btf.type(id));
            Dumped theirs = dumped.get(id);
            if (!agree(ours, theirs)) {
                differences.add("[" + id + "] ours " + ours + "\n    bpftool " + theirs);
            }
        }
        assertThat(differences).isEmpty();
    }

    /** Whether bpftool says what we say: the same kind, names and entries, and each of our numbers among its. */
    private static boolean agree(Dumped ours, Dumped theirs) {
        if (theirs == null || !ours.kind().equals(theirs.kind()) || !Objects.equals(ours.name(), theirs.name())
                || !theirs.values().entrySet().containsAll(ours.values().entrySet())
                || ours.entries().size() != theirs.entries().size()) {
            return false;
        }
        for (int i = 0; i < ours.entries().size(); i++) {
            if (!agree(ours.entries().get(i), theirs.entries().get(i))) {
                return false;
            }
        }
        return true;
    }

    /** A type as bpftool's raw dump words it (bpftool's names for kinds, encodings and linkages). */
    private static Dumped render(BtfType type) {
        Map<String, String> v = new LinkedHashMap<>();
        List<Dumped> entries = new ArrayList<>();
        switch (type) {
            case BtfType.Int i -> {
                v.put("size", "" + i.size());
                v.put("bits_offset", "" + i.bitOffset());
                v.put("nr_bits", "" + i.bits());
                v.put("encoding", i.encoding().isEmpty() ? "(none)" : i.encoding().iterator().next().name().substring("BTF_INT_".length()));
            }
            case BtfType.Ptr p -> v.put("type_id", "" + p.type());
            case BtfType.Typedef t -> v.put("type_id", "" + t.type());
            case BtfType.Modifier m -> v.put("type_id", "" + m.type());
            case BtfType.TypeTag t -> v.put("type_id", "" + t.type());
            case BtfType.Array a -> {
                v.put("type_id", "" + a.elementType());
                v.put("index_type_id", "" + a.indexType());
                v.put("nr_elems", "" + a.count());
            }
            case BtfType.Composite c -> {
                v.put("size", "" + c.size());
                v.put("vlen", "" + c.members().size());
                for (BtfType.Member m : c.members()) {
                    Map<String, String> member = new LinkedHashMap<>();
                    member.put("type_id", "" + m.type());
                    member.put("bits_offset", "" + m.bitOffset());
                    if (m.bitfieldSize() != 0) {
                        member.put("bitfield_size", "" + m.bitfieldSize());
                    }
                    entries.add(new Dumped("", anon(m.name()), member, List.of()));
                }
            }
            case BtfType.Enum e -> {
                v.put("encoding", e.signed() ? "SIGNED" : "UNSIGNED");
                v.put("size", "" + e.size());
                v.put("vlen", "" + e.values().size());
                for (Enumerator value : e.values()) {
                    entries.add(new Dumped("", value.name(), Map.of("val",
                            e.signed() ? Long.toString(value.value()) : Long.toUnsignedString(value.value())), List.of()));
                }
            }
            case BtfType.Fwd f -> v.put("fwd_kind", f.union() ? "union" : "struct");
            case BtfType.Func f -> {
                v.put("type_id", "" + f.proto());
                v.put("linkage", f.linkage().name().substring("BTF_FUNC_".length()).toLowerCase());
            }
            case BtfType.FuncProto p -> {
                v.put("ret_type_id", "" + p.returnType());
                v.put("vlen", "" + p.params().size());
                for (BtfType.Param param : p.params()) {
                    entries.add(new Dumped("", anon(param.name()), Map.of("type_id", "" + param.type()), List.of()));
                }
            }
            case BtfType.Var var -> {
                v.put("type_id", "" + var.type());
                v.put("linkage", switch (var.linkage()) {
                    case BTF_VAR_STATIC -> "static";
                    case BTF_VAR_GLOBAL_ALLOCATED -> "global";
                    case BTF_VAR_GLOBAL_EXTERN -> "extern";
                });
            }
            case BtfType.Datasec d -> {
                v.put("size", "" + d.size());
                v.put("vlen", "" + d.vars().size());
                for (BtfType.VarSecinfo var : d.vars()) {
                    entries.add(new Dumped("", null, Map.of("type_id", "" + var.type(), "offset", "" + var.offset(),
                            "size", "" + var.size()), List.of()));
                }
            }
            case BtfType.Float f -> v.put("size", "" + f.size());
            case BtfType.DeclTag d -> {
                v.put("type_id", "" + d.type());
                v.put("component_idx", "" + d.componentIndex());
            }
            case BtfType.Void unused -> throw new AssertionError("type 0 is not dumped");
        }
        return new Dumped(type.kind().name(), type.kind() == BtfKind.UNKN ? "" : anon(type.name()), v, entries);
    }

    private static String anon(String name) {
        return name.isEmpty() ? "(anon)" : name;
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
