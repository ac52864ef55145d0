package dev.vdsoscope.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.BatchReader;

/**
 * The loader's shortcuts give the answers of the plain code they stand in for: the hand-made search
 * path split, Horspool's scan of ld.so, and reading a small file instead of mapping it.
 */
class FastPathsTest {
    @Test
    void searchPathsSplitAsARegexSplitWithANegativeLimitWould() {
        Random random = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            String value = randomText(random, "a/:;\n$", 12);
            for (String separators : List.of(":", ":;", ":\n")) {
                assertThat(Loader.split(value, separators)).as("[%s] by [%s]", value, separators)
                        .containsExactly(value.split("[" + separators + "]", -1));
            }
        }
    }

    @Test
    void horspoolFindsTheFirstOccurrenceAsAPlainScanDoes() {
        Random random = new Random(7);
        byte[] tail = "\0/lib/\0/usr/lib/\0".getBytes();
        for (int i = 0; i < 20_000; i++) {
            byte[] text = randomText(random, "\0/libusr/x", 60).getBytes();
            if (random.nextInt(3) == 0 && text.length >= tail.length) {
                System.arraycopy(tail, 0, text, random.nextInt(text.length - tail.length + 1), tail.length);
            }
            byte[] pattern = random.nextBoolean() ? tail
                    : Arrays.copyOfRange(tail, random.nextInt(4), 4 + random.nextInt(tail.length - 3));
            assertThat(LdSoBinary.indexOf(text, 0, text.length, pattern)).isEqualTo(plainIndexOf(text, pattern));
        }
    }

    /**
     * The small ELF programs of /usr/bin, all read through one reused buffer first (so that nothing
     * read may point into it), then each compared with the same file mapped.
     */
    @Test
    void smallFilesReadWholeAreTheSameObjectsAsWhenMapped() throws Exception {
        List<Path> small = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("/usr/bin"))) {
            for (Path file : files.sorted().toList()) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) <= ElfFile.SMALL_FILE
                        && isElf(file) && small.size() < 40) {
                    small.add(file);
                }
            }
        }
        assumeTrue(small.size() >= 5, "few small ELF programs in /usr/bin");
        BatchReader reader = BatchReader.forParts();
        List<ElfObject> read = new ArrayList<>();
        for (Path file : small) {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            read.add(ElfObject.read(file, attributes, reader));
        }

        for (int i = 0; i < small.size(); i++) {
            Path file = small.get(i);
            ElfObject mapped;
            try (ElfFile elf = ElfFile.open(file)) {
                mapped = ElfObject.of(elf, Files.readAttributes(file, BasicFileAttributes.class).fileKey());
            }
            assertThat(read.get(i)).as(file.toString()).isEqualTo(mapped);
        }
    }

    /**
     * The large libraries, read in chunks on demand, give the same objects as when mapped, and the
     * same when read one after another through one set of buffers (stale chunks or tables would show).
     */
    @Test
    void largeFilesReadOnDemandAreTheSameObjectsAsWhenMapped() throws Exception {
        List<Path> large = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("/usr/lib/x86_64-linux-gnu"))) {
            for (Path file : files.sorted().toList()) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) > ElfFile.SMALL_FILE
                        && isElf(file) && large.size() < 25) {
                    large.add(file);
                }
            }
        }
        assumeTrue(large.size() >= 5, "few large ELF libraries");
        BatchReader reader = BatchReader.forParts();
        for (Path file : large) {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            ElfObject onDemand = ElfObject.read(file, attributes, reader);
            ElfObject mapped;
            try (ElfFile elf = ElfFile.open(file)) {
                mapped = ElfObject.of(elf, attributes.fileKey());
            }
            assertThat(onDemand).as(file.toString()).isEqualTo(mapped);
        }
    }

    private static boolean isElf(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(4), new byte[] {0x7f, 'E', 'L', 'F'});
        }
    }

    /**
     * A file the reader refuses (empty, not ELF, a cut identification) gives the same object whether it
     * was read into the buffers or mapped: its first bytes, kept for open_verify, and what is wrong.
     */
    @Test
    void aFileThatDoesNotParseGivesTheSameObjectEitherWay(@TempDir Path directory) throws Exception {
        BatchReader reader = BatchReader.forParts();
        for (byte[] contents : List.of(new byte[0], "not ELF".getBytes(), new byte[] {0x7f, 'E', 'L', 'F', 2, 1})) {
            Path file = Files.write(directory.resolve("f" + contents.length), contents);
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            ElfObject mapped = ElfObject.read(file);
            assertThat(mapped.head().bytes()).isEqualTo(contents);
            assertThat(mapped.unreadable()).hasValueSatisfying(c -> assertThat(c).startsWith("vdsoscope cannot read it: "));
            assertThat(ElfObject.read(file, attributes, reader)).isEqualTo(mapped);
        }
    }

    private static String randomText(Random random, String alphabet, int maxLength) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static int plainIndexOf(byte[] text, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= text.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (text[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
