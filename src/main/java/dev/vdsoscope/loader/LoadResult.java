package dev.vdsoscope.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything the model found for one file.
 *
 * @param listing the objects in the order ldd prints them (the target itself left out)
 * @param abi     empty for a machine the model does not know
 * @param musl    whether musl's rules were used (the interpreter is ld-musl-*)
 */
public record LoadResult(String file, Linkage linkage, Optional<TargetAbi> abi, boolean musl, LoadedLibrary main,
        List<LoadedLibrary> listing, List<String> warnings) {

    /** The libraries that were not found, in listing order. */
    public List<LoadedLibrary> missing() {
        List<LoadedLibrary> missing = new ArrayList<>();
        for (LoadedLibrary library : listing) {
            if (library.kind() == LoadedLibrary.Kind.NOT_FOUND) {
                missing.add(library);
            }
        }
        return List.copyOf(missing);
    }
}
