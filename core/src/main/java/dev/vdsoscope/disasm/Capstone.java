package dev.vdsoscope.disasm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import dev.vdsoscope.abi.InstructionSet;

/** One open Capstone handle for one instruction set; not thread-safe, close it when done. */
public final class Capstone implements AutoCloseable {
    private static final int CS_ERR_OK = 0;

    private final CapstoneLibrary library;
    private final InstructionSet isa;
    private final ByteOrder order;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment handleCell;
    private final long handle;

    private Capstone(CapstoneLibrary library, InstructionSet isa, ByteOrder order, Syntax syntax)
            throws CapstoneUnavailableException {
        this.library = library;
        this.isa = isa;
        this.order = order;
        this.handleCell = arena.allocate(JAVA_LONG);
        try {
            int err = (int) library.open.invokeExact(CapstoneTarget.arch(isa), CapstoneTarget.mode(isa, order), handleCell);
            if (err != CS_ERR_OK) {
                arena.close();
                throw new CapstoneUnavailableException("Capstone " + library.version() + " (" + library.origin()
                        + ") cannot open " + isa + ": " + errorText(err));
            }
            handle = handleCell.get(JAVA_LONG, 0);
            if (isa.isX86()) {
                int syntaxValue = syntax == Syntax.att ? CapstoneLibrary.CS_OPT_SYNTAX_ATT
                        : CapstoneLibrary.CS_OPT_SYNTAX_INTEL;
                int optionErr = (int) library.option.invokeExact(handle, CapstoneLibrary.CS_OPT_SYNTAX, (long) syntaxValue);
                if (optionErr != CS_ERR_OK) {
                    throw new CapstoneUnavailableException("Capstone cannot switch to " + syntax + " syntax: "
                            + errorText(optionErr));
                }
            }
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
     * cannot decode, one shortest-instruction unit is emitted as data and decoding resumes after it.
     */
    public List<Instruction> decode(MemorySegment code, long address) {
        List<Instruction> result = new ArrayList<>();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment buffer = call.allocate(Math.max(1, code.byteSize()));
            MemorySegment.copy(code, 0, buffer, 0, code.byteSize());
            MemorySegment insnOut = call.allocate(ADDRESS);
            long offset = 0;
            while (offset < code.byteSize()) {
                long remaining = code.byteSize() - offset;
                long count = (long) library.disasm.invokeExact(handle, buffer.asSlice(offset), remaining,
                        address + offset, 0L, insnOut);
                MemorySegment insns = insnOut.get(ADDRESS, 0);
                try {
                    long stride = library.insnLayout.byteSize();
                    MemorySegment array = insns.reinterpret(count * stride);
                    for (long i = 0; i < count; i++) {
                        MemorySegment insn = array.asSlice(i * stride, stride);
                        int size = Short.toUnsignedInt(insn.get(JAVA_SHORT, 16));
                        byte[] bytes = insn.asSlice(library.bytesOffset, size).toArray(JAVA_BYTE);
                        result.add(CapstoneQuirks.correct(isa, new Instruction(insn.get(JAVA_LONG, 8), bytes,
                                insn.getString(library.mnemonicOffset, StandardCharsets.US_ASCII),
                                insn.getString(library.operandsOffset, StandardCharsets.US_ASCII))));
                        offset += size;
                    }
                } finally {
                    if (count > 0) {
                        library.free.invokeExact(insns, count);
                    }
                }
                if (offset < code.byteSize()) {
                    int unit = (int) Math.min(isa.minimumLength(), code.byteSize() - offset);
                    result.add(CapstoneQuirks.correct(isa,
                            data(code.asSlice(offset, unit).toArray(JAVA_BYTE), address + offset, order)));
                    offset += unit;
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling Capstone failed", t);
        }
        return result;
    }

    /** Bytes that are not an instruction, spelled as objdump spells them. */
    static Instruction data(byte[] bytes, long address, ByteOrder order) {
        return switch (bytes.length) {
            case 4 -> new Instruction(address, bytes, ".word", "0x" + Long.toHexString(value(bytes, order)));
            case 2 -> new Instruction(address, bytes, ".short", "0x" + Long.toHexString(value(bytes, order)));
            default -> new Instruction(address, bytes, ".byte", "0x" + HexFormat.of().formatHex(bytes, 0, 1));
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
            int ignored = (int) library.close.invokeExact(handleCell);
        } catch (Throwable t) {
            throw new IllegalStateException("cs_close failed", t);
        } finally {
            arena.close();
        }
    }
}
