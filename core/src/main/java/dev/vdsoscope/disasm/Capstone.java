package dev.vdsoscope.disasm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import dev.vdsoscope.abi.InstructionSet;

/** One open Capstone handle for one instruction set; not thread-safe, close it when done. */
public final class Capstone implements AutoCloseable {
    private static final int CS_ERR_OK = 0;
    /** Where cs_insn keeps {@code uint16_t size}: after {@code unsigned int id} and {@code uint64_t address}. */
    private static final long INSN_SIZE_OFFSET = 16;
    private static final ValueLayout.OfShort FIRST_UNIT = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** cs_insn's {@code char mnemonic[32]} and {@code char op_str[160]}, which follow each other. */
    private static final int MNEMONIC_SIZE = 32;
    private static final int OPERANDS_SIZE = 160;

    private final CapstoneLibrary library;
    private final InstructionSet isa;
    private final ByteOrder order;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment handleCell;
    private final long handle;
    /** The one cs_insn (from cs_malloc) every instruction is decoded into, and cs_disasm_iter's in-out cells. */
    private final MemorySegment insn;
    private final MemorySegment codeCell;
    private final MemorySegment sizeCell;
    private final MemorySegment addressCell;
    /** cs_insn's mnemonic and op_str, copied out of it in one go for each instruction. */
    private final byte[] text = new byte[MNEMONIC_SIZE + OPERANDS_SIZE];
    private final int operandsAt;

    private Capstone(CapstoneLibrary library, InstructionSet isa, ByteOrder order, Syntax syntax)
            throws CapstoneUnavailableException {
        this.library = library;
        this.isa = isa;
        this.order = order;
        this.handleCell = arena.allocate(JAVA_LONG);
        this.operandsAt = (int) (library.operandsOffset - library.mnemonicOffset);
        try {
            int err = (int) library.open.invokeExact(CapstoneTarget.arch(isa), CapstoneTarget.mode(isa, order), handleCell);
            if (err != CS_ERR_OK) {
                arena.close();
                throw new CapstoneUnavailableException("Capstone " + library.version() + " (" + library.origin()
                        + ") cannot open " + isa + ": " + errorText(err));
            }
            handle = handleCell.get(JAVA_LONG, 0);
            codeCell = arena.allocate(ADDRESS);
            sizeCell = arena.allocate(JAVA_LONG);
            addressCell = arena.allocate(JAVA_LONG);
            if (isa.isX86()) {
                int syntaxValue = syntax == Syntax.att ? CapstoneLibrary.CS_OPT_SYNTAX_ATT
                        : CapstoneLibrary.CS_OPT_SYNTAX_INTEL;
                int optionErr = (int) library.option.invokeExact(handle, CapstoneLibrary.CS_OPT_SYNTAX, (long) syntaxValue);
                if (optionErr != CS_ERR_OK) {
                    throw new CapstoneUnavailableException("Capstone cannot switch to " + syntax + " syntax: "
                            + errorText(optionErr));
                }
            }
            insn = ((MemorySegment) library.malloc.invokeExact(handle)).reinterpret(library.insnLayout.byteSize());
        } catch (CapstoneUnavailableException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling Capstone failed", t);
        }
    }

    /** Opens a handle; fails when this Capstone lacks the instruction set. */
    public static Capstone open(CapstoneLibrary library, InstructionSet isa, ByteOrder order, Syntax syntax)
            throws CapstoneUnavailableException {
        if (!library.supports(isa)) {
            throw new CapstoneUnavailableException("Capstone " + library.version() + " (" + library.origin()
                    + ") has no " + isa + " decoder: " + CapstoneLibrary.INSTALL_HINT);
        }
        return new Capstone(library, isa, order, syntax);
    }

    public InstructionSet isa() {
        return isa;
    }

    private String errorText(int err) throws Throwable {
        MemorySegment text = (MemorySegment) library.strerror.invokeExact(err);
        return text.reinterpret(256).getString(0, StandardCharsets.US_ASCII);
    }

    /**
     * Decodes all of {@code code}, which sits at {@code address}. Where Capstone stops at bytes it
     * cannot decode, one instruction of the length the encoding gives
     * ({@link InstructionSet#undecodedLength}) is emitted as data and decoding resumes after it.
     */
    public List<Instruction> decode(MemorySegment code, long address) {
        List<Instruction> result = new ArrayList<>();
        decode(code, address, result::add);
        return result;
    }

