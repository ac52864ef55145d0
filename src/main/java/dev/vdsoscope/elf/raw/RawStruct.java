package dev.vdsoscope.elf.raw;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * An on-disk ELF structure described as an FFM {@link StructLayout} whose members carry the C field
 * names ({@code st_value}, {@code d_tag}); views read fields by name through {@link #field}.
 * Byte order is applied by the reader, so one layout serves both LSB and MSB files.
 */
public final class RawStruct {
    /** One field: its byte offset inside the structure and its width in bytes (1, 2, 4 or 8). */
    public record Field(String name, int offset, int width) {}

    private final StructLayout layout;
    private final Map<String, Field> fields = new HashMap<>();

    RawStruct(StructLayout layout) {
        this.layout = layout;
        // A struct layout has no implicit padding: each member starts where the ones before it end.
        // (Summed here rather than asked of layout.byteOffset, whose layout paths build method
        // handles: some 20 ms of start-up for every command that reads an ELF header.)
        long offset = 0;
        for (MemoryLayout member : layout.memberLayouts()) {
            if (member instanceof ValueLayout value && member.name().isPresent()) {
                String name = member.name().get();
                fields.putIfAbsent(name, new Field(name, (int) offset, (int) value.byteSize()));
            }
            offset += member.byteSize();
        }
    }

    public String name() {
        return layout.name().orElseThrow();
    }

    public int size() {
        return (int) layout.byteSize();
    }

    public Field field(String cName) {
        Field field = fields.get(cName);
        if (field == null) {
            throw new IllegalArgumentException(name() + " has no field " + cName);
        }
        return field;
    }
}
