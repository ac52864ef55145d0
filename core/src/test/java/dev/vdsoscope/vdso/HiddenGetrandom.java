package dev.vdsoscope.vdso;

/** Run by VdsoRandomTest with the vDSO's getrandom hidden: says which path served, and how much it got. */
public final class HiddenGetrandom {
    private HiddenGetrandom() {}

    public static void main(String[] args) {
        byte[] bytes = new byte[32];
        int result = VdsoRandom.fill(bytes, 0, bytes.length, 0);
        System.out.println("served by the vDSO: " + VdsoRandom.servedByVdso() + "; " + (result == 0 ? "32 bytes"
                : "errno " + -result));
    }
}
