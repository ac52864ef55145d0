package dev.vdsoscope.btf;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code BTF_INT_*}: the flags of an integer's encoding (bits 24-27 of the word after a
 * {@code BTF_KIND_INT}). No flag is an unsigned integer.
 */
public enum BtfIntEncoding {
    BTF_INT_SIGNED(1), BTF_INT_CHAR(2), BTF_INT_BOOL(4);

    /** Every bit of the four that some flag uses. */
    static final int KNOWN_BITS = 1 | 2 | 4;

    private final int value;

    BtfIntEncoding(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** The flags set in {@code bits}, unmodifiable; the caller has checked that no other bit is. */
    static Set<BtfIntEncoding> of(int bits) {
        Set<BtfIntEncoding> flags = EnumSet.noneOf(BtfIntEncoding.class);
        for (BtfIntEncoding flag : values()) {
            if ((bits & flag.value) != 0) {
                flags.add(flag);
            }
        }
        return Collections.unmodifiableSet(flags);
    }
}
