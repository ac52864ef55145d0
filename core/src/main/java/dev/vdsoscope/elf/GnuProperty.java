package dev.vdsoscope.elf;

import java.util.ArrayList;
import java.util.List;

/** The properties inside an NT_GNU_PROPERTY_TYPE_0 note (x86 ISA level, IBT/SHSTK, AArch64 BTI/PAC). */
final class GnuProperty {
    static final long GNU_PROPERTY_STACK_SIZE = 1, GNU_PROPERTY_NO_COPY_ON_PROTECTED = 2,
            GNU_PROPERTY_1_NEEDED = 0xb0008000L, GNU_PROPERTY_AARCH64_FEATURE_1_AND = 0xc0000000L,
            GNU_PROPERTY_X86_FEATURE_1_AND = 0xc0000002L, GNU_PROPERTY_X86_ISA_1_NEEDED = 0xc0008002L,
            GNU_PROPERTY_X86_FEATURE_2_NEEDED = 0xc0008001L, GNU_PROPERTY_X86_ISA_1_USED = 0xc0010002L,
            GNU_PROPERTY_X86_FEATURE_2_USED = 0xc0010001L;

    private GnuProperty() {}

    static String describeAll(Note note, ElfHeader header) {
        ElfInput in = note.input();
        int align = header.is64() ? 8 : 4;
        long at = note.descOffset();
        long end = at + note.descSize();
        List<String> parts = new ArrayList<>();
        while (end - at >= 8) {
            long type = in.u32(at);
            long size = in.u32(at + 4);
            if (size > end - at - 8) {
                parts.add("<corrupt property at offset 0x" + Long.toHexString(at) + ">");
                break;
            }
            long value = size >= 4 ? in.u32(at + 8) : 0;
            parts.add(describe(type, value, header.machine()));
            at += 8 + ((size + align - 1) & -align);
        }
        return "properties: " + String.join("; ", parts);
    }

    private static String describe(long type, long value, Machine machine) {
        if (type == GNU_PROPERTY_X86_FEATURE_1_AND) {
            return "x86 feature: " + bits(value, "IBT", "SHSTK");
        }
        if (type == GNU_PROPERTY_X86_ISA_1_NEEDED || type == GNU_PROPERTY_X86_ISA_1_USED) {
            return "x86 ISA " + (type == GNU_PROPERTY_X86_ISA_1_NEEDED ? "needed" : "used") + ": "
                    + bits(value, "x86-64-baseline", "x86-64-v2", "x86-64-v3", "x86-64-v4");
        }
        if (type == GNU_PROPERTY_X86_FEATURE_2_USED || type == GNU_PROPERTY_X86_FEATURE_2_NEEDED) {
            return "x86 feature " + (type == GNU_PROPERTY_X86_FEATURE_2_USED ? "used" : "needed") + ": "
                    + bits(value, "x86", "x87", "MMX", "XMM", "YMM", "ZMM", "FXSR", "XSAVE", "XSAVEOPT", "XSAVEC",
                    "TMM", "MASK");
        }
        if (type == GNU_PROPERTY_AARCH64_FEATURE_1_AND && machine.equals(Machine.EM_AARCH64)) {
            return "AArch64 feature: " + bits(value, "BTI", "PAC", "GCS");
        }
        if (type == GNU_PROPERTY_STACK_SIZE) {
            return "stack size: 0x" + Long.toHexString(value);
        }
        if (type == GNU_PROPERTY_NO_COPY_ON_PROTECTED) {
            return "no copy on protected";
        }
        if (type == GNU_PROPERTY_1_NEEDED) {
            return "1_needed: " + bits(value, "indirect external access");
        }
        return "type 0x" + Long.toHexString(type) + " value 0x" + Long.toHexString(value);
    }

    private static String bits(long value, String... names) {
        List<String> set = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            if ((value & (1L << i)) != 0) {
                set.add(i < names.length ? names[i] : "<unknown: " + Long.toHexString(1L << i) + ">");
            }
        }
        return set.isEmpty() ? "<None>" : String.join(", ", set);
    }
}
