package dev.vdsoscope.cli;

/** Fast fixed-width lowercase hex, for output paths that print millions of addresses. */
final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {}

    static String padded(long value, int width) {
        char[] chars = new char[width];
        for (int i = width - 1; i >= 0; i--) {
            chars[i] = DIGITS[(int) (value & 0xf)];
            value >>>= 4;
        }
        return new String(chars);
    }

    static void append(StringBuilder sb, long value, int width) {
        for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) {
            sb.append(DIGITS[(int) ((value >>> shift) & 0xf)]);
        }
    }
}
