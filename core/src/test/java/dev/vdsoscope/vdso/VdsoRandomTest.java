package dev.vdsoscope.vdso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.Security;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.abi.VdsoFunction;

/**
 * getrandom through the vDSO and the SecureRandom provider on it: the vDSO's own parameters (asked of
 * the vDSO, checked against the kernel's ABI), output that is the kernel's (right sizes, never
 * repeated), the contract of SecureRandom, and many threads at once, platform and virtual. Where
 * the running kernel's vDSO has no getrandom (before 6.11), the system-call path is what is tested,
 * and the tests say so; the fallback itself is tested with the vDSO's getrandom hidden.
 */
class VdsoRandomTest {
    private static boolean kernelHasIt() {
        return Vdso.find().map(v -> v.lookup(VdsoFunction.GETRANDOM).isPresent()).orElse(false);
    }

    @Test
    void theVdsoIsUsedWhereTheKernelExportsGetrandom() {
        assertThat(VdsoRandom.servedByVdso()).isEqualTo(kernelHasIt());
        VdsoRandom.params().ifPresent(p -> {
            // struct vgetrandom_opaque_params: a state fits a page; read and write; anonymous memory.
            assertThat(p.stateSize()).isBetween(1, 4096);
            assertThat(p.mmapProt()).isEqualTo(0x3);
            assertThat(p.mmapFlags() & 0x20).as("MAP_ANONYMOUS").isEqualTo(0x20);
        });
    }

    @Test
    void bytesFromTheKernelNeverRepeat() {
        try (Arena arena = Arena.ofConfined()) {
            Set<String> seen = new HashSet<>();
            for (int size : new int[] {1, 16, 32, 256, 4096, 1 << 20}) {
                MemorySegment buffer = arena.allocate(size);
                assertThat(VdsoRandom.getrandom(buffer, 0)).as("getrandom of %d bytes", size).isEqualTo(size);
                if (size >= 16) {
                    assertThat(seen.add(java.util.HexFormat.of().formatHex(buffer.asSlice(0, 16)
                            .toArray(ValueLayout.JAVA_BYTE)))).isTrue();
                }
            }
            MemorySegment small = arena.allocate(32);
            assertThat(VdsoRandom.getrandom(small, VdsoRandom.GRND_NONBLOCK)).isEqualTo(32);
            assertThat(VdsoRandom.getrandom(small, VdsoRandom.GRND_INSECURE)).isEqualTo(32);
            assertThat(VdsoRandom.getrandom(small, VdsoRandom.GRND_RANDOM | VdsoRandom.GRND_NONBLOCK)).isEqualTo(32);
            assertThat(VdsoRandom.getrandom(small, 0x80)).as("an unknown flag").isEqualTo(-22);
            assertThat(VdsoRandom.getrandom(small, VdsoRandom.GRND_INSECURE | VdsoRandom.GRND_RANDOM))
                    .as("INSECURE with RANDOM, as the system call says").isEqualTo(VdsoRandom.syscall(small, 32,
                            VdsoRandom.GRND_INSECURE | VdsoRandom.GRND_RANDOM));
        }
    }

    /** A heap segment has no address a native call can write: refused, never written through. */
    @Test
    void aHeapSegmentIsRefused() {
        assertThatThrownBy(() -> VdsoRandom.getrandom(MemorySegment.ofArray(new byte[64]), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VdsoRandom.syscall(MemorySegment.ofArray(new byte[64]), 64, 0))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] large = new byte[3 * VdsoRandom.CRITICAL_CHUNK + 5];
        assertThat(VdsoRandom.fill(large, 0, large.length, 0)).isZero();
        assertThat(java.util.Arrays.copyOfRange(large, large.length - 16, large.length)).isNotEqualTo(new byte[16]);
    }