    /**
     * Decodes all of {@code code} as {@link #decode(MemorySegment, long)} does, handing each
     * instruction to {@code sink} as soon as it is decoded: Capstone decodes one instruction at a time
     * into the one {@code cs_insn} this handle keeps ({@code cs_disasm_iter}), straight from the
     * image's mapped pages, so that memory does not grow with the code's size.
     */
    public void decode(MemorySegment code, long address, Consumer<Instruction> sink) {
        try (Arena call = Arena.ofConfined()) {
            // Capstone reads through a pointer: bytes on the Java heap (an image copied out of
            // another process) are copied to native memory first.
            MemorySegment source = code;
            if (!code.isNative()) {
                source = call.allocate(Math.max(1, code.byteSize()));
                MemorySegment.copy(code, 0, source, 0, code.byteSize());
            }
            long offset = 0;
            while (offset < code.byteSize()) {
                codeCell.set(ADDRESS, 0, source.asSlice(offset));
                sizeCell.set(JAVA_LONG, 0, code.byteSize() - offset);
                addressCell.set(JAVA_LONG, 0, address + offset);
                while ((boolean) library.disasmIter.invokeExact(handle, codeCell, sizeCell, addressCell, insn)) {
                    int size = Short.toUnsignedInt(insn.get(JAVA_SHORT, INSN_SIZE_OFFSET));
                    byte[] bytes = new byte[size];
                    MemorySegment.copy(insn, JAVA_BYTE, library.bytesOffset, bytes, 0, size);
                    MemorySegment.copy(insn, JAVA_BYTE, library.mnemonicOffset, text, 0, text.length);
                    sink.accept(CapstoneQuirks.correct(isa, new Instruction(address + offset, bytes,
                            string(text, 0, MNEMONIC_SIZE), string(text, operandsAt, OPERANDS_SIZE))));
                    offset += size;
                }
                if (offset < code.byteSize()) {
                    int firstUnit = code.byteSize() - offset >= 2
                            ? Short.toUnsignedInt(code.get(FIRST_UNIT.withOrder(order), offset)) : 0;
                    int unit = (int) Math.min(isa.undecodedLength(firstUnit), code.byteSize() - offset);
                    sink.accept(CapstoneQuirks.correct(isa,
                            data(code.asSlice(offset, unit).toArray(JAVA_BYTE), address + offset, order)));
                    offset += unit;
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling Capstone failed", t);
        }
    }

    /**
     * The NUL-terminated text at {@code from} in {@code text}, at most {@code size} bytes. Capstone
     * writes ASCII, so Latin-1 decodes it byte for byte, the cheapest way into a String.
     */
    private static String string(byte[] text, int from, int size) {
        int end = from;
        while (end < from + size && text[end] != 0) {
            end++;
        }
        return new String(text, from, end - from, StandardCharsets.ISO_8859_1);
    }

    /** Bytes that are not an instruction, spelled as objdump spells them. */
    static Instruction data(byte[] bytes, long address, ByteOrder order) {
        return switch (bytes.length) {
            case 4 -> new Instruction(address, bytes, ".word", "0x" + Long.toHexString(value(bytes, order)));
            case 2 -> new Instruction(address, bytes, ".short", "0x" + Long.toHexString(value(bytes, order)));
            case 1 -> new Instruction(address, bytes, ".byte", "0x" + HexFormat.of().formatHex(bytes));
            // An s390 six-byte instruction, or the few bytes left at the end of a section: one line.
            default -> new Instruction(address, bytes, ".byte", HexFormat.ofDelimiter(", ").withPrefix("0x")
                    .formatHex(bytes));
        };
    }

    static long value(byte[] bytes, ByteOrder order) {
        long v = 0;
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[order == ByteOrder.LITTLE_ENDIAN ? bytes.length - 1 - i : i] & 0xff;
            v = v << 8 | b;
        }
        return v;
    }

    @Override
    public void close() {
        try {
            library.free.invokeExact(insn, 1L);
            int ignored = (int) library.close.invokeExact(handleCell);
        } catch (Throwable t) {
            throw new IllegalStateException("cs_close failed", t);
        } finally {
            arena.close();
        }
    }
}
