package dev.vdsoscope.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.vdsoscope.abi.LinuxAbi;

/**
 * Everything the model found for one file.
 *
 * @param verification what ld.so --verify makes of the file
 * @param listing the objects in the order ldd prints them (the target itself left out); when ld.so
 *                stops, the objects loaded until then
 * @param abi     empty for a machine the model does not know
 * @param musl    whether musl's rules were used (the interpreter is ld-musl-*)
 * @param searchList ld.so's search list (l_searchlist): the program, then the objects found, breadth
 *                first; empty unless every library was loaded
 * @param reason  why ld.so does not treat the file as a dynamic program, for REFUSED, NOT_ELF and NO_LOADER
 * @param failure where ld.so stops loading the libraries, if it does
 * @param crash   where ld.so itself dies, if it does: mapping the program (CRASHES) or one of
 *                its libraries (the listing then holds what was loaded before)
 * @param hwcaps  the capability subdirectories and platform the search used, once it needed them
 * @param versions what ld.so's version check found, once everything was loaded
 */
public record LoadResult(String file, Verification verification, Optional<LinuxAbi> abi, boolean musl, LoadedLibrary main,
        List<LoadedLibrary> listing, List<LoadedLibrary> searchList, List<String> warnings, Optional<String> reason, Optional<LoadFailure> failure,
        Optional<LdSoCrash> crash, Optional<Hwcaps> hwcaps, Versions versions) {

    /** The version check: the problems ld.so reports (and, in trace mode, goes on after). */
    public record Versions(List<VersionProblem> problems) {
        public static final Versions NONE = new Versions(List.of());
    }

    /**
     * The versions each object needs and where they are found, as ldd -v lists them (worked out
     * when asked: only -v and --json show them); empty unless every library was loaded.
     */
    public List<VersionRequirement> versionRequirements() {
        if (verification != Verification.DYNAMIC || musl || searchList.isEmpty() || failure.isPresent()) {
            return List.of();
        }
        List<LoadedLibrary> chain = new ArrayList<>(listing.size() + 1);
        chain.add(main);
        chain.addAll(listing);
        return VersionCheck.requirements(chain, searchList);
    }

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
