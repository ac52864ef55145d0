package dev.vdsoscope.measure;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import dev.vdsoscope.vdso.VdsoRandom;
import dev.vdsoscope.vdso.VdsoRandomProvider;

/**
 * The cost of random bytes, by size and path: the vDSO's getrandom ({@link VdsoRandom}), the system
 * call, the vdsoscope SecureRandom provider, and the JDK's NativePRNGNonBlocking and default
 * SecureRandom. One thread, the paths sampled in turn ({@link CallTimer}); then every core at once,
 * each thread calling for the same while, the cost per call per thread.
 */
public final class RandomBench {
    public static final int[] SIZES = {16, 32, 256, 4096};

    /** One path at one size: one thread's figures, and the per-thread cost with every core busy. */
    public record PathResult(String path, String api, Stats oneThread, double allCoresNsPerCall) {}

    /** Every path's figures for requests of {@code bytes} bytes. */
    public record SizeResult(int bytes, List<PathResult> paths) {}

    /**
     * The whole run: whether the vDSO serves getrandom here, how many threads the all-cores figures used,
     * and each size's figures.
     */
    public record Result(boolean servedByVdso, int threads, List<SizeResult> sizes) {}

    private RandomBench() {}

    /** Every size and path, {@code perPath} each on one thread, and as long on all cores. */
    public static Result run(Duration perPath, int samples) throws NoSuchAlgorithmException {
        SecureRandom provider = SecureRandom.getInstance(VdsoRandomProvider.ALGORITHM, new VdsoRandomProvider());
        SecureRandom nativeNonBlocking = SecureRandom.getInstance("NativePRNGNonBlocking");
        SecureRandom jdkDefault = new SecureRandom();
        VdsoRandom.warm();
        int threads = Runtime.getRuntime().availableProcessors();
        List<SizeResult> sizes = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            for (int size : SIZES) {
                Map<String, String> apis = new LinkedHashMap<>();
                // Each path as a factory of its loop over a buffer, so that every thread of the all-cores
                // run writes a buffer of its own (one shared buffer would bounce its cache lines).
                List<java.util.function.Function<MemorySegment, TimedCall.Batch>> loops = new ArrayList<>();
                if (VdsoRandom.servedByVdso()) {
                    apis.put("vdso", "VdsoRandom.getrandom (the vDSO's getrandom)");
                    loops.add(buffer -> calls -> {
                        long sum = 0;
                        for (long i = 0; i < calls; i++) {
                            sum += VdsoRandom.getrandom(buffer, 0);
                        }
                        return sum;
                    });
                }
                apis.put("syscall", "syscall(SYS_getrandom)");
                loops.add(buffer -> calls -> {
                    long sum = 0;
                    for (long i = 0; i < calls; i++) {
                        sum += VdsoRandom.syscall(buffer, size, 0);
                    }
                    return sum;
                });
                apis.put("provider", "SecureRandom Getrandom (vdsoscope)");
                loops.add(buffer -> nextBytes(provider, size));
                apis.put("native-nonblocking", "SecureRandom NativePRNGNonBlocking");
                loops.add(buffer -> nextBytes(nativeNonBlocking, size));
                apis.put("jdk-default", "new SecureRandom() (" + jdkDefault.getAlgorithm() + ")");
                loops.add(buffer -> nextBytes(jdkDefault, size));
                List<TimedCall.Batch> batches = new ArrayList<>();
                for (var loop : loops) {
                    batches.add(loop.apply(arena.allocate(size)));
                }
                List<Timing> timings = new CallTimer(perPath, samples).timeInterleaved(batches);
                List<PathResult> paths = new ArrayList<>();
                int index = 0;
                for (Map.Entry<String, String> api : apis.entrySet()) {
                    var loop = loops.get(index);
                    paths.add(new PathResult(api.getKey(), api.getValue(), timings.get(index).nsPerCall(),
                            allCores(() -> loop.apply(arena.allocate(size)), threads, perPath)));
                    index++;
                }
                sizes.add(new SizeResult(size, List.copyOf(paths)));
            }
        }
        return new Result(VdsoRandom.servedByVdso(), threads, List.copyOf(sizes));
    }

    private static TimedCall.Batch nextBytes(SecureRandom random, int size) {
        return calls -> {
            byte[] bytes = new byte[size];
            long sum = 0;
            for (long i = 0; i < calls; i++) {
                random.nextBytes(bytes);
                sum += bytes[0];
            }
            return sum;
        };
    }

    /** Every thread runs the batch in rounds of 1,000 calls for {@code duration}: ns per call per thread. */
    private static double allCores(java.util.function.Supplier<TimedCall.Batch> batches, int threads,
            Duration duration) {
        AtomicLong calls = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            TimedCall.Batch batch = batches.get();
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long deadline = System.nanoTime() + duration.toNanos();
                long made = 0;
                while (System.nanoTime() < deadline) {
                    batch.run(1000);
                    made += 1000;
                }
                calls.addAndGet(made);
            }));
        }
        long begin = System.nanoTime();
        start.countDown();
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Double.NaN;
            }
        }
        long elapsed = System.nanoTime() - begin;
        return calls.get() == 0 ? Double.NaN : (double) elapsed * threads / calls.get();
    }
}
