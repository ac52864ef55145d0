package dev.vdsoscope.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The facts one {@code file -b} line states about an ELF file, picked out by pattern so that two
 * lines can be compared fact by fact: class, byte order, type, machine (with its flag words),
 * build-id, stripped and debug_info. A field is null when the line does not state it.
 */
record FileLine(String elfClass, String endianness, String type, String machine, String buildId, String stripped,
        boolean debugInfo) {
    private static final Pattern MAGIC = Pattern.compile("^(?:(?:setuid|setgid|sticky),? )*ELF (\\d+-bit) (LSB|MSB) "
            + "(relocatable|executable|pie executable|shared object|core file|no file type|processor-specific), "
            + "(.*?)(?: version 1| invalid version)? \\(");
    private static final Pattern BUILD_ID = Pattern.compile(", (BuildID\\[[^\\]]*\\]=[0-9a-f]+)");
    private static final Pattern STRIPPED = Pattern.compile(", ((?:not )?stripped)(?:,|$)");

    static FileLine parse(String line) {
        if (line == null) {
            return new FileLine(null, null, null, null, null, null, false);
        }
        Matcher magic = MAGIC.matcher(line);
        boolean found = magic.find();
        Matcher buildId = BUILD_ID.matcher(line);
        Matcher stripped = STRIPPED.matcher(line);
        return new FileLine(found ? magic.group(1) : null, found ? magic.group(2) : null, found ? magic.group(3) : null,
                found ? magic.group(4) : null, buildId.find() ? buildId.group(1) : null,
                stripped.find() ? stripped.group(1) : null, line.contains(", with debug_info"));
    }
}
