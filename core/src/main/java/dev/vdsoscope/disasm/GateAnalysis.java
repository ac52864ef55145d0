package dev.vdsoscope.disasm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.vdsoscope.abi.GateRules;
import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.abi.SyscallTable;
import dev.vdsoscope.elf.BuildId;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.KernelVersion;

/**
 * Where an image's exported functions enter the kernel: the kernel-entry instructions they hold, the
 * system call each makes when its number is a constant loaded just before, what kind of function it
 * is, and on x86 the boot-time alternatives that turn one entry instruction into another.
 */
public final class GateAnalysis {
    /** What a function does about entering the kernel. */
    public enum Kind {
        SYSCALL_GATE("the i386 system-call gate itself"),
        TRAMPOLINE("a pure trampoline into the kernel"),
        FAST_PATH_WITH_FALLBACK("a fast path in user space, with a system-call fallback"),
        USER_SPACE_ONLY("stays in user space: no kernel entry");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * One way into the kernel: an entry instruction ({@code via} null), a call of the i386 gate
     * ({@code via} "__kernel_vsyscall"), or an alternative that patches one in ({@code feature} set).
     */
    public record Gate(long address, String instruction, String via, OptionalLong number, Optional<String> syscall,
            Optional<String> feature) {}

    /** One alternative at a site: the feature that selects it (null for the code as linked) and its code. */
    public record Choice(String feature, String featureNumber, boolean inverted, String code, Optional<String> gate) {}

    /** Where a site's code as linked comes from. */
    public enum LinkedSource {
        /** The image is a file as the kernel build wrote it: its bytes are the code as linked. */
        IMAGE("read from the image"),
        /** The unstripped image of the same kernel (--debug-image, a debug package, /lib/modules). */
        DEBUG_IMAGE("read from the unstripped image"),
        /**
         * Worked out from a patched image where that is sound: a site that holds a replacement and is
         * followed by an entry instruction no alternative touches (i386's {@code __kernel_vsyscall}:
         * NOPs, then {@code int $0x80}).
         */
        INFERRED("inferred: the site holds a replacement, and the entry after it is untouched"),
        /** A patched image, and nothing sound to infer from: the code as linked is gone from memory. */
        NOT_RECOVERABLE("not recoverable from memory (give --debug-image)");

        private final String description;

