package dev.vdsoscope.loader;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the lookups of one program teach the next ones of a run. What a library's own dependency
 * closure answers of its lookups: keyed by the library's file, the mode (lazy steps or all) and the
 * exact set of files in the closure, so that it is only reused where the answer cannot differ.
 */
final class BindingCache {
    private record Key(int object, boolean lazily, int[] closure, int hash) {
        Key(int object, boolean lazily, int[] closure) {
            this(object, lazily, closure, (Arrays.hashCode(closure) * 31 + object) * 2 + (lazily ? 1 : 0));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.object == object && k.lazily == lazily && Arrays.equals(k.closure, closure);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Map<Key, long[]> answered = new HashMap<>();
    /** The steps of {@code object} that some file of {@code closure} (sorted ids) answers, one bit each. */
    long[] answered(BindingTables object, boolean lazily, int[] closure, Supplier<long[]> compute) {
        return answered.computeIfAbsent(new Key(object.id, lazily, closure), k -> compute.get());
    }
}
