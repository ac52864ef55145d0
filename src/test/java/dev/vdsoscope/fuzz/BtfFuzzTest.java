package dev.vdsoscope.fuzz;

import java.nio.ByteBuffer;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.vdsoscope.btf.Btf;
import dev.vdsoscope.btf.BtfFormatException;
import dev.vdsoscope.btf.BtfSamples;

/**
 * Coverage-guided fuzzing of the BTF reader. In the normal test run this replays the corpus in
 * BtfFuzzTestInputs (every-kind.btf: BtfSamples.everyKind(); pahole-small.btf: the .BTF section
 * that pahole 1.24 -J wrote for a small gcc 12 -g program with enums, an enum64, nested, anonymous
 * and bitfield members; and every finding);
 * scripts/fuzz runs it for real. Reading may fail only with BtfFormatException; what reads must
 * answer every question (see {@link BtfSamples#askEverything}).
 */
class BtfFuzzTest {
    private static final Btf BASE;

    static {
        try {
            BASE = Btf.read("sample", ByteBuffer.wrap(BtfSamples.everyKind()));
        } catch (BtfFormatException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest
    void readAndAsk(byte[] data) {
        try {
            BtfSamples.askEverything(Btf.read("fuzz", ByteBuffer.wrap(data)));
        } catch (BtfFormatException expected) {
            // The documented answer to malformed BTF.
        }
        try {
            BtfSamples.askEverything(Btf.readSplit("fuzz split", ByteBuffer.wrap(data), BASE));
        } catch (BtfFormatException expected) {
            // The same, for split BTF on the sample.
        }
    }

    @FuzzTest
    void fieldPaths(FuzzedDataProvider data) {
        int id = data.consumeInt(0, BASE.typeCount());
        String path = data.consumeRemainingAsString();
        // A path with an empty name in it ("", "a..b", ".a") is refused, and only such a path.
        boolean emptyName = ("." + path + ".").contains("..");
        try {
            BASE.field(BASE.type(id), path);
            BASE.field("outer", path);
            if (emptyName) {
                throw new AssertionError("path '" + path + "' has an empty name, and was not refused");
            }
        } catch (IllegalArgumentException refused) {
            if (!emptyName) {
                throw refused;
            }
        }
    }
}
