package dev.vdsoscope.cli;

import java.util.ArrayList;
import java.util.List;

import dev.vdsoscope.linux.PageProbe.PageState;
import dev.vdsoscope.vdso.Vvar;
import dev.vdsoscope.vdso.VvarSnapshot;
import dev.vdsoscope.vdso.VvarSnapshot.ClockBase;

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
            s = Vvar.open().snapshot();
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

    /** What a populated page holds now, by its role. */
    private static String now(VvarSnapshot s, VvarSnapshot.Page p) {
        String role = p.role();
        if (role.startsWith("time data")) {
            List<String> bases = new ArrayList<>();
            for (ClockBase b : s.time().bases()) {
                bases.add(b.name() + " " + b.clockModeName());
            }
            return String.join(", ", bases) + "; seq " + s.time().hresCoarse().seq();
        }
        if (role.startsWith("this time namespace")) {
            return s.namespace().map(n -> String.join(", ", n.offsets().stream()
                    .map(t -> t.clock() + " +" + t.sec() + " s").toList())).orElse("");
        }
        if (role.startsWith("getrandom")) {
            return s.rng().map(r -> "generation " + Long.toUnsignedString(r.generation()) + (r.ready() ? ", ready" : ", not ready"))
                    .orElse("");
        }
        if (role.startsWith("KVM pvclock")) {
            return s.pvclock().map(v -> v.stable() ? "PVCLOCK_TSC_STABLE_BIT set: the vDSO may use it"
                    : "no PVCLOCK_TSC_STABLE_BIT: in VDSO_CLOCKMODE_PVCLOCK the vDSO would make the system call").orElse("");
        }
        if (role.startsWith("Hyper-V")) {
            return s.hvTsc().map(h -> h.sequence() == 0 ? "tsc_sequence 0: the vDSO would make the system call"
                    : "tsc_sequence " + Long.toUnsignedString(h.sequence())).orElse("");
        }
        return "data";
    }
}
