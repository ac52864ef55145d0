package dev.vdsoscope.disasm;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.Section;

/**
 * Disassembles the code of one ELF image: whole executable sections restarted at every symbol (as
 * objdump -d does), one function, or an address range. ARM code switches to Thumb where a mapping
 * symbol or the low bit of a function symbol says so, and literal pools become {@code .word}s.
 * One thread at a time: another thread takes {@link #forAnotherThread()}.
 */
public final class ImageDisassembler implements AutoCloseable {
    /** A run of instructions decoded in one go, with the function it starts (if any). */
    public record Block(String section, long start, long end, Optional<CodeSymbols.Function> function, InstructionSet isa,
            List<Instruction> instructions) {}

    /**
     * A block before it is decoded: where it is, the function it starts, how its bytes are to be read
     * ({@code isa}, or as literal data words), and the bytes themselves (a view of the image, not a copy).
     */
    public record Span(String section, long start, long end, Optional<CodeSymbols.Function> function,
            InstructionSet isa, boolean data, MemorySegment bytes) {}

    private static final Pattern HEX_TARGET = Pattern.compile("(?:^|[\\s,])[#$]?(0x[0-9a-f]+)$");
    private static final Pattern X86_BRANCH = Pattern.compile("j\\w+|call[lqw]?|loop\\w*|xbegin");
    private static final Pattern ARM_BRANCH = Pattern.compile(
            "(?:bl?x?|cbn?z)(?:eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?(?:\\.[wn])?");
    private static final Pattern AARCH64_BRANCH = Pattern.compile("bl?|b\\.\\w+|cbn?z|tbn?z");
    private static final Pattern OTHER_BRANCH = Pattern.compile("[bj]\\w*(?:[.+-]\\w*)?|bras\\w*|brc\\w*|call");

    private final ElfFile elf;
    private final InstructionSet isa;
    private final Syntax syntax;
    private final CodeSymbols symbols;
    private final CapstoneLibrary library;
    private final Map<InstructionSet, Capstone> handles = new EnumMap<>(InstructionSet.class);
    private final Predicate<String> branchMnemonic;
    /**
     * Whether each mnemonic met so far is a branch's: a listing asks for every instruction, and an
     * instruction set has a few hundred mnemonics, so the pattern runs once per mnemonic, not per line.
     */
    private final Map<String, Boolean> branches = new HashMap<>();
    /** The names of addresses, made on first use (PLT entries take decoding); shared with other threads' copies. */
    private AddressNames names;
    /** The PLT entries, address to the name objdump heads them with ({@code foo@plt}); made with {@link #names}. */
    private Map<Long, String> pltEntries;

    private ImageDisassembler(ElfFile elf, InstructionSet isa, Syntax syntax, CapstoneLibrary library,
            CodeSymbols symbols) {
        this.elf = elf;
        this.isa = isa;
        this.syntax = syntax;
        this.library = library;
        this.symbols = symbols;
        this.branchMnemonic = (switch (isa) {
            case X86_32, X86_64 -> X86_BRANCH;
            case ARM, THUMB -> ARM_BRANCH;
            case AARCH64 -> AARCH64_BRANCH;
            default -> OTHER_BRANCH;
        }).asMatchPredicate();
    }

    /**
     * A disassembler for this image, in the instruction set its machine decides (any ELF file of a
     * machine a Linux ABI here runs, whatever its class or byte order). Needs Capstone, except for instruction sets Capstone lacks
     * anyway (LoongArch, and RISC-V before Capstone 5), where only the system-call gate is decoded.
     */
    public static ImageDisassembler open(ElfFile elf, Syntax syntax) throws CapstoneUnavailableException {
        InstructionSet isa = InstructionSet.of(elf.header())
                .orElseThrow(() -> new UnsupportedInstructionSetException("no disassembler for "
                        + elf.machine().description() + " (" + elf.machine().cName() + ")"));
        Optional<CapstoneLibrary> library = CapstoneLibrary.find();
        if (library.isEmpty() && CapstoneTarget.knows(isa, 5)) {
            CapstoneLibrary.require();
        }
        if (library.isPresent() && CapstoneTarget.knows(isa, library.get().major()) && !library.get().supports(isa)) {
            throw new CapstoneUnavailableException("Capstone " + library.get().version() + " ("
                    + library.get().origin() + ") was built without " + isa + ": " + CapstoneLibrary.INSTALL_HINT);
        }
        return new ImageDisassembler(elf, isa, syntax, library.orElse(null), CodeSymbols.of(elf, isa));
    }

    public ElfFile elf() {
        return elf;
    }

    public InstructionSet isa() {
        return isa;
    }

    public CodeSymbols symbols() {
        return symbols;
    }

    /** Whether instructions are fully decoded, or only the gate (the rest shown as raw words). */
    public boolean fullyDecoded() {
        return library != null && CapstoneTarget.knows(isa, library.major());
    }