        LinkedSource(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * A patch site: the code as linked (when known) and where that came from, each replacement, and in
     * a patched image (live, or dumped from memory) what is there now.
     */
    public record Site(long address, int length, String location, Optional<Choice> asLinked, LinkedSource linkedFrom,
            List<Choice> replacements, Optional<String> current, Optional<String> applied) {}

    /** One exported function: what kind of code it is, its kernel entries, and the patch sites in it. */
    public record FunctionGates(CodeSymbols.Function function, Kind kind, List<Gate> gates, List<Site> sites) {}

    /** The alternatives table: the entry layout used, how it was chosen, and every site. */
    public record Alternatives(String layout, int entries, List<String> notes, List<Site> sites) {}

    /**
     * The analysis of one image: its instruction set and system-call table, whether its bytes are a live
     * process's, each exported function, the alternatives table, and notes.
     */
    public record Result(InstructionSet isa, SyscallTable syscalls, boolean live, List<FunctionGates> functions,
            Optional<Alternatives> alternatives, List<String> notes) {}

    private static final Pattern NUMBER = Pattern.compile("^[$#]?(-?)(0x[0-9a-f]+|\\d+)$");

    private GateAnalysis() {}

    /**
     * Analyses an image. {@code live}: the image as mapped in a process, alternatives already
     * applied. {@code debugImage}: the same kernel's unstripped image, for the code as linked and for
     * the sites when the live image has no section headers.
     */
    public static Result analyse(ElfFile image, boolean live, Optional<ElfFile> debugImage)
            throws CapstoneUnavailableException {
        List<String> notes = new ArrayList<>();
        try (ImageDisassembler d = ImageDisassembler.open(image, Syntax.att)) {
            if (!d.fullyDecoded()) {
                notes.add("only the kernel-entry instructions and system-call number loads are decoded: Capstone "
                        + CapstoneLibrary.find().map(CapstoneLibrary::version).orElse("(missing)") + " lacks " + d.isa());
            }
            LinuxAbi abi = LinuxAbi.of(image.header()).orElseThrow(() -> new UnsupportedInstructionSetException(
                    "no Linux ABI is " + image.machine().cName() + " in " + image.header().elfClass() + " and "
                            + image.header().data() + ": its system calls cannot be named"));
            GateRules rules = abi.gate();
            Optional<Alternatives> alternatives = d.isa().isX86()
                    ? alternatives(d, rules, image, live, debugImage, notes) : Optional.empty();
            SyscallTable table = abi.syscalls();
            Optional<String> entryFunction = rules.entryFunction();
            Optional<CodeSymbols.Function> gate = entryFunction.flatMap(d.symbols()::named);
            List<FunctionGates> functions = new ArrayList<>();
            for (CodeSymbols.Function f : d.symbols().functions()) {
                if (!f.exported() || f.size() == 0) {
                    continue;
                }
                List<Instruction> code = d.function(f).instructions();
                List<Gate> gates = new ArrayList<>();
                for (int i = 0; i < code.size(); i++) {
                    Instruction insn = code.get(i);
                    Optional<String> entry = entryInstruction(rules, insn);
                    OptionalLong target = d.branchTarget(insn);
                    boolean callsGate = d.isa().isX86() && insn.mnemonic().startsWith("call") && target.isPresent()
                            && gate.isPresent() && target.getAsLong() == gate.get().address()
                            && !f.names().contains(entryFunction.get());
                    if (entry.isPresent() || callsGate) {
                        OptionalLong number = systemCallNumber(rules, insn, code, i);
                        gates.add(new Gate(insn.address(), callsGate ? "call " + entryFunction.get() : entry.get(),
                                callsGate ? entryFunction.get() : null, number,
                                number.isPresent() ? table.name(number.getAsLong()) : Optional.empty(),
                                Optional.empty()));
                    }
                }
                gates.addAll(gatesInLocalHelpers(d, rules, table, code, gate));
                List<Site> sites = new ArrayList<>();
                for (Site s : alternatives.map(Alternatives::sites).orElse(List.of())) {
                    if (s.address() >= f.address() && s.address() < f.end()) {
                        sites.add(s);
                        for (Choice c : s.replacements()) {
                            c.gate().ifPresent(g -> gates.add(new Gate(s.address(), g, null, OptionalLong.empty(),
                                    Optional.empty(), Optional.of(c.feature()))));
                        }
                    }
                }
                functions.add(new FunctionGates(f, kind(f, code, gates, rules), List.copyOf(gates), List.copyOf(sites)));
            }
            return new Result(d.isa(), table, live, List.copyOf(functions), alternatives, List.copyOf(notes));
        }
    }

    /**
     * The kernel entries of the local functions a function calls directly (s390's vDSO functions
     * call {@code __s390_vdso_gettimeofday}, whose fallback is {@code lghi %r1,78; svc 0}): one level
     * deep, each helper once, only helpers the symbol table names and sizes. The ABI's entry function
     * (i386's {@code __kernel_vsyscall}) is a gate of its own and not followed.
     */
    private static List<Gate> gatesInLocalHelpers(ImageDisassembler d, GateRules rules, SyscallTable table,
            List<Instruction> code, Optional<CodeSymbols.Function> entryFunction) throws CapstoneUnavailableException {
        List<Gate> gates = new ArrayList<>();
        java.util.Set<Long> followed = new java.util.HashSet<>();
        for (Instruction insn : code) {
            if (!rules.calls().contains(insn.mnemonic())) {
                continue;
            }
            OptionalLong target = d.branchTarget(insn);
            if (target.isEmpty() || !followed.add(target.getAsLong())) {
                continue;
            }
            Optional<CodeSymbols.Function> helper = d.symbols().containing(target.getAsLong())
                    .filter(h -> h.address() == target.getAsLong() && !h.exported() && h.size() > 0)
                    .filter(h -> entryFunction.map(e -> e.address() != h.address()).orElse(true));
            if (helper.isEmpty()) {
                continue;
            }
            List<Instruction> helperCode = d.function(helper.get()).instructions();
            for (int i = 0; i < helperCode.size(); i++) {
                Optional<String> entry = entryInstruction(rules, helperCode.get(i));
                if (entry.isPresent()) {
                    OptionalLong number = systemCallNumber(rules, helperCode.get(i), helperCode, i);
                    gates.add(new Gate(helperCode.get(i).address(), entry.get(), helper.get().name(), number,
                            number.isPresent() ? table.name(number.getAsLong()) : Optional.empty(), Optional.empty()));
                }
            }
        }
        return gates;
    }

    private static Kind kind(CodeSymbols.Function f, List<Instruction> code, List<Gate> gates, GateRules rules) {
        if (rules.entryFunction().filter(f.names()::contains).isPresent()) {
            return Kind.SYSCALL_GATE;
        }
        if (gates.isEmpty()) {
            return Kind.USER_SPACE_ONLY;
        }
        boolean sigreturn = gates.stream().anyMatch(g -> g.syscall().map(n -> n.endsWith("sigreturn")).orElse(false));
        long work = code.stream().filter(i -> !i.mnemonic().startsWith("nop") && !i.isData()).count();
        return sigreturn || work <= 4 ? Kind.TRAMPOLINE : Kind.FAST_PATH_WITH_FALLBACK;
    }

    /** The kernel-entry instruction this is, spelled the usual way, if it is one. */
    static Optional<String> entryInstruction(GateRules rules, Instruction insn) {
        return Optional.ofNullable(rules.entry(insn.bytes(), insn.mnemonic(), insn.operands()));
    }

    /**
     * The system-call number, when a constant is loaded into the number register shortly before the
     * entry: a backwards walk that stops at the first write to that register or at a call.
     */
    static OptionalLong systemCallNumber(GateRules rules, Instruction entry, List<Instruction> code, int index) {
        if (rules.numberInEntry()) {
            OptionalLong inline = number(entry.operands());
            if (inline.isPresent() && inline.getAsLong() != 0) {
                return inline; // svc N carries numbers below 256 itself
            }
        }
        for (int i = index - 1; i >= 0 && i >= index - 16; i--) {
            Instruction insn = code.get(i);
            List<String> ops = operands(insn.operands());
            if (ops.isEmpty()) {
                continue;
            }
            String destination = rules.destinationLast() ? ops.getLast() : ops.getFirst();
            if (!rules.numberRegisters().contains(destination)) {
                if (rules.calls().contains(insn.mnemonic())) {
                    return OptionalLong.empty();
                }
                continue;
            }
            String m = insn.mnemonic().replaceFirst("\\.[wn]$", "");
            if (m.startsWith("xor") && ops.size() == 2 && ops.get(0).equals(ops.get(1))) {
                return OptionalLong.of(0);
            }
            boolean load = rules.loadMnemonics().contains(m) || rules.loadMnemonics().contains(insn.mnemonic());
            boolean addToZero = rules.addToZero().contains(m) && ops.size() == 3
                    && rules.zeroRegisters().contains(ops.get(1));
            if ((load || addToZero) && ops.size() >= 2) {
                return number(rules.destinationLast() ? ops.getFirst() : ops.getLast());
            }
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    private static List<String> operands(String text) {
        if (text.isBlank()) {
            return List.of();
        }
        List<String> list = new ArrayList<>();
        for (String part : text.split(",")) {
            list.add(part.strip());
        }
        return list;
    }

    private static OptionalLong number(String operand) {
        Matcher m = NUMBER.matcher(operand.strip());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        String digits = m.group(2);
        long value = digits.startsWith("0x") ? Long.parseUnsignedLong(digits.substring(2), 16) : Long.parseLong(digits);
        return OptionalLong.of(m.group(1).isEmpty() ? value : -value);
    }

    /** KERNEL_VERSION(a, b, c) from the image's "Linux" note, 0 when it has none. */
    public static int linuxVersionCode(ElfFile image) {
        return KernelVersion.of(image).map(KernelVersion::code).orElse(0);
    }

    private static Optional<String> buildId(ElfFile image) {
        return BuildId.of(image).map(BuildId::hex);
    }

    /** x86's .altinstructions, read with the image's own gate rules (x86-64, x32 and i386 share them). */
    private static Optional<Alternatives> alternatives(ImageDisassembler d, GateRules rules, ElfFile image, boolean live,
            Optional<ElfFile> debugImage, List<String> notes) throws CapstoneUnavailableException {
        ElfFile source = debugImage.orElse(image);
        Optional<X86Alternatives> found = X86Alternatives.of(source);
        if (found.isEmpty()) {
            return live && image.sections().isEmpty() ? Optional.of(recognisedPatches(d, rules)) : Optional.empty();
        }
        if (debugImage.isPresent() && !Objects.equals(buildId(debugImage.get()), buildId(image))) {
            notes.add("the --debug-image has another build-id than the image: its sites may not line up");
        }
        X86Alternatives table = found.get();
        int version = linuxVersionCode(source);
        List<Site> sites = new ArrayList<>();
        try (ImageDisassembler sourceDisassembler = ImageDisassembler.open(source, Syntax.att)) {
            List<List<Choice>> replacementsBySite = new ArrayList<>();
            for (X86Alternatives.Site s : table.sites()) {
                List<Choice> replacements = new ArrayList<>();
                for (X86Alternatives.Entry e : s.entries()) {
                    List<Instruction> code = sourceDisassembler.decode(d.isa(), table.replacementBytes(e), e.replacement());
                    replacements.add(choice(rules, X86Feature.name(e.feature(), version), X86Feature.number(e.feature()),
                            e.inverted(), code));
                }
                replacementsBySite.add(List.copyOf(replacements));
            }
            // A file whose sites already hold replacements was dumped from memory: patched, like a live image.
            boolean patched = live || (debugImage.isEmpty() && holdsReplacements(d, image, table, replacementsBySite));
            if (patched && !live) {
                notes.add("this file holds patched code (its patch sites hold replacements): an image dumped from"
                        + " a process, not as linked");
            }
            // The code as linked is known from a file, or from the debug image; a patched image only holds the result.
            Optional<ElfFile> asBuilt = debugImage.isPresent() ? debugImage : patched ? Optional.empty() : Optional.of(image);
            for (int index = 0; index < table.sites().size(); index++) {
                X86Alternatives.Site s = table.sites().get(index);
                List<Choice> replacements = replacementsBySite.get(index);
                Optional<Choice> linked = Optional.empty();
                LinkedSource from = debugImage.isPresent() ? LinkedSource.DEBUG_IMAGE : LinkedSource.IMAGE;
                if (asBuilt.isPresent()) {
                    linked = Optional.of(choice(rules, null, "", false, d.decode(d.isa(),
                            X86Alternatives.siteBytes(asBuilt.get(), s), s.address())));
                }
                Optional<String> current = Optional.empty();
                Optional<String> applied = Optional.empty();
                if (patched) {
                    List<Instruction> now = d.decode(d.isa(), X86Alternatives.siteBytes(image, s), s.address());
                    current = Optional.of(render(now));
                    if (linked.isEmpty()) {
                        linked = inferredAsLinked(d, rules, table, s, now, replacements);
                        from = linked.isPresent() ? LinkedSource.INFERRED : LinkedSource.NOT_RECOVERABLE;
                    }
                    applied = Optional.of(applied(now, from == LinkedSource.INFERRED ? Optional.empty() : linked,
                            replacements));
                }
                sites.add(new Site(s.address(), s.length(), location(d, s.address()), linked, from,
                        replacements, current, applied));
            }
        }
        int entries = table.sites().stream().mapToInt(s -> s.entries().size()).sum();
        return Optional.of(new Alternatives(table.layout().map(l -> l.size() + "-byte entries").orElse("unknown"),
                entries, table.notes(), List.copyOf(sites)));
    }

    /**
     * Without .altinstructions (a live image without section headers, and no --debug-image), the
     * patched sites are recognised by the instructions only a boot-time patch puts into a vDSO.
     */
    private static Alternatives recognisedPatches(ImageDisassembler d, GateRules rules)
            throws CapstoneUnavailableException {
        List<Site> sites = new ArrayList<>();
        for (CodeSymbols.Function f : d.symbols().functions()) {
            if (!f.exported() || f.size() == 0) {
                continue;
            }
            List<Instruction> code = d.function(f).instructions();
            for (int i = 0; i < code.size(); i++) {
                Instruction insn = code.get(i);
                List<Instruction> patched = List.of(insn);
                String feature = null;
                Optional<String> entry = entryInstruction(rules, insn);
                if (insn.mnemonic().equals("rdtscp")) {
                    feature = "X86_FEATURE_RDTSCP";
                } else if (insn.mnemonic().equals("lfence") && i + 1 < code.size()
                        && code.get(i + 1).mnemonic().equals("rdtsc")) {
                    feature = "X86_FEATURE_LFENCE_RDTSC";
                    patched = List.of(insn, code.get(++i));
                } else if (insn.mnemonic().equals("rdpid")) {
                    feature = "X86_FEATURE_RDPID";
                } else if (isEntryFunction(rules, f) && entry.equals(Optional.of("sysenter"))) {
                    feature = "X86_FEATURE_SEP (native) or X86_FEATURE_SYSENTER32 (compat)";
                } else if (isEntryFunction(rules, f) && entry.equals(Optional.of("syscall"))) {
                    feature = "X86_FEATURE_SYSCALL32";
                }
                if (feature != null) {
                    int length = patched.stream().mapToInt(Instruction::length).sum();
                    sites.add(new Site(insn.address(), length, location(d, insn.address()),
                            Optional.empty(), LinkedSource.NOT_RECOVERABLE, List.of(), Optional.of(render(patched)),
                            Optional.of("replacement for " + feature + " (recognised from the code)")));
                }
            }
        }
        return new Alternatives("none: no .altinstructions, sites recognised from the patched code", 0,
                List.of("this live image has no section headers: sites were recognised by the instructions"
                        + " alternatives put there; give the unstripped image of the same kernel with"
                        + " --debug-image for every site and the code as linked"), List.copyOf(sites));
    }

    /**
     * A site's place as {@code <function+0x1c>}, only inside a function's bytes: code explained must
     * not be put in a function it is not part of (objdump's label, which {@code disasm} keeps, names
     * the nearest symbol before it, whatever its size).
     */
    private static String location(ImageDisassembler d, long address) {
        return d.symbols().containing(address).flatMap(f -> d.symbols().describe(address)).orElse("");
    }

    /** Whether some site of a file holds, instead of its own code, one of its replacements. */
    private static boolean holdsReplacements(ImageDisassembler d, ElfFile image, X86Alternatives table,
            List<List<Choice>> replacementsBySite) throws CapstoneUnavailableException {
        for (int index = 0; index < table.sites().size(); index++) {
            X86Alternatives.Site s = table.sites().get(index);
            List<String> now = shape(render(d.decode(d.isa(), X86Alternatives.siteBytes(image, s), s.address())));
            if (!now.isEmpty() && replacementsBySite.get(index).stream().anyMatch(c -> shape(c.code()).equals(now))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The code as linked of a patched site, where memory still shows it: a site that holds one of its
     * replacements, whose own code was therefore padding (an {@code ALTERNATIVE} with an empty
     * original, as {@code __kernel_vsyscall} has), and right after it a kernel entry no site covers,
     * the path the CPU takes without the feature. Anything else is not recoverable from memory.
     */
    private static Optional<Choice> inferredAsLinked(ImageDisassembler d, GateRules rules, X86Alternatives table,
            X86Alternatives.Site site, List<Instruction> now, List<Choice> replacements)
            throws CapstoneUnavailableException {
        List<String> current = shape(render(now));
        boolean holdsReplacement = !current.isEmpty()
                && replacements.stream().anyMatch(c -> c.gate().isPresent() && shape(c.code()).equals(current));
        if (!holdsReplacement) {
            return Optional.empty();
        }
        long after = site.address() + site.length();
        boolean touched = table.sites().stream().anyMatch(o -> after >= o.address() && after < o.address() + o.length());
        Optional<CodeSymbols.Function> function = d.symbols().containing(site.address());
        if (touched || function.isEmpty() || after >= function.get().end()) {
            return Optional.empty();
        }
        List<Instruction> rest = d.function(function.get()).instructions().stream()
                .filter(i -> i.address() >= after).limit(1).toList();
        if (rest.isEmpty() || entryInstruction(rules, rest.getFirst()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Choice(null, "", false, nops(site.length()), Optional.empty()));
    }

    /** Whether this is the ABI's kernel-entry function (x86's __kernel_vsyscall), whose gate alternatives choose. */
    private static boolean isEntryFunction(GateRules rules, CodeSymbols.Function f) {
        return rules.entryFunction().filter(f.names()::contains).isPresent();
    }

    private static Choice choice(GateRules rules, String feature, String number, boolean inverted,
            List<Instruction> code) {
        Optional<String> gate = code.stream().map(i -> entryInstruction(rules, i)).flatMap(Optional::stream)
                .findFirst();
        return new Choice(feature, number, inverted, render(code), gate);
    }

    /** The instructions as one line, runs of NOPs counted rather than repeated. */
    static String render(List<Instruction> code) {
        List<String> parts = new ArrayList<>();
        int nops = 0;
        for (Instruction i : code) {
            if (i.mnemonic().startsWith("nop")) {
                nops += i.length();
                continue;
            }
            if (nops > 0) {
                parts.add(nops(nops));
                nops = 0;
            }
            parts.add(i.text());
        }
        if (nops > 0) {
            parts.add(nops(nops));
        }
        return parts.isEmpty() ? "(empty)" : String.join("; ", parts);
    }

    private static String nops(int bytes) {
        return bytes == 1 ? "1 byte of nop" : bytes + " bytes of nop";
    }

    /** The non-NOP mnemonics: what survives the kernel's NOP optimisation and relocation of replacements. */
    private static List<String> shape(String rendered) {
        List<String> shape = new ArrayList<>();
        for (String part : rendered.split("; ")) {
            if (!part.matches("\\d+ bytes? of nop") && !part.equals("(empty)")) {
                shape.add(part.split(" ")[0]);
            }
        }
        return shape;
    }

    private static String applied(List<Instruction> now, Optional<Choice> linked, List<Choice> replacements) {
        List<String> current = shape(render(now));
        List<String> matching = new ArrayList<>();
        // The kernel applies entries in order, so the last matching replacement is the one that won.
        for (Choice c : replacements) {
            if (shape(c.code()).equals(current)) {
                matching.add((c.inverted() ? "NOT " : "") + c.feature());
            }
        }
        boolean asLinked = linked.isPresent() && shape(linked.get().code()).equals(current);
        if (asLinked && !matching.isEmpty()) {
            return "ambiguous: the code as linked and the replacement for " + matching.getLast() + " look the same";
        }
        if (asLinked) {
            return "as linked: no replacement applied";
        }
        if (!matching.isEmpty()) {
            return "replacement for " + matching.getLast();
        }
        return linked.isPresent() ? "unrecognised: neither the code as linked nor any replacement"
                : "no replacement: presumably the code as linked (give --debug-image to be sure)";
    }
}
