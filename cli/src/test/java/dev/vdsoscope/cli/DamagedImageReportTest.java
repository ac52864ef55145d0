package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.vdsoscope.elf.testing.Fixtures;

/**
 * {@code report FILE} on damaged copies of every vDSO fixture: cut short, or with a header field
 * pointed outside the file. Each must fail as a whole, in text and in JSON: exit code 2, one line on
 * standard error naming the file, and nothing on standard output (no half report). Random byte
 * flips may leave a readable image; each must then give a whole report or that one line.
 */
class DamagedImageReportTest {
    private static final int RANDOM_FLIPS = 12;

    @TempDir
    Path dir;

    static List<Path> fixtures() {
        return Fixtures.vdsoImages();
    }

    /** A damaged copy and how it was damaged. */
    private record Damaged(String how, byte[] bytes) {}

    /**
     * Copies no reader can make a report of: cut before the end of the program or section header
     * table, or with the magic, the class or a table's offset (e_phoff, e_shoff: every byte 0xff, out
     * of any file) spoiled. The offsets are the ELF specification's, for ELFCLASS32 and ELFCLASS64.
     */
    private static List<Damaged> broken(byte[] image) {
        boolean is64 = image[4] == 2;
        ByteBuffer header = ByteBuffer.wrap(image).order(image[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long shoff = is64 ? header.getLong(0x28) : Integer.toUnsignedLong(header.getInt(0x20));
        int shentsize = Short.toUnsignedInt(header.getShort(is64 ? 0x3a : 0x2e));
        int shnum = Short.toUnsignedInt(header.getShort(is64 ? 0x3c : 0x30));
        long sectionHeadersEnd = shoff + (long) shentsize * shnum;
        assertThat(sectionHeadersEnd).as("the fixture's section header table ends inside it").isLessThanOrEqualTo(image.length);
        List<Damaged> damaged = new ArrayList<>();
        for (long cut : new long[] {0, 16, 63, 64, 100, image.length / 2, sectionHeadersEnd - 1}) {
            damaged.add(new Damaged("cut to " + cut + " bytes", Arrays.copyOf(image, (int) cut)));
        }
        damaged.add(new Damaged("no magic", set(image, 0, 1, (byte) 0)));
        damaged.add(new Damaged("ELF class 0x7f", set(image, 4, 1, (byte) 0x7f)));
        damaged.add(new Damaged("e_phoff out of the file", set(image, is64 ? 0x20 : 0x1c, is64 ? 8 : 4, (byte) 0xff)));
        damaged.add(new Damaged("e_shoff out of the file", set(image, is64 ? 0x28 : 0x20, is64 ? 8 : 4, (byte) 0xff)));
        return damaged;
    }

    private static byte[] set(byte[] image, int offset, int length, byte value) {
        byte[] copy = image.clone();
        Arrays.fill(copy, offset, offset + length, value);
        return copy;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void aDamagedImageIsOneLineAndNoReport(Path fixture) throws Exception {
        byte[] image = Fixtures.read(fixture);
        for (Damaged d : broken(image)) {
            Path file = Files.write(dir.resolve("damaged-" + fixture.getFileName()), d.bytes());
            for (boolean json : new boolean[] {false, true}) {
                Cli.Result r = json ? Cli.run("report", "--json", file.toString()) : Cli.run("report", file.toString());
                String what = fixture.getFileName() + ", " + d.how() + (json ? ", --json" : "");
                assertThat(r.exitCode()).as(what + ": " + r.stderr()).isEqualTo(ExitCode.BAD_INPUT);
                assertThat(r.stderr().lines().toList()).as(what).singleElement().asString()
                        .startsWith("vdsoscope: " + file + ": ").doesNotContain("internal error");
                assertThat(r.stderr()).as(what).endsWith("\n");
                assertThat(r.out()).as(what).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void aFlippedByteGivesAWholeReportOrOneLine(Path fixture) throws Exception {
        byte[] image = Fixtures.read(fixture);
        Random random = new Random(fixture.getFileName().toString().hashCode());
        for (int i = 0; i < RANDOM_FLIPS; i++) {
            byte[] copy = image.clone();
            int at = random.nextInt(copy.length);
            copy[at] ^= (byte) (1 << random.nextInt(8));
            Path file = Files.write(dir.resolve("flipped-" + fixture.getFileName()), copy);
            String what = fixture.getFileName() + ", a bit flipped at 0x" + Integer.toHexString(at);
            Cli.Result r = Cli.run("report", file.toString());
            List<String> errors = r.stderr().lines().filter(l -> !l.startsWith("vdsoscope: " + file + ": warning: "))
                    .toList();
            if (r.exitCode() == ExitCode.OK) {
                assertThat(errors).as(what).isEmpty();
                assertThat(r.out()).as(what).startsWith("vDSO image " + file + ", ").contains("Exported functions");
            } else {
                assertThat(r.exitCode()).as(what + ": " + r.stderr()).isEqualTo(ExitCode.BAD_INPUT);
                assertThat(r.stderr().lines().toList()).as(what).singleElement().asString()
                        .startsWith("vdsoscope: " + file + ": ").doesNotContain("internal error");
                assertThat(r.out()).as(what).isEmpty();
            }
        }
    }
}
