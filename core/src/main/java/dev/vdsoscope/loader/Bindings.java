package dev.vdsoscope.loader;

import java.util.List;
import java.util.Optional;

/**
 * What binding a traced program's relocations found (ldd -r / -d), in the order ld.so says it.
 *
 * @param mode      which relocations were processed; empty when none were (plain ldd, or a file
 *                  ld.so does not get as far as relocating)
 * @param problems  ld.so's complaints, in its order
 * @param stop      where ld.so stops while relocating (an unexpected relocation type, one of its
 *                  assertions), printed after the complaints before it
 * @param lookups   symbol lookups done (for the figures)
 * @param notes     where the model cannot follow ld.so (an ABI whose relocation is not modelled, a
 *                  table outside its file); empty when it followed every step
 */
public record Bindings(Optional<BindMode> mode, List<BindingProblem> problems, Optional<LoadFailure> stop, long lookups,
        List<String> notes) {
    public static final Bindings NONE = new Bindings(Optional.empty(), List.of(), Optional.empty(), 0, List.of());

    /** Strong references no object defines. */
    public long undefined() {
        return problems.stream().filter(BindingProblem::fatal).count();
    }
}