    /**
     * A disassembler of the same image sharing this one's symbols, with Capstone handles of its own:
     * for another thread (a Capstone handle is not thread-safe).
     */
    public ImageDisassembler forAnotherThread() {
        ImageDisassembler other = new ImageDisassembler(elf, isa, syntax, library, symbols);
        other.names = names; // when not made yet, the other makes its own: the same names
        other.pltEntries = pltEntries;
        return other;
    }

    /** How objdump names the addresses the listing points at (branch targets, PC-relative operands). */
    public AddressNames names() throws CapstoneUnavailableException {
        if (names == null) {
            pltEntries = new TreeMap<>();
            Map<Long, Integer> slots = PltEntries.relocatedSlots(elf, isa);
            PltEntries.of(elf, this, slots).forEach((address, symbol) -> pltEntries.put(address, symbol + "@plt"));
            names = AddressNames.of(elf, isa, pltEntries, slots);
        }
        return names;
    }

    /** Names addresses in these regions of a live process as the process's maps do ({@code [vvar]+0x80}). */
    public void nameRegions(List<AddressNames.Region> regions) throws CapstoneUnavailableException {
        names = names().withRegions(regions);
    }

    /** Every executable section, split at symbols; empty when the image has no section headers. */
    public List<Block> sections() throws CapstoneUnavailableException {
        List<Block> blocks = new ArrayList<>();
        for (Span span : sectionSpans()) {
            blocks.add(block(span));
        }
        return blocks;
    }

    /**
     * Every executable section split at symbols, as {@link #sections()}, but not yet decoded: a
     * listing of any size decodes them one at a time ({@link #decode(Span, Consumer)}).
     */
    public List<Span> sectionSpans() throws CapstoneUnavailableException {
        names();
        List<Span> spans = new ArrayList<>();
        // A listing restarts at every symbol and, as objdump's, at every PLT entry.
        NavigableSet<Long> boundaries = new TreeSet<>(symbols.boundaries());
        boundaries.addAll(pltEntries.keySet());
        for (Section s : elf.sections()) {
            if ((s.flags() & Section.SHF_EXECINSTR) == 0 || !s.hasFileBytes() || s.size() == 0) {
                continue;
            }
            MemorySegment bytes = elf.contents(s);
            long start = s.addr();
            long sectionEnd = s.addr() + s.size();
            for (long cut : boundaries.subSet(s.addr(), false, sectionEnd, false)) {
                spans.add(span(s.name(), start, cut, bytes.asSlice(start - s.addr(), cut - start)));
                start = cut;
            }
            spans.add(span(s.name(), start, sectionEnd, bytes.asSlice(start - s.addr(), sectionEnd - start)));
        }
        return spans;
    }

    /** One function, [address, address + size); a size of 0 runs to the next symbol. */
    public Block function(CodeSymbols.Function f) throws CapstoneUnavailableException {
        return block(functionSpan(f));
    }

    /** One function's span, as {@link #function} decodes it. */
    public Span functionSpan(CodeSymbols.Function f) {
        long end = f.size() > 0 ? f.end() : Optional.ofNullable(symbols.boundaries().higher(f.address()))
                .orElse(f.address());
        return rangeSpan(f.address(), end);
    }

    /** The bytes of [start, stop) wherever the loadable segments put them. */
    public Block range(long start, long stop) throws CapstoneUnavailableException {
        return block(rangeSpan(start, stop));
    }

    /** The span of [start, stop), as {@link #range} decodes it. */
    public Span rangeSpan(long start, long stop) {
        long offset = elf.offsetOf(start, "code");
        MemorySegment bytes = elf.input().slice(offset, Math.max(0, stop - start), "code at 0x" + Long.toHexString(start));
        String section = elf.sections().stream().filter(s -> s.addr() <= start && start < s.addr() + s.size()
                && (s.flags() & Section.SHF_ALLOC) != 0).map(Section::name).findFirst().orElse("");
        return span(section, start, stop, bytes);
    }

    /** Decodes a span whole. */
    public Block block(Span span) throws CapstoneUnavailableException {
        List<Instruction> instructions = new ArrayList<>();
        decode(span, instructions::add);
        return new Block(span.section(), span.start(), span.end(), span.function(), span.isa(), instructions);
    }

    /** Decodes a span, handing each instruction to {@code sink} as it is decoded. */
    public void decode(Span span, Consumer<Instruction> sink) throws CapstoneUnavailableException {
        if (span.data()) {
            words(span.bytes(), span.start(), sink);
        } else {
            decode(span.isa(), span.bytes(), span.start(), sink);
        }
    }

