package dev.vdsoscope.disasm;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.Section;

/**
 * Disassembles the code of one ELF image: whole executable sections restarted at every symbol (as
 * objdump -d does), one function, or an address range. ARM code switches to Thumb where a mapping
 * symbol or the low bit of a function symbol says so, and literal pools become {@code .word}s.
 */
public final class ImageDisassembler implements AutoCloseable {
    /** A run of instructions decoded in one go, with the function it starts (if any). */
    public record Block(String section, long start, long end, Optional<CodeSymbols.Function> function, InstructionSet isa,
            List<Instruction> instructions) {}

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

    private ImageDisassembler(ElfFile elf, InstructionSet isa, Syntax syntax, CapstoneLibrary library) {
        this.elf = elf;
        this.isa = isa;
        this.syntax = syntax;
        this.library = library;
        this.symbols = CodeSymbols.of(elf, isa);
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
        return new ImageDisassembler(elf, isa, syntax, library.orElse(null));
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

    /** Every executable section, split at symbols; empty when the image has no section headers. */
    public List<Block> sections() throws CapstoneUnavailableException {
        List<Block> blocks = new ArrayList<>();
        for (Section s : elf.sections()) {
            if ((s.flags() & Section.SHF_EXECINSTR) == 0 || !s.hasFileBytes() || s.size() == 0) {
                continue;
            }
            List<Long> cuts = new ArrayList<>();
            cuts.add(s.addr());
            for (long b : symbols.boundaries()) {
                if (b > s.addr() && b < s.addr() + s.size()) {
                    cuts.add(b);
                }
            }
            cuts.add(s.addr() + s.size());
            MemorySegment bytes = elf.contents(s);
            for (int i = 0; i + 1 < cuts.size(); i++) {
                long start = cuts.get(i);
                long end = cuts.get(i + 1);
                blocks.add(block(s.name(), start, end, bytes.asSlice(start - s.addr(), end - start)));
            }
        }
        return blocks;
    }

    /** One function, [address, address + size); a size of 0 runs to the next symbol. */
    public Block function(CodeSymbols.Function f) throws CapstoneUnavailableException {
        long end = f.size() > 0 ? f.end() : symbols.boundaries().stream().filter(b -> b > f.address()).findFirst()
                .orElse(f.address());
        return range(f.address(), end);
    }

    /** The bytes of [start, stop) wherever the loadable segments put them. */
    public Block range(long start, long stop) throws CapstoneUnavailableException {
        long offset = elf.offsetOf(start, "code");
        MemorySegment bytes = elf.input().slice(offset, Math.max(0, stop - start), "code at 0x" + Long.toHexString(start));
        String section = elf.sections().stream().filter(s -> s.addr() <= start && start < s.addr() + s.size()
                && (s.flags() & Section.SHF_ALLOC) != 0).map(Section::name).findFirst().orElse("");
        return block(section, start, stop, bytes);
    }

    private Block block(String section, long start, long end, MemorySegment bytes)
            throws CapstoneUnavailableException {
        Optional<CodeSymbols.Function> function = symbols.at(start);
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
        return new Block(section, start, end, function, blockIsa, data ? words(bytes, start) : decode(blockIsa, bytes, start));
    }

    private List<Instruction> words(MemorySegment bytes, long address) {
        List<Instruction> list = new ArrayList<>();
        for (long o = 0; o < bytes.byteSize(); o += 4) {
            byte[] b = bytes.asSlice(o, Math.min(4, bytes.byteSize() - o)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            list.add(Capstone.data(b, address + o, elf.byteOrder()));
        }
        return list;
    }

    /** Decodes bytes at an address with one instruction set. */
    public List<Instruction> decode(InstructionSet with, MemorySegment bytes, long address) throws CapstoneUnavailableException {
        if (library == null || !CapstoneTarget.knows(with, library.major())) {
            return GateOnlyDecoder.decode(with, bytes, address);
        }
        Capstone handle = handles.get(with);
        if (handle == null) {
            handle = Capstone.open(library, with, elf.byteOrder(), syntax);
            handles.put(with, handle);
        }
        return handle.decode(bytes, address);
    }

    /** The target of a direct branch or call, when its operand is an address. */
    public OptionalLong branchTarget(Instruction insn) {
        Pattern branch = switch (isa) {
            case X86_32, X86_64 -> X86_BRANCH;
            case ARM, THUMB -> ARM_BRANCH;
            case AARCH64 -> AARCH64_BRANCH;
            default -> OTHER_BRANCH;
        };
        if (!branch.matcher(insn.mnemonic()).matches()) {
            return OptionalLong.empty();
        }
        Matcher m = HEX_TARGET.matcher(insn.operands());
        if (!m.find() || insn.operands().startsWith("*")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseUnsignedLong(m.group(1).substring(2), 16));
    }

    @Override
    public void close() {
        handles.values().forEach(Capstone::close);
        handles.clear();
    }
}
