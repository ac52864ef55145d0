package dev.vdsoscope.elf.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every structure of {@link RawLayouts}, member by member, against what gcc says of the same
 * structure in glibc's {@code <elf.h>}: offsetof, sizeof of the member, and sizeof of the whole.
 * The structures both classes share ({@code Elf_Verdef}) are checked as Elf32_ and as Elf64_.
 */
class RawLayoutsGccTest {
    @TempDir
    Path temp;

    @Test
    void everyMemberSitsWhereElfHSaysItDoes() throws Exception {
        List<RawStruct> structs = new ArrayList<>();
        for (Field field : RawLayouts.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && RawStruct.class.isAssignableFrom(field.getType())) {
                structs.add((RawStruct) field.get(null));
            }
        }
        assertThat(structs).hasSize(19);

        StringBuilder c = new StringBuilder("#include <elf.h>\n#include <stddef.h>\n#include <stdio.h>\nint main(void) {\n");
        List<String> expected = new ArrayList<>();
        for (RawStruct struct : structs) {
            List<String> cTypes = struct.name().startsWith("Elf_")
                    ? List.of(struct.name().replace("Elf_", "Elf32_"), struct.name().replace("Elf_", "Elf64_"))
                    : List.of(struct.name());
            for (String type : cTypes) {
                c.append("printf(\"%s %zu\\n\", \"").append(type).append("\", sizeof(").append(type).append("));\n");
                expected.add(type + " " + struct.size());
                for (RawStruct.Field member : struct.fields()) {
                    c.append("printf(\"%s.%s %zu %zu\\n\", \"").append(type).append("\", \"").append(member.name())
                            .append("\", offsetof(").append(type).append(", ").append(member.name()).append("), sizeof(((")
                            .append(type).append(" *) 0)->").append(member.name()).append("));\n");
                    expected.add(type + "." + member.name() + " " + member.offset() + " " + member.width());
                }
            }
        }
        c.append("return 0;\n}\n");

        assertThat(run(compile(c.toString()))).containsExactlyElementsOf(expected);
    }

    private Path compile(String source) throws Exception {
        Path c = Files.writeString(temp.resolve("layouts.c"), source);
        Path program = temp.resolve("layouts");
        List<String> output = run("gcc", "-o", program.toString(), c.toString());
        assertThat(Files.isExecutable(program)).as("gcc: %s", output).isTrue();
        return program;
    }

    private static List<String> run(Object... command) throws Exception {
        List<String> words = new ArrayList<>();
        for (Object word : command) {
            words.add(word.toString());
        }
        Process process;
        try {
            process = new ProcessBuilder(words).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "cannot run " + words.get(0) + ": " + e.getMessage());
            throw e;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return output.lines().toList();
    }
}
