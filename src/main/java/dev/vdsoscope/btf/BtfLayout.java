package dev.vdsoscope.btf;

/**
 * The on-disk layout of BTF, as {@code <linux/btf.h>} declares it: the header's constants, the size of
 * each structure, and the bit fields packed into its words (the C macros, as methods of the same name).
 */
final class BtfLayout {
    private BtfLayout() {}

    /** {@code BTF_MAGIC}, read in the blob's own byte order (the kernel's). */
    static final int BTF_MAGIC = 0xeB9F;
    /** {@code BTF_VERSION}: the only version there is. */
    static final int BTF_VERSION = 1;

    /** {@code sizeof(struct btf_header)}: magic, version, flags, hdr_len and four section words. */
    static final int BTF_HEADER_SIZE = 24;
    /** Offsets of {@code struct btf_header}'s members. */
    static final int HDR_MAGIC = 0, HDR_VERSION = 2, HDR_FLAGS = 3, HDR_HDR_LEN = 4, HDR_TYPE_OFF = 8,
            HDR_TYPE_LEN = 12, HDR_STR_OFF = 16, HDR_STR_LEN = 20;

    /** {@code sizeof(struct btf_type)}: name_off, info, size or type. */
    static final int BTF_TYPE_SIZE = 12;
    /** Offsets of {@code struct btf_type}'s members. */
    static final int TYPE_NAME_OFF = 0, TYPE_INFO = 4, TYPE_SIZE_TYPE = 8;

    static final int BTF_ARRAY_SIZE = 12;
    static final int BTF_MEMBER_SIZE = 12;
    static final int BTF_ENUM_SIZE = 8;
    static final int BTF_ENUM64_SIZE = 12;
    static final int BTF_PARAM_SIZE = 8;
    static final int BTF_VAR_SECINFO_SIZE = 12;

    /**
     * The bits of {@code info} that mean something (the kernel's {@code BTF_INFO_MASK}): vlen (0-15), kind
     * (24-28) and kind_flag (31). The kernel refuses BTF with any other bit set.
     */
    static final int BTF_INFO_MASK = 0x9f00ffff;

    /** {@code BTF_INFO_VLEN(info)}. */
    static int BTF_INFO_VLEN(int info) {
        return info & 0xffff;
    }

    /** {@code BTF_INFO_KIND(info)}. */
    static int BTF_INFO_KIND(int info) {
        return (info >>> 24) & 0x1f;
    }

    /** {@code BTF_INFO_KFLAG(info)}. */
    static boolean BTF_INFO_KFLAG(int info) {
        return info >>> 31 != 0;
    }

    /** {@code BTF_INT_ENCODING(VAL)}. */
    static int BTF_INT_ENCODING(int value) {
        return (value & 0x0f000000) >>> 24;
    }

    /** {@code BTF_INT_OFFSET(VAL)}. */
    static int BTF_INT_OFFSET(int value) {
        return (value & 0x00ff0000) >>> 16;
    }

    /** {@code BTF_INT_BITS(VAL)}. */
    static int BTF_INT_BITS(int value) {
        return value & 0xff;
    }

    /** The bits an integer may have at most ({@code BITS_PER_U128} in the kernel's check). */
    static final int BTF_INT_MAX_BITS = 128;

    /** {@code BTF_MEMBER_BIT_OFFSET(val)}: a member's bit offset when its struct has kind_flag set. */
    static int BTF_MEMBER_BIT_OFFSET(int value) {
        return value & 0xffffff;
    }

    /** {@code BTF_MEMBER_BITFIELD_SIZE(val)}: a bitfield's width when its struct has kind_flag set. */
    static int BTF_MEMBER_BITFIELD_SIZE(int value) {
        return value >>> 24;
    }

    /** The largest size a type may have: {@code size} is a {@code __u32} (and the kernel's {@code U32_MAX} check for arrays). */
    static final long U32_MAX = 0xffffffffL;
}
