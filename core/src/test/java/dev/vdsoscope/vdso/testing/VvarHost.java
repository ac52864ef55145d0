package dev.vdsoscope.vdso.testing;

import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;

import dev.vdsoscope.vdso.Vvar;

/** What the tests of the live vvar pages need of the host, asked once: for their assumptions. */
public final class VvarHost {
    private VvarHost() {}

    /**
     * This process's vvar pages, or the calling test skipped, visibly, with vdsoscope's own one-line
     * reason: a kernel without BTF, or one whose layout it does not know (its BTF lacks the types, or
     * the data does not match them).
     */
    public static Vvar assumeDecodable() {
        assumeTrue(Files.isReadable(Vvar.kernelBtf()), "this kernel has no BTF (" + Vvar.kernelBtf() + ")");
        try {
            return Vvar.open();
        } catch (Vvar.UnavailableException e) {
            return abort("vvar cannot decode this host's kernel: " + e.getMessage());
        }
    }

    /** Skips the calling test where the kernel set VDSO_CLOCKMODE_NONE: the vDSO computes nothing to check. */
    public static void assumeServedInUserSpace(String whyNotChecked) {
        assumeTrue(whyNotChecked == null || !whyNotChecked.contains("VDSO_CLOCKMODE_NONE"),
                "no cross-check here: " + whyNotChecked);
    }
}
