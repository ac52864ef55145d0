package dev.vdsoscope.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.vdsoscope.elf.testing.HostTools;

/**
 * BTF as the real tools make it: gcc compiles C with DWARF, {@code pahole -J} encodes it as a .BTF
 * section of the same file, and {@link Btf#open} reads it. The oracle is the compiled program itself:
 * it prints {@code offsetof} and {@code sizeof} of every member asked about, each bitfield's first
 * bit and width (found by setting the bitfield in a zeroed struct and looking at the bytes), the
 * sizes of the types and the enumerators' values.
 */
class BtfPaholeTest {
    private static final String TYPES = """
            #include <stddef.h>
            #include <stdio.h>
            #include <string.h>

            enum color { RED, GREEN = 5, BLUE = -3 };
            enum big { BIG_ONE = 1, BIG_HUGE = 0x123456789aLL };
            enum flags { FLAG_HIGH = 0x80000000u };
            typedef unsigned long ulong_t;
            struct inner { int a; char b; };
            typedef struct inner inner_t;
            typedef struct { short x; long y; } anon_t;
            struct outer {
                char c;
                inner_t in;
                union {
                    int u1;
                    struct { short s1; short s2; };
                    struct { char pad; struct inner deep; };
                };
                unsigned int bf1 : 3;
                unsigned int bf2 : 5;
                int bf3 : 7;
                unsigned long long bf4 : 40;
                const volatile ulong_t tail[3];
                struct outer *next;
                void (*callback)(int, ...);
                anon_t pair;
                enum color color;
                char flexible[];
            };
            union un { long l; char bytes[13]; struct { char b0, b1; _Bool flag : 1; }; };
            struct __attribute__((packed)) packed { char c; int i; short s : 3; long l; };
            struct aligned { char c; int __attribute__((aligned(32))) i; union un u; struct packed p[2]; };

            struct outer g_outer; union un g_un; struct packed g_packed; struct aligned g_aligned; anon_t g_anon;
            enum color g_color; enum big g_big; enum flags g_flags;

            static void bits(const char *type, const char *path, const unsigned char *p, size_t size) {
                int first = -1, count = 0;
                for (size_t i = 0; i < size * 8; i++) {
                    if (p[i / 8] >> (i % 8) & 1) {
                        if (first < 0) first = (int) i;
                        count++;
                    }
                }
                printf("%s|%s|bit %d %d\\n", type, path, first, count);
            }
            #define BYTES(type, path) printf("%s|%s|byte %zu %zu\\n", #type, #path, offsetof(type, path), sizeof(((type *) 0)->path))
            #define BITS(type, path) do { type x; memset(&x, 0, sizeof x); x.path = -1; bits(#type, #path, (unsigned char *) &x, sizeof x); } while (0)
            #define SIZE(type) printf("%s|sizeof %zu\\n", #type, sizeof(type))
            #define ENUMERATOR(name) printf("%s|enumerator %lld\\n", #name, (long long) (name))
            """;

