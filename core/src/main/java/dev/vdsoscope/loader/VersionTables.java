package dev.vdsoscope.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongUnaryOperator;

import dev.vdsoscope.elf.DynamicTable;
import dev.vdsoscope.elf.DynamicTag;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.ElfInput;
import dev.vdsoscope.elf.raw.RawLayouts;

/**
 * An object's symbol-version tables as ld.so reads them (elf/dl-version.c): the versions it needs
 * from each of its dependencies (DT_VERNEED) and the versions it defines (DT_VERDEF). ld.so follows
 * {@code vn_next}, {@code vna_next} and {@code vd_next} until they are 0, whatever DT_VERNEEDNUM and
 * DT_VERDEFNUM say, so the model does too. A chain that loops would keep ld.so going for ever; the
 * model reads at most {@link #MAX_ENTRIES} entries in all and gives up on a longer table.
 *
 * @param needVersion {@code vn_version} of the first Verneed entry, the only one ld.so checks
 *                    (it must be 1); 1 when there is no DT_VERNEED
 * @param needs       what the object requires, in table order
 * @param defines     whether it has DT_VERDEF at all (a required version in an object without it
 *                    is "no version information available")
 * @param definitions what it defines, in table order, the base version included
 */
public record VersionTables(int needVersion, List<Need> needs, boolean defines, List<Definition> definitions) {
    /** Entries (Verneed, Vernaux and Verdef together) beyond this are not read: no real object comes near it. */
    static final int MAX_ENTRIES = 1 << 16;
    private static final int VER_FLG_BASE = 0x1;

    public static final VersionTables NONE = new VersionTables(1, List.of(), false, List.of());

    /** One Verneed entry: a file and the versions of it that are needed. */
    public record Need(String file, List<Needed> versions) {}

    /**
     * One Vernaux entry.
     *
     * @param other {@code vna_other}: the version index the object's symbols use for it
     */
    public record Needed(String name, long hash, int flags, int other) {
        public boolean weak() {
            return (flags & 0x2) != 0; // VER_FLG_WEAK
        }
    }

    /** One Verdef entry with the name of its first Verdaux. */
    public record Definition(int version, int flags, int index, long hash, String name) {
        public boolean base() {
            return (flags & VER_FLG_BASE) != 0;
        }
    }

    /**
     * Reads the tables an object's dynamic table points at.
     *
     * @param fileOffset maps an address of the object to its file offset (-1 where no PT_LOAD's
     *                   file-backed part holds it)
     * @throws ElfFormatException where ld.so would read outside what the file maps
     */
    static VersionTables read(ElfFile elf, DynamicTable dynamic, LongUnaryOperator fileOffset) {
        OptionalLong verneed = dynamic.value(DynamicTag.DT_VERNEED);
        OptionalLong verdef = dynamic.value(DynamicTag.DT_VERDEF);
        if (verneed.isEmpty() && verdef.isEmpty()) {
            return NONE;
        }
        ElfInput in = elf.input();
        int[] budget = {MAX_ENTRIES};
        int needVersion = 1;
        List<Need> needs = new ArrayList<>();
        if (verneed.isPresent()) {
            long at = at(fileOffset, verneed.getAsLong(), "DT_VERNEED");
            var vn = RawLayouts.VERNEED;
            var vna = RawLayouts.VERNAUX;
            needVersion = (int) in.field(at, vn.vn_version);
            while (true) {
                spend(budget, "DT_VERNEED");
                String file = dynamic.string(in.field(at, vn.vn_file));
                List<Needed> versions = new ArrayList<>();
                long aux = at + in.field(at, vn.vn_aux);
                while (true) {
                    spend(budget, "DT_VERNEED");
                    versions.add(new Needed(dynamic.string(in.field(aux, vna.vna_name)), in.field(aux, vna.vna_hash),
                            (int) in.field(aux, vna.vna_flags), (int) in.field(aux, vna.vna_other)));
                    long next = in.field(aux, vna.vna_next);
                    if (next == 0) {
                        break;
                    }
                    aux += next;
                }
                needs.add(new Need(file, List.copyOf(versions)));
                long next = in.field(at, vn.vn_next);
                if (next == 0) {
                    break;
                }
                at += next;
            }
        }
        List<Definition> definitions = new ArrayList<>();
        if (verdef.isPresent()) {
            long at = at(fileOffset, verdef.getAsLong(), "DT_VERDEF");
            var vd = RawLayouts.VERDEF;
            var vda = RawLayouts.VERDAUX;
            while (true) {
                spend(budget, "DT_VERDEF");
                long aux = at + in.field(at, vd.vd_aux);
                definitions.add(new Definition((int) in.field(at, vd.vd_version), (int) in.field(at, vd.vd_flags),
                        (int) in.field(at, vd.vd_ndx), in.field(at, vd.vd_hash),
                        dynamic.string(in.field(aux, vda.vda_name))));
                long next = in.field(at, vd.vd_next);
                if (next == 0) {
                    break;
                }
                at += next;
            }
        }
        return new VersionTables(needVersion, List.copyOf(needs), verdef.isPresent(), List.copyOf(definitions));
    }

    /** A chain longer than {@link #MAX_ENTRIES} entries: one that loops, where ld.so would never finish. */
    static final class EndlessChain extends RuntimeException {
        EndlessChain(String message) {
            super(message, null, false, false);
        }
    }

    private static void spend(int[] budget, String table) {
        if (--budget[0] < 0) {
            throw new EndlessChain("its " + table + " chain does not end within " + MAX_ENTRIES
                    + " entries (ld.so would follow it for ever)");
        }
    }

    private static long at(LongUnaryOperator fileOffset, long address, String what) {
        long offset = fileOffset.applyAsLong(address);
        if (offset < 0) {
            throw new ElfFormatException(ElfFormatException.Kind.OUT_OF_BOUNDS,
                    what + " at 0x" + Long.toHexString(address) + " is in no PT_LOAD's file-backed part", -1);
        }
        return offset;
    }

    /** The definition of a version, as match_symbol looks for it: same hash, then same name. */
    public Optional<Definition> defines(String name, long hash) {
        for (Definition d : definitions) {
            if (d.hash() == hash && d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
