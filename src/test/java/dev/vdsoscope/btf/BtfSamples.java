package dev.vdsoscope.btf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;

/** Sample BTF and a walk of every question, for tests outside this package (the fuzz targets). */
public final class BtfSamples {
    private BtfSamples() {}

    /** The blob of {@link BtfReaderTest.Sample}: every kind, little-endian. */
    public static byte[] everyKind() {
        return new BtfReaderTest.Sample().bytes(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Asks every question of every type: the type, resolve, sizeOf (which may refuse a sizeless type
     * only, with IllegalArgumentException), find and findAll by its name, and field for each member.
     */
    public static void askEverything(Btf btf) {
        for (int id = 0; id <= btf.typeCount(); id++) {
            BtfType type = btf.type(id);
            btf.resolve(id);
            try {
                btf.sizeOf(id);
            } catch (IllegalArgumentException sizeless) {
                assertThat(sizeless).hasMessageContaining("has no size");
            }
            // A damaged name that is not UTF-8 decodes with U+FFFD, which names no bytes to look up.
            if (id != 0 && !type.name().isEmpty() && type.name().indexOf('\uFFFD') < 0) {
                assertThat(btf.findAll(type.name())).contains(type);
                assertThat(btf.find(type.name(), type.kind())).isPresent();
            }
            if (btf.resolve(id) instanceof BtfType.Composite composite) {
                for (BtfType.Member m : composite.members()) {
                    if (!m.name().isEmpty() && !m.name().contains(".")) {
                        assertThat(btf.field(type, m.name())).isPresent();
                    }
                }
            }
            if (type instanceof BtfType.Enum e && e.name().indexOf('\uFFFD') < 0 && !e.name().isEmpty()) {
                assertThat(btf.enumerators(e.name())).isPresent();
            }
        }
    }
}
