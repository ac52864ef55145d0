package dev.vdsoscope.disasm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.vdsoscope.elf.BuildId;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.SectionIndex;
import dev.vdsoscope.elf.Symbol;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.elf.SymbolType;
import dev.vdsoscope.elf.SymbolVersions;

/**
 * What differs between two images (two kernels' vDSOs, or one image as built and as patched):
 * identity, exported symbols, version definitions, sections, and per common function whether its
 * code changed, at the instruction level, ignoring displacements that only reflect moved code.
 */
public final class ImageDiff {
    /** Which image one side of a comparison is: its name, machine, soname and build ID. */
    public record Identity(String name, String machine, Optional<String> soname, Optional<String> buildId) {}

    /** An exported symbol: its address, size and version. */
    public record Export(String name, long address, long size, String version) {}

    /** A change to one function or section; a function's aliases share one change. */
    public record Change<T>(List<String> names, T before, T after) {}

    /** The verdict on one function present in both images. */
    public enum CodeVerdict {
        IDENTICAL_BYTES("identical bytes"),
        SAME_INSTRUCTIONS("same instructions (only relative displacements differ)"),
        CHANGED("changed"),
        BYTES_DIFFER("bytes differ (Capstone is needed to say how)");

        private final String description;

        CodeVerdict(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * {@code changed} of {@code compared} instructions differ (edit distance over normalised
     * instructions); for a changed function, {@code changes} is the edit script, a line per instruction:
     * {@code "  "} kept, {@code "- "} only before, {@code "+ "} only after (empty otherwise).
     */
    public record FunctionCode(String name, CodeVerdict verdict, int instructionsBefore, int instructionsAfter,
            int changed, int compared, List<String> changes) {}

    /**
     * What differs from image {@code a} to image {@code b}: exports, versions, sections, and each
     * function's code.
     */
    public record Result(Identity a, Identity b, List<String> added, List<String> removed,
            List<Change<Long>> moved, List<Change<Long>> resized, List<Change<String>> versionChanged,
            List<String> versionsAdded, List<String> versionsRemoved, List<String> sectionsAdded,
            List<String> sectionsRemoved, List<Change<Long>> sectionsResized, List<FunctionCode> functions,
            List<String> notes, boolean codeCompared) {
        /** Whether anything at all differs. */
        public boolean differs() {
            return !Objects.equals(a.buildId(), b.buildId()) || !added.isEmpty() || !removed.isEmpty()
                    || !moved.isEmpty() || !resized.isEmpty() || !versionChanged.isEmpty() || !versionsAdded.isEmpty()
                    || !versionsRemoved.isEmpty() || !sectionsAdded.isEmpty() || !sectionsRemoved.isEmpty()
                    || !sectionsResized.isEmpty()
                    || functions.stream().anyMatch(f -> f.verdict() != CodeVerdict.IDENTICAL_BYTES);
        }
    }

    /** PC-relative operands whose value moves with the code: x86 rip-relative, ARM pc-relative. */
    private static final Pattern RELATIVE = Pattern.compile(
            "-?0x[0-9a-f]+(?=\\(%rip\\))|(?<=\\[rip [+-] )0x[0-9a-f]+|(?<=\\[pc, )#-?0x[0-9a-f]+|(?<=\\[pc, )#-?\\d+");
    private static final Pattern ADDRESS = Pattern.compile("#?0x[0-9a-f]+$");

    private ImageDiff() {}

    /** One of the two images could not be read where the comparison needed it: which one, and why. */
    public static final class UnreadableImageException extends RuntimeException {
        private final String image;

        UnreadableImageException(String image, ElfFormatException cause) {
            super(cause.getMessage(), cause);
            this.image = image;
        }

        /** The image's name, as the comparison was given it. */
        public String image() {
            return image;
        }
    }

    /**
     * Whether an address is in a loadable segment's memory but past its file bytes (.bss): no code to
     * compare. An address outside every segment is not that: reading it fails, naming the image.
     */
    private static boolean zeroFilled(ElfFile image, long address) {
        return !image.isFileBacked(address) && image.segments().stream().anyMatch(p ->
                p.type().value() == dev.vdsoscope.elf.SegmentType.PT_LOAD.value()
                        && Long.compareUnsigned(address - p.vaddr(), p.memsz()) < 0
                        && Long.compareUnsigned(address, p.vaddr()) >= 0);
    }

    /** Reads a part of one image, a failure naming that image. */
    private static <T> T side(String name, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (ElfFormatException e) {
            throw new UnreadableImageException(name, e);
        }
    }

    /**
     * Compares two images.
     *
     * @throws UnreadableImageException naming the image whose tables or code could not be read
     */
    public static Result compare(ElfFile a, String nameA, ElfFile b, String nameB) {
        List<String> notes = new ArrayList<>();
        Map<String, Export> before = side(nameA, () -> exports(a));
        Map<String, Export> after = side(nameB, () -> exports(b));
        List<String> added = new ArrayList<>(after.keySet());
        added.removeAll(before.keySet());
        List<String> removed = new ArrayList<>(before.keySet());
        removed.removeAll(after.keySet());
        List<Change<Long>> moved = new ArrayList<>();
        List<Change<Long>> resized = new ArrayList<>();
        List<Change<String>> versionChanged = new ArrayList<>();
        // Two machines lay out and encode code differently: neither addresses nor instructions say
        // anything across them. (Two classes of one machine, x86-64 and x32, share the instruction set.)
        boolean sameInstructionSet = a.machine().is(b.machine());
        if (!sameInstructionSet) {
            notes.add(a.machine().cName() + " and " + b.machine().cName() + " are different instruction sets:"
                    + " symbols, versions and sections are compared; addresses and code are not");
        }
        for (String name : new TreeSet<>(before.keySet())) {
            Export x = before.get(name);
            Export y = after.get(name);
            if (y == null) {
                continue;
            }
            if (sameInstructionSet && x.address() != y.address()) {
                moved.add(new Change<>(List.of(name), x.address(), y.address()));
            }
            if (x.size() != y.size()) {
                resized.add(new Change<>(List.of(name), x.size(), y.size()));
            }
            if (!x.version().equals(y.version())) {
                versionChanged.add(new Change<>(List.of(name), x.version(), y.version()));
            }
        }
        List<String> versionsA = side(nameA, () -> versionNames(a));
        List<String> versionsB = side(nameB, () -> versionNames(b));
        Map<String, Long> sectionsA = side(nameA, () -> sections(a));
        Map<String, Long> sectionsB = side(nameB, () -> sections(b));
        List<Change<Long>> sectionsResized = new ArrayList<>();
        sectionsA.forEach((name, size) -> {
            Long other = sectionsB.get(name);
            if (other != null && !other.equals(size)) {
                sectionsResized.add(new Change<>(List.of(name), size, other));
            }
        });
        if (sectionsA.isEmpty() != sectionsB.isEmpty()) {
            notes.add("only one image has section headers: section differences are not meaningful");
        }
        List<FunctionCode> functions = sameInstructionSet ? code(a, b, before, after, notes) : List.of();
        return new Result(identity(a, nameA), identity(b, nameB), sorted(added), sorted(removed),
                mergeAliases(moved, before), mergeAliases(resized, before), mergeAliases(versionChanged, before), minus(versionsB, versionsA), minus(versionsA, versionsB),
                minus(new ArrayList<>(sectionsB.keySet()), new ArrayList<>(sectionsA.keySet())),
                minus(new ArrayList<>(sectionsA.keySet()), new ArrayList<>(sectionsB.keySet())), sectionsResized,
                functions, List.copyOf(notes), sameInstructionSet);
    }

    /** One change per function: aliases bound to the same address with the same change are merged. */
    private static <T> List<Change<T>> mergeAliases(List<Change<T>> changes, Map<String, Export> before) {
        Map<String, Change<T>> merged = new LinkedHashMap<>();
        for (Change<T> c : changes) {
            String key = before.get(c.names().getFirst()).address() + " " + c.before() + " " + c.after();
            Change<T> earlier = merged.get(key);
            if (earlier == null) {
                merged.put(key, c);
            } else {
                List<String> names = new ArrayList<>(earlier.names());
                names.addAll(c.names());
                merged.put(key, new Change<>(List.copyOf(names), c.before(), c.after()));
            }
        }
        return List.copyOf(merged.values());
    }

    private static List<String> sorted(List<String> list) {
        return list.stream().sorted().toList();
    }

    private static List<String> minus(List<String> from, List<String> taken) {
        return from.stream().filter(s -> !taken.contains(s)).sorted().toList();
    }

    private static Identity identity(ElfFile image, String name) {
        return new Identity(name, image.machine().cName(), image.dynamic().flatMap(d -> d.soname()),
                BuildId.of(image).map(BuildId::hex));
    }

    /** The defined code and data symbols of .dynsym by name (a vDSO exports only these). */
    private static Map<String, Export> exports(ElfFile image) {
        Map<String, Export> map = new TreeMap<>();
        Optional<SymbolTable> table = image.dynamicSymbols();
        if (table.isEmpty()) {
            return map;
        }
        SymbolVersions versions = image.versions();
        for (int i = 1; i < table.get().size(); i++) {
            Symbol s = table.get().get(i);
            boolean code = s.type().equals(SymbolType.STT_FUNC) || s.type().equals(SymbolType.STT_NOTYPE)
                    || s.type().equals(SymbolType.STT_OBJECT);
            if (!code || s.shndx() == SectionIndex.SHN_UNDEF || s.shndx() == SectionIndex.SHN_ABS) {
                continue;
            }
            String version = versions.of(i).map(SymbolVersions.Version::name).orElse("");
            map.putIfAbsent(s.name(), new Export(s.name(), s.value(), s.size(), version));
        }
        return map;
    }

    private static List<String> versionNames(ElfFile image) {
        return image.versions().definitions().stream().map(SymbolVersions.Definition::name).distinct().toList();
    }

    private static Map<String, Long> sections(ElfFile image) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (Section s : image.sections()) {
            if (s.index() != 0) {
                map.putIfAbsent(s.name(), s.size());
            }
        }
        return map;
    }

