import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.vdsoscope.btf.Btf;
import dev.vdsoscope.btf.BtfKind;

/**
 * Reads a BTF file as the vvar decoder will: the whole blob checked, then one struct found by name,
 * a member's offset and an enum's constants. Prints, in milliseconds of this process's clock, the
 * file read, the checked parse, the first search by name (which indexes the names) and the member
 * and enum look-ups; the first round in a cold JVM, then the median of ROUNDS more in the same JVM.
 * Usage (from the tree, after mvn compile): java -cp target/classes bench/BtfRead.java [FILE] [ROUNDS]
 */
public class BtfRead {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : Btf.VMLINUX.toString());
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        double[][] times = new double[rounds + 1][];
        for (int round = 0; round <= rounds; round++) {
            long start = System.nanoTime();
            byte[] bytes = Files.readAllBytes(file);
            long read = System.nanoTime();
            Btf btf = Btf.read(file.toString(), ByteBuffer.wrap(bytes));
            long parsed = System.nanoTime();
            var clock = btf.find("vdso_clock", BtfKind.STRUCT).or(() -> btf.find("vdso_data", BtfKind.STRUCT));
            long found = System.nanoTime();
            clock.flatMap(c -> btf.field(c, "basetime")).orElseThrow();
            btf.enumerators("vdso_clock_mode").orElseThrow();
            long looked = System.nanoTime();
            times[round] = new double[] {(read - start) / 1e6, (parsed - read) / 1e6, (found - parsed) / 1e6,
                    (looked - found) / 1e6, btf.typeCount()};
        }
        print("first (cold JVM)", times[0]);
        if (rounds > 0) {
            double[] median = new double[5];
            for (int column = 0; column < 5; column++) {
                final int c = column;
                double[] values = java.util.Arrays.stream(times, 1, rounds + 1).mapToDouble(t -> t[c]).sorted().toArray();
                median[column] = values[values.length / 2];
            }
            print("median of " + rounds + " more", median);
        }
    }

    private static void print(String what, double[] t) {
        System.out.printf("%-22s file %6.1f ms  parse %6.1f ms  index+find %6.1f ms  field+enum %6.3f ms  (%d types)%n",
                what, t[0], t[1], t[2], t[3], (long) t[4]);
    }
}
