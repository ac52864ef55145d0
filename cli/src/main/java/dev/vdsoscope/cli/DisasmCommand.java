package dev.vdsoscope.cli;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import dev.vdsoscope.disasm.AddressNames;
import dev.vdsoscope.disasm.CapstoneLibrary;
import dev.vdsoscope.disasm.CapstoneUnavailableException;
import dev.vdsoscope.disasm.CodeSymbols;
import dev.vdsoscope.disasm.ImageDisassembler;
import dev.vdsoscope.disasm.Instruction;
import dev.vdsoscope.disasm.Syntax;
import dev.vdsoscope.disasm.UnsupportedInstructionSetException;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.vdso.ImageTarget;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "disasm", mixinStandardHelpOptions = true,
        description = {"Disassemble an image with Capstone.",
                "Every executable section split at its symbols, named functions (--symbol) or an address "
                        + "range (--start/--stop). TARGET is " + Targets.SYNTAX + "; without one, vdsoscope's own vDSO.",
                Targets.SHADOWED})
final class DisasmCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ProcessOptions pidOption;

    @Parameters(arity = "0..1", paramLabel = "TARGET", description = Targets.SYNTAX + " (any ELF file will do).")
    String argument;

    @Option(names = {"-s", "--symbol"}, paramLabel = "NAME", description = "Only this function (repeatable).")
    List<String> symbols = new ArrayList<>();

    @Option(names = "--start", paramLabel = "ADDRESS", converter = HexAddress.class,
            description = "Start of an address range (hex).")
    Long start;

    @Option(names = "--stop", paramLabel = "ADDRESS", converter = HexAddress.class,
            description = "End of the range (hex, exclusive; default: the end of the function holding --start).")
    Long stop;

    @Option(names = "--syntax", defaultValue = "att", paramLabel = "att|intel", description = "x86 syntax: att (default, as objdump) or intel.")
    Syntax syntax;

    /** Parses "0x7b0" or "7b0". */
    static final class HexAddress implements picocli.CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Long.parseUnsignedLong(value.startsWith("0x") || value.startsWith("0X") ? value.substring(2) : value,
                    16);
        }
    }

    @Override
    public Integer call() throws Exception {
        ImageTarget target = Targets.of(argument, pidOption.pid);
        try (ImageTarget.Opened source = Targets.open(target);
                ImageDisassembler disassembler = ImageDisassembler.open(source.elf(), syntax)) {
            if (source.live()) {
                Optional<LinuxProcess> process = target.process();
                if (process.isPresent()) {
                    disassembler.nameRegions(AddressNames.kernelDataAround(source.elf(), process.get().maps()));
                }
            }
            List<ImageDisassembler.Span> spans = select(disassembler, target.label());
            int exitCode = ExitCode.OK;
            if (common.json) {
                Output.json(json(source, disassembler, spans));
            } else {
                exitCode = text(target.label(), source, disassembler, spans, threadsFor(spans));
            }
            Batch.warn(target.label(), source.elf().warnings());
            return exitCode;
        } catch (CapstoneUnavailableException e) {
            throw Targets.missing(e);
        } catch (UnsupportedInstructionSetException e) {
            throw Targets.unsupported(target, e);
        } catch (ElfFormatException e) {
            throw Failure.of(target.label(), e);
        }
    }

    /** The functions a --symbol may name, for the message when it names none: the first 12, then how many more. */
    private static String functionNames(ImageDisassembler d) {
        List<String> names = d.symbols().functions().stream().flatMap(f -> f.names().stream()).sorted().toList();
        if (names.isEmpty()) {
            return "the image names no function";
        }
        String shown = String.join(", ", names.subList(0, Math.min(12, names.size())));
        return "it has " + shown + (names.size() > 12 ? " and " + (names.size() - 12) + " more" : "");
    }

    private List<ImageDisassembler.Span> select(ImageDisassembler d, String label) throws CapstoneUnavailableException {
        List<ImageDisassembler.Span> blocks = new ArrayList<>();
        for (String name : symbols) {
            CodeSymbols.Function f = d.symbols().named(name).orElseThrow(() -> new Failure(label,
                    "no function named " + name + " (" + functionNames(d) + ")", ExitCode.BAD_INPUT));
            blocks.add(d.functionSpan(f));
        }
        if (start != null) {
            long end = stop != null ? stop : d.symbols().containing(start).map(CodeSymbols.Function::end)
                    .orElseThrow(() -> new Failure(label, "0x" + Long.toHexString(start)
                            + " is in no function: give --stop", ExitCode.BAD_INPUT));
            if (end <= start) {
                throw new Failure(null, "--stop must be above --start", ExitCode.BAD_INPUT);
            }
            blocks.add(d.rangeSpan(start, end));
        } else if (stop != null) {
            throw new Failure(null, "--stop needs --start", ExitCode.BAD_INPUT);
        }
        if (!blocks.isEmpty()) {
            return blocks;
        }
        List<ImageDisassembler.Span> sections = d.sectionSpans();
        if (!sections.isEmpty()) {
            return sections;
        }
        // No section headers: the functions the symbols describe are all there is to go by.
        for (CodeSymbols.Function f : d.symbols().functions()) {
            if (f.size() > 0) {
                blocks.add(d.functionSpan(f));
            }
        }
        return blocks;
    }

    private String header(ImageTarget.Opened source, ImageDisassembler d) {
        String decoder = CapstoneLibrary.find().map(l -> "Capstone " + l.version() + " (" + l.origin() + ")")
                .orElse("no Capstone");
        return source.description() + ": " + d.isa() + ", " + decoder + (d.fullyDecoded() ? ""
                : ": only the system-call gate is decoded, other words are shown raw")
                + (d.isa().isX86() ? ", " + syntax + " syntax" : "");
    }

    /**
     * Writes the listing as it is decoded: each span is one item of an {@link OrderedBatch}, formatted
     * by whichever thread takes it and written in address order, so that memory holds at most the
     * batch's window of spans' text, whatever the image's size.
     */
    private int text(String label, ImageTarget.Opened source, ImageDisassembler d, List<ImageDisassembler.Span> spans,
            int threads) throws CapstoneUnavailableException {
        Output.out().println(header(source, d));
        Charset charset = Output.out().charset();
        AddressNames names = d.names(); // made once, here: shared by the workers
        // Each worker decodes with Capstone handles of its own, opened and closed on its thread.
        return OrderedBatch.runParts(label, spans.size(), threads, () -> new Listing(d.forAnotherThread(), names, spans,
                charset));
    }

    /** Two threads for a listing with enough code to pay for the second, on a machine with a second core. */
    private static int threadsFor(List<ImageDisassembler.Span> spans) {
        long bytes = spans.stream().mapToLong(s -> s.bytes().byteSize()).sum();
        return bytes >= PARALLEL_FROM_BYTES && Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
    }

    /** Code smaller than this is listed on one thread: a vDSO is done before a second thread would start. */
    private static final long PARALLEL_FROM_BYTES = 256 << 10;
    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();
    /** A span's text is held up to this many characters; beyond, it waits for its turn and streams. */
    private static final int BUFFER_LIMIT = 256 << 10;

    /** One thread's formatting of spans into objdump's layout, with a buffer and a disassembler of its own. */
    private static final class Listing implements OrderedBatch.Worker {
        private final ImageDisassembler d;
        private final AddressNames names;
        private final List<ImageDisassembler.Span> spans;
        private final Charset charset;
        private final int width;
        private final StringBuilder text = new StringBuilder(BUFFER_LIMIT + 1024);
        private OrderedBatch.Block block;

        Listing(ImageDisassembler d, AddressNames names, List<ImageDisassembler.Span> spans, Charset charset) {
            this.d = d;
            this.names = names;
            this.spans = spans;
            this.charset = charset;
            this.width = d.elf().header().is64() ? 16 : 8;
        }

        @Override
        public void work(String label, OrderedBatch.Block block) throws CapstoneUnavailableException {
            this.block = block;
            int index = block.index();
            ImageDisassembler.Span b = spans.get(index);
            text.setLength(0);
            if (index == 0 || !spans.get(index - 1).section().equals(b.section())) {
                text.append("\nDisassembly of section ").append(b.section().isEmpty() ? "(none)" : b.section())
                        .append(":\n");
            }
            String name = b.function().map(CodeSymbols.Function::name).orElseGet(() -> d.symbols().describe(b.start())
                    .map(s -> s.substring(1, s.length() - 1)).orElse(b.section()));
            String aliases = b.function().filter(f -> f.names().size() > 1)
                    .map(f -> "  (also " + String.join(", ", f.names().subList(1, f.names().size())) + ")").orElse("");
            text.append('\n').append(Hex.padded(b.start(), width)).append(" <").append(name).append(">:")
                    .append(aliases).append(b.isa() != d.isa() ? "  [" + b.isa() + "]" : "").append('\n');
            d.decode(b, this::line);
            flush(false);
        }

        @Override
        public void close() {
            d.close();
        }

        private void line(Instruction insn) {
            String address = Long.toHexString(insn.address());
            text.repeat(' ', Math.max(0, 8 - address.length())).append(address).append(":\t");
            // The bytes as objdump prints them, "0f 05", padded to 21 columns.
            byte[] bytes = insn.bytes();
            for (int i = 0; i < bytes.length; i++) {
                if (i > 0) {
                    text.append(' ');
                }
                text.append(HEX_DIGITS[(bytes[i] >> 4) & 0xf]).append(HEX_DIGITS[bytes[i] & 0xf]);
            }
            text.repeat(' ', Math.max(1, 21 - (3 * bytes.length - 1))).append('\t');
            text.append(insn.mnemonic());
            if (!insn.operands().isEmpty()) {
                text.repeat(' ', Math.max(1, 7 - insn.mnemonic().length())).append(insn.operands());
            }
            OptionalLong targetAddress = d.branchTarget(insn);
            if (targetAddress.isPresent()) {
                names.describe(targetAddress.getAsLong()).ifPresent(s -> text.append(' ').append(s));
            }
            OptionalLong pcRelative = d.pcRelativeTarget(insn);
            if (pcRelative.isPresent()) {
                // objdump's comment: eight spaces, '#', the address, and its name if it has one.
                text.append("        # 0x").append(Long.toHexString(pcRelative.getAsLong()));
                names.describe(pcRelative.getAsLong()).ifPresent(s -> text.append(' ').append(s));
            }
            text.append('\n');
            if (text.length() >= BUFFER_LIMIT) {
                flush(true);
            }
        }

        /** Hands the text to the batch: held until the span's turn, or (a large span) written when its turn comes. */
        private void flush(boolean large) {
            byte[] bytes = text.toString().getBytes(charset);
            if (large) {
                block.stream(bytes, 0, bytes.length);
            } else {
                block.out(bytes, 0, bytes.length);
            }
            text.setLength(0);
        }
    }

    record JsonDisasm(String command, int schemaVersion, String image, String machine, String isa, String syntax,
            JsonCapstone capstone, boolean fullyDecoded, List<JsonBlock> blocks) {}

    record JsonCapstone(String version, String library) {}

    record JsonBlock(String section, String start, String end, List<String> names, boolean exported, String isa,
            List<JsonInstruction> instructions) {}

    record JsonInstruction(String address, String bytes, String mnemonic, String operands, String target,
            String targetSymbol) {}

    private JsonDisasm json(ImageTarget.Opened source, ImageDisassembler d, List<ImageDisassembler.Span> spans)
            throws CapstoneUnavailableException {
        AddressNames names = d.names();
        List<JsonBlock> list = new ArrayList<>();
        for (ImageDisassembler.Span span : spans) {
            ImageDisassembler.Block b = d.block(span);
            List<JsonInstruction> instructions = new ArrayList<>(b.instructions().size());
            for (Instruction insn : b.instructions()) {
                OptionalLong t = d.branchTarget(insn);
                instructions.add(new JsonInstruction("0x" + Long.toHexString(insn.address()), insn.hexBytes(),
                        insn.mnemonic(), insn.operands(), t.isPresent() ? "0x" + Long.toHexString(t.getAsLong()) : null,
                        t.isPresent() ? names.describe(t.getAsLong()).orElse(null) : null));
            }
            list.add(new JsonBlock(b.section(), "0x" + Long.toHexString(b.start()), "0x" + Long.toHexString(b.end()),
                    b.function().map(CodeSymbols.Function::names).orElse(List.of()),
                    b.function().map(CodeSymbols.Function::exported).orElse(false), b.isa().name(), instructions));
        }
        JsonCapstone capstone = CapstoneLibrary.find().map(l -> new JsonCapstone(l.version(), l.origin())).orElse(null);
        return new JsonDisasm("disasm", 1, source.description(), d.elf().machine().cName(), d.isa().name(),
                d.isa().isX86() ? syntax.name() : null, capstone, d.fullyDecoded(), list);
    }
}