    private Span span(String section, long start, long end, MemorySegment bytes) {
        Optional<CodeSymbols.Function> function = symbols.at(start).or(() -> pltEntry(start));
        InstructionSet blockIsa = isa;
        boolean data = false;
        if (isa == InstructionSet.ARM || isa == InstructionSet.AARCH64) {
            var mapping = symbols.mappings().floorEntry(start);
            if (mapping != null) {
                // CodeSymbols keeps only the mapping symbols of this instruction set: $t only in ARM code.
                data = mapping.getValue() == CodeSymbols.Mapping.DATA;
                blockIsa = mapping.getValue() == CodeSymbols.Mapping.THUMB ? InstructionSet.THUMB : isa;
            } else if (function.map(CodeSymbols.Function::thumb).orElse(false)
                    || symbols.containing(start).map(CodeSymbols.Function::thumb).orElse(false)) {
                blockIsa = InstructionSet.THUMB;
            }
        }
        return new Span(section, start, end, function, blockIsa, data, bytes);
    }

    /** A PLT entry as a function of its own, named {@code foo@plt}, as objdump heads it. */
    private Optional<CodeSymbols.Function> pltEntry(long address) {
        String name = pltEntries == null ? null : pltEntries.get(address);
        return name == null ? Optional.empty()
                : Optional.of(new CodeSymbols.Function(address, 0, List.of(name), false, false));
    }

    private void words(MemorySegment bytes, long address, Consumer<Instruction> sink) {
        for (long o = 0; o < bytes.byteSize(); o += 4) {
            byte[] b = bytes.asSlice(o, Math.min(4, bytes.byteSize() - o)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            sink.accept(Capstone.data(b, address + o, elf.byteOrder()));
        }
    }

    /** Decodes bytes at an address with one instruction set. */
    public List<Instruction> decode(InstructionSet with, MemorySegment bytes, long address) throws CapstoneUnavailableException {
        List<Instruction> instructions = new ArrayList<>();
        decode(with, bytes, address, instructions::add);
        return instructions;
    }

    private void decode(InstructionSet with, MemorySegment bytes, long address, Consumer<Instruction> sink)
            throws CapstoneUnavailableException {
        if (library == null || !CapstoneTarget.knows(with, library.major())) {
            GateOnlyDecoder.decode(with, bytes, address).forEach(sink);
            return;
        }
        Capstone handle = handles.get(with);
        if (handle == null) {
            handle = Capstone.open(library, with, elf.byteOrder(), syntax);
            handles.put(with, handle);
        }
        handle.decode(bytes, address, sink);
    }

    /** The target of a direct branch or call, when its operand is an address. */
    public OptionalLong branchTarget(Instruction insn) {
        if (!branches.computeIfAbsent(insn.mnemonic(), branchMnemonic::test)) {
            return OptionalLong.empty();
        }
        Matcher m = HEX_TARGET.matcher(insn.operands());
        if (!m.find() || insn.operands().startsWith("*")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseUnsignedLong(m.group(1).substring(2), 16));
    }

    /**
     * The address a RIP-relative memory operand refers to (x86-64: the next instruction's address plus
     * the displacement), as objdump comments it ({@code # 0x4e30 <_fini+0x4>}); empty for other operands.
     */
    public OptionalLong pcRelativeTarget(Instruction insn) {
        if (isa != InstructionSet.X86_64) {
            return OptionalLong.empty();
        }
        String operands = insn.operands();
        if (!operands.contains("rip")) {
            return OptionalLong.empty();
        }
        long displacement;
        if (syntax == Syntax.att) {
            int rip = operands.indexOf(AT_T_RIP);
            if (rip < 0) {
                return OptionalLong.empty();
            }
            int from = rip;
            while (from > 0 && DISPLACEMENT_CHARACTERS.indexOf(operands.charAt(from - 1)) >= 0) {
                from--;
            }
            displacement = from == rip ? 0 : signedHex(operands.substring(from, rip));
        } else {
            Matcher intel = INTEL_RIP.matcher(operands);
            if (!intel.find()) {
                return OptionalLong.empty();
            }
            displacement = intel.group(2) == null ? 0 : signedHex(intel.group(1) + intel.group(2));
        }
        return OptionalLong.of(insn.address() + insn.length() + displacement);
    }

    private static final String AT_T_RIP = "(%rip)";
    private static final String DISPLACEMENT_CHARACTERS = "0123456789abcdefx-";
    private static final Pattern INTEL_RIP = Pattern.compile("\\[rip(?: ([+-]) (0x[0-9a-f]+|\\d+))?\\]");

    /** "0x1ffad", "-0x10" or a decimal as Capstone prints small displacements. */
    private static long signedHex(String text) {
        boolean negative = text.startsWith("-");
        String digits = negative ? text.substring(1) : text.startsWith("+") ? text.substring(1) : text;
        long value = digits.startsWith("0x") ? Long.parseUnsignedLong(digits.substring(2), 16) : Long.parseLong(digits);
        return negative ? -value : value;
    }

    @Override
    public void close() {
        handles.values().forEach(Capstone::close);
        handles.clear();
    }
}
