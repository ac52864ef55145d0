package dev.vdsoscope.fuzz;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.proc.Auxv;
import dev.vdsoscope.proc.AuxvEntry;
import dev.vdsoscope.proc.Hwcap;
import dev.vdsoscope.proc.Maps;

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
                    Hwcap.decode(Machine.EM_X86_64, e.type(), e.value());
                    Hwcap.decode(Machine.EM_AARCH64, e.type(), e.value());
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
}
