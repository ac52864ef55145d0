package dev.vdsoscope.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.vdsoscope.vdso.VdsoRandom;
import dev.vdsoscope.vdso.VdsoRandomProvider;

/**
 * 32 random bytes: the vdsoscope provider's SecureRandom.nextBytes (vDSO getrandom), the JDK's
 * NativePRNGNonBlocking and default SecureRandom, and the getrandom system call, one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GetrandomBenchmark {
    final byte[] bytes = new byte[32];
    final MemorySegment buffer = Arena.ofAuto().allocate(32);
    SecureRandom vdso;
    SecureRandom nativeNonBlocking;
    SecureRandom jdkDefault;

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        vdso = SecureRandom.getInstance(VdsoRandomProvider.ALGORITHM, new VdsoRandomProvider());
        nativeNonBlocking = SecureRandom.getInstance("NativePRNGNonBlocking");
        jdkDefault = new SecureRandom();
    }

    @Benchmark
    public byte[] providerNextBytes() {
        vdso.nextBytes(bytes);
        return bytes;
    }

    @Benchmark
    public byte[] nativePrngNonBlocking() {
        nativeNonBlocking.nextBytes(bytes);
        return bytes;
    }

    @Benchmark
    public byte[] defaultSecureRandom() {
        jdkDefault.nextBytes(bytes);
        return bytes;
    }

    @Benchmark
    public long getrandomSyscall() {
        return VdsoRandom.syscall(buffer, 32, 0);
    }
}
