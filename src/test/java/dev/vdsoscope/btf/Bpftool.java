package dev.vdsoscope.btf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The oracle of the BTF tests: {@code bpftool btf dump file FILE [-B BASE]}, its raw dump parsed into
 * one record per type, and our types worded the same way, so that the two can be compared type by
 * type. Our numbers must be among bpftool's; keys a newer bpftool adds are not looked at.
 */
final class Bpftool {
    private static final Pattern TYPE_LINE = Pattern.compile("^\\[(\\d+)] (\\w+) '([^']*)'(.*)$");
    private static final Pattern ENTRY_LINE = Pattern.compile("^\\t(?:'([^']*)')?(.*)$");
    private static final Pattern VALUE = Pattern.compile("(\\w+)=([^\\s,]+)");

    private Bpftool() {}

    /** One type or one of its entries (members, enumerators, parameters, variables) as bpftool prints it. */
    record Dumped(String kind, String name, Map<String, String> values, List<Dumped> entries) {}

    /** Whether bpftool runs here. */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("bpftool", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** {@code bpftool btf dump file FILE} (with {@code -B BASE} when base is not null), by type id. */
    static Map<Integer, Dumped> dump(String file, String base) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bpftool", "btf", "dump", "file", file));
        if (base != null) {
            command.addAll(List.of("-B", base));
        }
        Process bpftool = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<Integer, Dumped> dumped = new HashMap<>();
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
        assertThat(bpftool.exitValue()).as("%s", command).isZero();
        return dumped;
    }

    /** The types from {@code firstId} on that bpftool words otherwise (20 at most), each with both wordings. */
    static List<String> differences(Btf btf, Map<Integer, Dumped> dumped, int firstId) {
        List<String> differences = new ArrayList<>();
        for (int id = firstId; id <= btf.typeCount() && differences.size() < 20; id++) {
            Dumped ours = render(btf.type(id));
            Dumped theirs = dumped.get(id);
            if (!agree(ours, theirs)) {
                differences.add("[" + id + "] ours " + ours + "\n    bpftool " + theirs);
            }
        }
        return differences;
    }

    static Map<String, String> values(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        Matcher m = VALUE.matcher(text);
        while (m.find()) {
            // bpftool writes 64-bit enumerators as C literals: 1ULL, -5LL.
            values.putIfAbsent(m.group(1), m.group(2).replaceFirst("U?LL$", ""));
        }
        return values;
    }

    /** Whether bpftool says what we say: the same kind, names and entries, and each of our numbers among its. */
    static boolean agree(Dumped ours, Dumped theirs) {
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
    static Dumped render(BtfType type) {
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

}