    private static List<FunctionCode> code(ElfFile a, ElfFile b, Map<String, Export> before, Map<String, Export> after,
            List<String> notes) {
        List<FunctionCode> list = new ArrayList<>();
        ImageDisassembler da = null;
        ImageDisassembler db = null;
        try {
            try {
                da = ImageDisassembler.open(a, Syntax.att);
                db = ImageDisassembler.open(b, Syntax.att);
            } catch (CapstoneUnavailableException | UnsupportedInstructionSetException e) {
                notes.add("code compared byte by byte only: " + e.getMessage());
            }
            // Aliases (clock_gettime, __vdso_clock_gettime) share code: compare each address once.
            Map<Long, String> seen = new TreeMap<>();
            for (Export x : before.values()) {
                Export y = after.get(x.name());
                if (y == null || x.size() == 0 || y.size() == 0 || seen.containsKey(x.address())) {
                    continue;
                }
                if (zeroFilled(a, x.address()) || zeroFilled(b, y.address())) {
                    continue; // zero-initialised data (.bss): no bytes to compare
                }
                seen.put(x.address(), x.name());
                list.add(compareFunction(x, y, a, b, da, db));
            }
        } catch (CapstoneUnavailableException e) {
            notes.add("code not compared: " + e.getMessage());
        } finally {
            if (da != null) {
                da.close();
            }
            if (db != null) {
                db.close();
            }
        }
        return list;
    }

