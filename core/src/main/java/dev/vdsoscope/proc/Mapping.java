package dev.vdsoscope.proc;

/**
 * One line of /proc/PID/maps: {@code start-end perms offset major:minor inode path}. {@code path} is
 * empty for anonymous memory and a bracketed name for the kernel's pseudo-mappings.
 */
public record Mapping(long start, long end, String perms, long offset, String device, long inode, String path) {
    public long size() {
        return end - start;
    }

    public boolean readable() {
        return perms.charAt(0) == 'r';
    }

    public boolean executable() {
        return perms.charAt(2) == 'x';
    }

    public boolean contains(long address) {
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }

    /** The kernel pseudo-mapping this line is, if any. */
    public PseudoMapping pseudo() {
        return PseudoMapping.of(path);
    }
}
