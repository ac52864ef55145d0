package dev.vdsoscope.vdso;

import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandomParameters;
import java.security.SecureRandomSpi;
import java.util.Map;

/**
 * A {@link java.security.SecureRandom} provider whose bytes come from the kernel's getrandom(2),
 * through the vDSO where the kernel offers it (Linux 6.11+ on x86-64; {@link VdsoRandom}), else
 * through the system call. Provider {@value #NAME}, algorithm {@value #ALGORITHM}, thread-safe (no
 * lock: each call borrows a vDSO state of its own).
 *
 * <pre>{@code
 * Security.addProvider(new VdsoRandomProvider());      // or list it in java.security, or ServiceLoader
 * SecureRandom random = SecureRandom.getInstance("Getrandom", "vdsoscope");
 * byte[] key = new byte[32];
 * random.nextBytes(key);                               // 32 bytes from the kernel, through the vDSO
 * }</pre>
 *
 * Every byte is the kernel's: there is no user-space generator here. {@code setSeed} is accepted and
 * adds nothing (the kernel's pool takes no seed from an unprivileged process), which cannot weaken it;
 * {@code generateSeed} and {@code nextBytes} read the same source.
 */
public final class VdsoRandomProvider extends Provider {
    public static final String NAME = "vdsoscope";
    public static final String ALGORITHM = "Getrandom";

    public VdsoRandomProvider() {
        super(NAME, "1.0", "getrandom(2) through the Linux vDSO (SecureRandom." + ALGORITHM + ")");
        putService(new Service(this, "SecureRandom", ALGORITHM, Spi.class.getName(), null,
                Map.of("ThreadSafe", "true")));
    }

    /** The SecureRandom engine: stateless, so one instance may serve every thread at once. */
    public static final class Spi extends SecureRandomSpi {
        public Spi() {
            super();
        }

        /** The provider's constructor with parameters: none are supported, as for NativePRNG. */
        public Spi(SecureRandomParameters params) {
            if (params != null) {
                throw new IllegalArgumentException("Getrandom takes no SecureRandomParameters");
            }
        }

        @Override
        protected void engineSetSeed(byte[] seed) {
            // Accepted and ignored: the bytes are the kernel's alone (see the class comment).
        }

        /** The kernel reseeds its generator itself; there is nothing here to reseed. */
        @Override
        protected void engineReseed(java.security.SecureRandomParameters params) {
            if (params != null) {
                throw new UnsupportedOperationException("Getrandom takes no reseed parameters");
            }
        }

        @Override
        protected void engineNextBytes(byte[] bytes) {
            int result = VdsoRandom.fill(bytes, 0, bytes.length, 0);
            if (result < 0) {
                throw new ProviderException("getrandom failed: errno " + -result);
            }
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            if (numBytes < 0) {
                throw new IllegalArgumentException("negative seed length: " + numBytes);
            }
            byte[] seed = new byte[numBytes];
            engineNextBytes(seed);
            return seed;
        }
    }
}