    private static FunctionCode compareFunction(Export x, Export y, ElfFile a, ElfFile b, ImageDisassembler da,
            ImageDisassembler db) throws CapstoneUnavailableException {
        byte[] bytesA = side(a.name(), () -> a.input().slice(a.offsetOf(x.address(), x.name()), x.size(), x.name())
                .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        byte[] bytesB = side(b.name(), () -> b.input().slice(b.offsetOf(y.address(), y.name()), y.size(), y.name())
                .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        boolean identical = Arrays.equals(bytesA, bytesB);
        if (da == null || db == null) {
            return new FunctionCode(x.name(), identical ? CodeVerdict.IDENTICAL_BYTES : CodeVerdict.BYTES_DIFFER, 0, 0,
                    0, 0, List.of());
        }
        List<String> ia = normalised(da, da.function(function(da, x)).instructions(), x.address());
        List<String> ib = normalised(db, db.function(function(db, y)).instructions(), y.address());
        int common = longestCommonSubsequence(ia, ib);
        int compared = Math.max(ia.size(), ib.size());
        int changed = compared - common;
        CodeVerdict verdict = identical ? CodeVerdict.IDENTICAL_BYTES
                : changed == 0 ? CodeVerdict.SAME_INSTRUCTIONS : CodeVerdict.CHANGED;
        return new FunctionCode(x.name(), verdict, ia.size(), ib.size(), changed, compared,
                verdict == CodeVerdict.CHANGED ? editScript(ia, ib) : List.of());
    }

    private static CodeSymbols.Function function(ImageDisassembler d, Export e) {
        return d.symbols().at(e.address() & (d.isa().isArm32() ? ~1L : ~0L))
                .orElse(new CodeSymbols.Function(e.address(), e.size(), List.of(e.name()), true, false));
    }

    /**
     * The instructions with what moving code changes taken out: branch targets become offsets into
     * the function (or the name of the function they reach), PC-relative displacements a placeholder.
     */
    private static List<String> normalised(ImageDisassembler d, List<Instruction> code, long start) {
        List<String> list = new ArrayList<>(code.size());
        for (Instruction i : code) {
            String operands = i.operands();
            var target = d.branchTarget(i);
            if (target.isPresent()) {
                long t = target.getAsLong();
                Optional<CodeSymbols.Function> reached = d.symbols().containing(t);
                String where = reached.isPresent() && reached.get().address() == start
                        ? "+0x" + Long.toHexString(t - start)
                        : reached.map(CodeSymbols.Function::name).orElse("elsewhere");
                operands = ADDRESS.matcher(operands).replaceFirst(where);
            } else if (i.mnemonic().equals("adr") || i.mnemonic().equals("adrp")) {
                operands = ADDRESS.matcher(operands).replaceFirst("REL");
            } else {
                operands = RELATIVE.matcher(operands).replaceAll("REL");
            }
            list.add(i.mnemonic() + " " + operands);
        }
        return list;
    }

    /**
     * The edit script between two instruction lists, from the longest common subsequence (a full
     * table: functions have hundreds of instructions, not millions): kept lines first where a choice
     * exists, as diff -u shows them.
     */
    static List<String> editScript(List<String> a, List<String> b) {
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> script = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                script.add(("  " + a.get(i++)).stripTrailing());
                j++;
            } else if (j >= b.size() || (i < a.size() && lcs[i + 1][j] >= lcs[i][j + 1])) {
                script.add(("- " + a.get(i++)).stripTrailing());
            } else {
                script.add(("+ " + b.get(j++)).stripTrailing());
            }
        }
        return List.copyOf(script);
    }

    private static int longestCommonSubsequence(List<String> a, List<String> b) {
        int[] previous = new int[b.size() + 1];
        int[] current = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                current[j] = a.get(i - 1).equals(b.get(j - 1)) ? previous[j - 1] + 1
                        : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.size()];
    }
}
