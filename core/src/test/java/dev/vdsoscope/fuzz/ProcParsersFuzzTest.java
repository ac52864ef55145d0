package dev.vdsoscope.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.proc.Auxv;
import dev.vdsoscope.proc.AuxvEntry;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.proc.Maps;
import dev.vdsoscope.proc.PseudoMapping;

/** Fuzzing of the /proc parsers: auxv bytes of either word size and order, and maps text. */
class ProcParsersFuzzTest {
    @FuzzTest
    void auxv(byte[] data) {
        MemorySegment bytes = MemorySegment.ofArray(data);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            int guessed = Auxv.guessWordSize(bytes, order);
            for (int wordSize : new int[] {4, 8, guessed}) {
                for (AuxvEntry e : Auxv.parse(bytes, wordSize, order).entries()) {
                    e.type().cName();
                    for (LinuxAbi abi : new LinuxAbi[] {LinuxAbi.X86_64, LinuxAbi.AARCH64}) {
                        for (int word = 1; word <= 2; word++) {
                            // One name per set bit, whether the bit has a name or not.
                            assertThat(abi.decodeHwcap(word, e.value())).hasSize(Long.bitCount(e.value()));
                        }
                    }
                }
            }
        }
    }

    @FuzzTest
    void maps(byte[] data) {
        try {
            Maps maps = Maps.parse(new String(data, StandardCharsets.UTF_8));
            maps.mappings().forEach(m -> m.pseudo());
        } catch (IllegalArgumentException expected) {
            // A malformed line is reported with its number.
        }
    }

    /** The one-line lookup finds what the whole parse finds (its last [vdso]), and fails only as it may. */
    @FuzzTest
    void mapsLookup(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        Optional<Mapping> found;
        try {
            found = Maps.findIn(text, PseudoMapping.VDSO);
        } catch (IllegalArgumentException expected) {
            return; // the line it found is malformed
        }
        Maps maps;
        try {
            maps = Maps.parse(text);
        } catch (IllegalArgumentException e) {
            return; // some other line is
        }
        assertThat(found).isEqualTo(maps.mappings().stream().filter(m -> m.pseudo() == PseudoMapping.VDSO)
                .reduce((first, second) -> second));
    }
}
