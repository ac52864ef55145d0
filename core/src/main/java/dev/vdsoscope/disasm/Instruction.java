package dev.vdsoscope.disasm;

import java.util.HexFormat;

/**
 * One decoded instruction, or bytes that did not decode (mnemonic {@code .byte}, {@code .short} or
 * {@code .word}, as objdump and Capstone's skipdata print them).
 */
public record Instruction(long address, byte[] bytes, String mnemonic, String operands) {
    public int length() {
        return bytes.length;
    }

    /** The raw bytes as objdump prints them: "0f 05". */
    public String hexBytes() {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    public boolean isData() {
        return mnemonic.startsWith(".");
    }

    /** The assembler text, "mnemonic operands". */
    public String text() {
        return operands.isEmpty() ? mnemonic : mnemonic + " " + operands;
    }
}
