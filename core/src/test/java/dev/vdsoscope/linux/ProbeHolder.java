package dev.vdsoscope.linux;

/**
 * Starts an {@link CompatProbe}, prints its pid and waits: the process a test kills with SIGKILL to see
 * the probe end with it.
 */
public final class ProbeHolder {
    private ProbeHolder() {}

    public static void main(String[] args) throws Exception {
        CompatProbe probe = CompatProbe.start();
        System.out.println(probe.pid());
        System.out.flush();
        Thread.sleep(60_000);
        probe.close();
    }
}