    @Test
    void theProviderKeepsSecureRandomsContract() throws Exception {
        SecureRandom random = SecureRandom.getInstance(VdsoRandomProvider.ALGORITHM, new VdsoRandomProvider());
        assertThat(random.getAlgorithm()).isEqualTo("Getrandom");
        assertThat(random.getProvider().getService("SecureRandom", "Getrandom").getAttribute("ThreadSafe"))
                .isEqualTo("true");
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        random.nextBytes(a);
        random.setSeed(a); // accepted, adds nothing
        random.reseed();
        random.nextBytes(b);
        assertThat(a).isNotEqualTo(b).isNotEqualTo(new byte[64]);
        assertThat(random.generateSeed(48)).hasSize(48).isNotEqualTo(new byte[48]);
        assertThat(random.generateSeed(0)).isEmpty();
        random.nextBytes(new byte[0]);
        assertThatThrownBy(() -> random.generateSeed(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ServiceLoader.load(java.security.Provider.class).stream().map(p -> p.type().getName()))
                .as("declared for ServiceLoader").contains(VdsoRandomProvider.class.getName());
        Security.addProvider(new VdsoRandomProvider());
        try {
            assertThat(SecureRandom.getInstance("Getrandom", "vdsoscope").getProvider().getName()).isEqualTo("vdsoscope");
        } finally {
            Security.removeProvider("vdsoscope");
        }
    }

    /** 64 platform threads and 10,000 virtual ones at once: every answer full and different. */
    @Test
    void manyThreadsAtOnce() throws Exception {
        SecureRandom random = SecureRandom.getInstance(VdsoRandomProvider.ALGORITHM, new VdsoRandomProvider());
        for (ExecutorService executor : List.of(Executors.newFixedThreadPool(64), Executors.newVirtualThreadPerTaskExecutor())) {
            int tasks = executor.getClass().getSimpleName().contains("ThreadPer") ? 10_000 : 64;
            Set<String> answers = ConcurrentHashMap.newKeySet();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            try (executor) {
                for (int t = 0; t < tasks; t++) {
                    futures.add(executor.submit(() -> {
                        start.await();
                        for (int i = 0; i < 20; i++) {
                            byte[] bytes = new byte[32];
                            random.nextBytes(bytes);
                            answers.add(java.util.HexFormat.of().formatHex(bytes));
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : futures) {
                    f.get();
                }
            }
            assertThat(answers).as("distinct 32-byte answers from %d threads", tasks).hasSize(tasks * 20);
        }
        assertThat(VdsoRandom.statesInUse()).as("every state handed back").isZero();
    }

    /**
     * Proof that the fast path makes no system call: with every state keyed, getrandom on a thread
     * whose getrandom system call a seccomp filter marks still answers; the system call itself gets
     * the marker.
     */
    @Test
    void theFastPathMakesNoSystemCall() throws Exception {
        assumeTrue(VdsoRandom.servedByVdso(), "this kernel's vDSO has no getrandom");
        assumeTrue(dev.vdsoscope.measure.KernelEntryProof.unavailable().isEmpty(), "seccomp cannot be used here");
        dev.vdsoscope.abi.LinuxAbi abi = dev.vdsoscope.abi.LinuxAbi.host().orElseThrow();
        long getrandom = abi.syscalls().number("getrandom").orElseThrow();
        long seccomp = abi.syscalls().number("seccomp").orElseThrow();
        VdsoRandom.warm();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(32);
            // A kernel reseed between warm() and the call makes the vDSO key its state again, once.
            long answer = -1;
            for (int attempt = 0; attempt < 3 && answer != 32; attempt++) {
                VdsoRandom.warm();
                answer = dev.vdsoscope.linux.SeccompMarker.underFilter(abi.auditArch(), getrandom, seccomp,
                        () -> VdsoRandom.getrandom(buffer, 0));
            }
            assertThat(answer).as("through the vDSO").isEqualTo(32);
            assertThat(dev.vdsoscope.linux.SeccompMarker.underFilter(abi.auditArch(), getrandom, seccomp,
                    () -> VdsoRandom.syscall(buffer, 32, 0))).as("the system call").isEqualTo(
                            -dev.vdsoscope.linux.SeccompMarker.MARKER);
        }
    }

    /** Without the vDSO's getrandom (Linux 6.1, or hidden), every call is the system call, which still works. */
    @Test
    void withoutTheVdsoFunctionTheSystemCallServes() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-D" + VdsoRandom.HIDE_PROPERTY
                + "=true", "-cp", System.getProperty("java.class.path"), HiddenGetrandom.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes()).strip();
        assertThat(child.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("served by the vDSO: false; 32 bytes");
    }
}
