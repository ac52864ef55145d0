package dev.vdsoscope.cli;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

/**
 * Writes a Java {@code long} that holds an ELF unsigned 64-bit field (an offset, a size, an
 * alignment, a dynamic entry's value) as the JSON number it stands for: 2^63 and above stay positive
 * ({@code 9223372036854775808}, not {@code -9223372036854775808}). docs/JSON.md, "Conventions".
 */
final class Unsigned64 extends StdSerializer<Long> {
    Unsigned64() {
        super(Long.class);
    }

    @Override
    public void serialize(Long value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeNumber(Long.toUnsignedString(value));
    }
}