    /** Members asked about, as C's offsetof names them. */
    private static final List<String[]> MEMBERS = List.of(
            new String[] {"struct outer", "c"}, new String[] {"struct outer", "in"}, new String[] {"struct outer", "in.b"},
            new String[] {"struct outer", "u1"}, new String[] {"struct outer", "s1"}, new String[] {"struct outer", "s2"},
            new String[] {"struct outer", "pad"}, new String[] {"struct outer", "deep"}, new String[] {"struct outer", "deep.b"},
            new String[] {"struct outer", "tail"}, new String[] {"struct outer", "next"}, new String[] {"struct outer", "callback"},
            new String[] {"struct outer", "pair"}, new String[] {"struct outer", "pair.y"}, new String[] {"struct outer", "color"},
            new String[] {"union un", "l"}, new String[] {"union un", "bytes"}, new String[] {"union un", "b1"},
            new String[] {"struct packed", "i"}, new String[] {"struct packed", "l"},
            new String[] {"struct aligned", "i"}, new String[] {"struct aligned", "u"}, new String[] {"struct aligned", "u.b1"},
            new String[] {"struct aligned", "p"}, new String[] {"anon_t", "y"}, new String[] {"inner_t", "b"});
    private static final List<String[]> BITFIELDS = List.of(
            new String[] {"struct outer", "bf1"}, new String[] {"struct outer", "bf2"}, new String[] {"struct outer", "bf3"},
            new String[] {"struct outer", "bf4"}, new String[] {"union un", "flag"}, new String[] {"struct packed", "s"});
    private static final List<String> SIZES = List.of("struct outer", "union un", "struct packed", "struct aligned",
            "anon_t", "inner_t", "ulong_t", "enum color", "enum big", "long", "void *");
    private static final List<String> ENUMERATORS = List.of("RED", "GREEN", "BLUE", "BIG_ONE", "BIG_HUGE", "FLAG_HIGH");

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"-m64", "-m32"})
    void membersSitWhereGccPutThem(String model) throws Exception {
        assumeTrue(HostTools.installed("pahole"), "pahole (Debian package dwarves) is not installed");
        StringBuilder main = new StringBuilder(TYPES).append("int main(void) {\n");
        MEMBERS.forEach(m -> main.append("BYTES(").append(m[0]).append(", ").append(m[1]).append(");\n"));
        BITFIELDS.forEach(m -> main.append("BITS(").append(m[0]).append(", ").append(m[1]).append(");\n"));
        SIZES.forEach(t -> main.append("SIZE(").append(t).append(");\n"));
        ENUMERATORS.forEach(e -> main.append("ENUMERATOR(").append(e).append(");\n"));
        main.append("return 0;\n}\n");
        Path source = Files.writeString(temp.resolve("types.c"), main);
        Path program = temp.resolve("types");
        HostTools.Run gcc = run("gcc", model, "-g", "-O0", "-w", "-o", program.toString(), source.toString());
        assumeTrue(gcc.exitCode() == 0 || !model.equals("-m32"), "gcc cannot build 32-bit programs here (gcc-multilib): " + gcc.stderr());
        assertThat(gcc.exitCode()).as("gcc: %s", gcc.stderr()).isZero();
        List<String> oracle = run(program.toString()).stdout().lines().toList();
        HostTools.Run pahole = run("pahole", "-J", program.toString());
        assertThat(pahole.exitCode()).as("pahole -J: %s", pahole.stderr()).isZero();

        Btf btf = Btf.open(program);

        assertThat(oracle).hasSize(MEMBERS.size() + BITFIELDS.size() + SIZES.size() + ENUMERATORS.size());
        assertThat(btf.pointerSize()).isEqualTo(model.equals("-m32") ? 4 : 8);
        List<String> fromBtf = new ArrayList<>();
        for (String line : oracle) {
            String[] parts = line.split("\\|");
            String[] words = parts[parts.length - 1].split(" ");
            switch (words[0]) {
                case "byte" -> {
                    Field field = btf.field(type(btf, parts[0]), parts[1]).orElseThrow(() -> new AssertionError(line));
                    assertThat(field.isBitfield()).isFalse();
                    fromBtf.add(parts[0] + "|" + parts[1] + "|byte " + field.byteOffset() + " " + btf.sizeOf(field.typeId()));
                }
                case "bit" -> {
                    Field field = btf.field(type(btf, parts[0]), parts[1]).orElseThrow(() -> new AssertionError(line));
                    fromBtf.add(parts[0] + "|" + parts[1] + "|bit " + field.bitOffset() + " " + field.bitSize());
                }
                case "sizeof" -> fromBtf.add(parts[0] + "|sizeof " + (parts[0].equals("void *")
                        ? btf.pointerSize() : btf.sizeOf(type(btf, parts[0]).id())));
                case "enumerator" -> fromBtf.add(parts[0] + "|enumerator " + enumerator(btf, parts[0]));
                default -> throw new AssertionError(line);
            }
        }
        assertThat(fromBtf).containsExactlyElementsOf(oracle);
    }

    private static final String BASE = """
            struct inner { int a; char b; };
            struct inner g_inner;
            int main(void) { return 0; }
            """;
    private static final String MODULE = """
            #include <stddef.h>
            #include <stdio.h>
            struct inner { int a; char b; };
            struct modstate { char c; struct inner in; unsigned long count : 12; union { int x; short y; }; };
            struct modstate g_modstate;
            int modfunc(struct modstate *s) { return s->in.a; }
            """;

    @Test
    void splitBtfOfAModuleReadsOnItsBase() throws Exception {
        assumeTrue(HostTools.installed("pahole"), "pahole (Debian package dwarves) is not installed");
        assumeTrue(Bpftool.available(), "bpftool (Debian package bpftool) is not installed");
        Path base = compile("base", BASE);
        assertThat(run("pahole", "-J", base.toString()).exitCode()).isZero();
        // The module's BTF is split BTF on the base's: struct inner and int are the base's types.
        Path module = temp.resolve("module.o");
        Path moduleSource = Files.writeString(temp.resolve("module.c"), MODULE);
        assertThat(run("gcc", "-g", "-c", "-o", module.toString(), moduleSource.toString()).exitCode()).isZero();
        HostTools.Run pahole = run("pahole", "-J", "--btf_base", base.toString(), module.toString());
        assertThat(pahole.exitCode()).as("pahole -J --btf_base: %s", pahole.stderr()).isZero();

        Btf baseBtf = Btf.open(base);
        Btf split = Btf.open(module, baseBtf);
        Map<Integer, Bpftool.Dumped> dumped = Bpftool.dump(module.toString(), base.toString());

        assertThat(split.firstOwnId()).isEqualTo(baseBtf.typeCount() + 1);
        assertThat(split.typeCount()).isEqualTo(baseBtf.typeCount() + dumped.size());
        assertThat(Bpftool.differences(split, dumped, split.firstOwnId())).isEmpty();
        BtfType.Composite state = (BtfType.Composite) split.find("modstate", BtfKind.STRUCT).orElseThrow();
        assertThat(state.members().get(1).type()).as("struct inner, from the base").isLessThan(split.firstOwnId());

        Path oracle = compile("offsets", MODULE + """
                int main(void) {
                    printf("%zu %zu %zu\\n", offsetof(struct modstate, in.b), offsetof(struct modstate, x),
                           offsetof(struct modstate, y));
                    return 0;
                }
                """);
        assertThat(split.field("modstate", "in.b").orElseThrow().byteOffset() + " "
                + split.field("modstate", "x").orElseThrow().byteOffset() + " "
                + split.field("modstate", "y").orElseThrow().byteOffset())
                .isEqualTo(run(oracle.toString()).stdout().strip());
    }

    /** A program built by gcc -g from {@code source}; fails the test when gcc does. */
    private Path compile(String name, String source) throws IOException, InterruptedException {
        Path c = Files.writeString(temp.resolve(name + ".c"), source);
        Path program = temp.resolve(name);
        HostTools.Run gcc = run("gcc", "-g", "-O0", "-w", "-o", program.toString(), c.toString());
        assertThat(gcc.exitCode()).as("gcc: %s", gcc.stderr()).isZero();
        return program;
    }

    /** The type a C type name names: a struct, union or enum tag, a typedef, or a base type. */
    private static BtfType type(Btf btf, String cName) {
        String[] words = cName.split(" ", 2);
        BtfKind kind = switch (words[0]) {
            case "struct" -> BtfKind.STRUCT;
            case "union" -> BtfKind.UNION;
            case "enum" -> null;
            default -> cName.equals("long") ? BtfKind.INT : BtfKind.TYPEDEF;
        };
        if (kind == null) {
            return btf.find(words[1], BtfKind.ENUM).or(() -> btf.find(words[1], BtfKind.ENUM64)).orElseThrow();
        }
        return btf.find(cName.equals("long") ? "long int" : kind == BtfKind.TYPEDEF ? cName : words[1], kind)
                .orElseThrow(() -> new AssertionError("no " + kind + " " + cName));
    }

    /** The value of an enumerator, searched in every enum, signed as C prints it with %lld. */
    private static long enumerator(Btf btf, String name) {
        for (int id = 1; id <= btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.Enum e) {
                for (Enumerator value : e.values()) {
                    if (value.name().equals(name)) {
                        return value.value();
                    }
                }
            }
        }
        throw new AssertionError("no enumerator " + name);
    }

    private static HostTools.Run run(String... command) throws IOException, InterruptedException {
        return HostTools.run(null, command);
    }
}
