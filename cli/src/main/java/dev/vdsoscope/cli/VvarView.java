package dev.vdsoscope.cli;

import java.util.ArrayList;
import java.util.List;

import dev.vdsoscope.linux.PageProbe.PageState;
import dev.vdsoscope.vdso.Vvar;
import dev.vdsoscope.vdso.VvarSnapshot;

/**
 * The decoded vvar pages as the report shows them beside its list of kernel mappings: one line per
 * page, saying what the page holds now. Shared by the report's text and JSON.
 */
final class VvarView {
    private VvarView() {}

    /** One page: its mapping and index, its role, whether it holds data, and what it holds now. */
    record PageLine(String mapping, int index, String role, boolean populated, String now) {}

    /** The decoded pages of this process, or why there are none. */
    record Decoded(List<PageLine> pages, String unavailable) {}

    /** This process's vvar pages decoded; never fails: where they cannot be, says why in one line. */
    static Decoded decodeSelf() {
        VvarSnapshot s;
        try {
            s = Vvar.snapshotNow();
        } catch (Vvar.UnavailableException e) {
            return new Decoded(List.of(), e.getMessage());
        }
        List<PageLine> lines = new ArrayList<>();
        for (VvarSnapshot.Page p : s.pages()) {
            lines.add(new PageLine(p.mapping(), p.index(), p.role(), p.state() == PageState.READABLE,
                    p.state() == PageState.READABLE ? now(s, p) : "hole: not populated (reading it would raise SIGBUS)"));
        }
        return new Decoded(List.copyOf(lines), null);
    }

    /** What a populated page holds now, by its roles. */
    private static String now(VvarSnapshot s, VvarSnapshot.Page p) {
        List<String> parts = new ArrayList<>();
        for (VvarSnapshot.PageRole role : p.roles()) {
            switch (role) {
                case TIME_DATA -> parts.add(String.join(", ", s.time().bases().stream()
                        .map(b -> b.name() + " " + b.clockModeName()).toList()) + "; seq " + s.time().hresCoarse().seq());
                case NAMESPACE_OFFSETS -> s.namespace().ifPresent(n -> parts.add(String.join(", ", n.offsets().stream()
                        .map(t -> t.clock() + " +" + t.sec() + " s").toList())));
                case RNG -> s.rng().ifPresent(r -> parts.add("generation " + Long.toUnsignedString(r.generation())
                        + (r.ready() ? ", ready" : ", not ready")));
                case PVCLOCK -> s.pvclock().ifPresent(v -> parts.add(v.stable()
                        ? "PVCLOCK_TSC_STABLE_BIT set: the vDSO may use it"
                        : "no PVCLOCK_TSC_STABLE_BIT: in VDSO_CLOCKMODE_PVCLOCK the vDSO would make the system call"));
                case HVCLOCK -> s.hvTsc().ifPresent(h -> parts.add(h.sequence() == 0
                        ? "tsc_sequence 0: the vDSO would make the system call"
                        : "tsc_sequence " + Long.toUnsignedString(h.sequence())));
                case TIME_NAMESPACE, OTHER -> { }
            }
        }
        return parts.isEmpty() ? "data" : String.join("; ", parts);
    }
}
