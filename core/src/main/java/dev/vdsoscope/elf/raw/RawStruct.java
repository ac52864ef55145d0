package dev.vdsoscope.elf.raw;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An on-disk ELF structure: its C name and its members in order, each with its C name
 * ({@code st_value}, {@code d_un.d_val}: what offsetof takes) and width. Each structure is a
 * subclass ({@link Ehdr}, {@link Sym}, ...) whose members are typed fields, so views name them at
 * compile time. Byte order is applied by the reader, so one structure serves both LSB and MSB files.
 *
 * <p>Offsets are summed, as the ELF structures have no padding (checked against gcc's
 * {@code offsetof} on {@code <elf.h>} by the tests). Not FFM {@code StructLayout}s, as they once were:
 * building those took some 1.5 ms of every start, spent in the interpreter.
 */
public abstract class RawStruct {
    /** One member: its byte offset inside the structure and its width in bytes (1, 2, 4 or 8; 16 for e_ident). */
    public record Field(String name, int offset, int width) {}

    /** A member as declared: a name and a width. */
    protected record Member(String name, int width) {}

    private final String name;
    private final List<Field> fields;
    private final Map<String, Field> byName = new HashMap<>();
    private final int size;

    protected RawStruct(String name, Member... members) {
        this.name = name;
        Field[] laid = new Field[members.length];
        int offset = 0;
        for (int i = 0; i < members.length; i++) {
            laid[i] = new Field(members[i].name(), offset, members[i].width());
            byName.put(laid[i].name(), laid[i]);
            offset += members[i].width();
        }
        this.fields = List.of(laid);
        this.size = offset;
    }

    /** The C type name, e.g. {@code Elf64_Sym}; {@code Elf_} for the structures both classes share. */
    public String name() {
        return name;
    }

    public int size() {
        return size;
    }

    /** The members in order. */
    public List<Field> fields() {
        return fields;
    }

    /** The member of this C name: for the subclasses' constructors, which name each member once. */
    protected final Field field(String cName) {
        Field field = byName.get(cName);
        if (field == null) {
            throw new IllegalArgumentException(name + " has no field " + cName);
        }
        return field;
    }
}
