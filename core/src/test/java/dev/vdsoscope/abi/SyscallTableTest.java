package dev.vdsoscope.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The system-call tables are the kernel's (scripts/syscall-tables wrote them from Linux 6.12's
 * syscall*.tbl files): well-known numbers, every table whole, and every call the hand-written tables
 * they replaced had, at the same number.
 */
class SyscallTableTest {
    @ParameterizedTest
    @CsvSource({
            "X86_64, read, 0", "X86_64, getpid, 39", "X86_64, futex, 202", "X86_64, clock_gettime, 228",
            "X32, read, 0x40000000", "X32, rt_sigreturn, 0x40000201",
            "I386, getpid, 20", "I386, clock_gettime, 265",
            "S390, restart_syscall, 7", "S390, gettimeofday, 78", "S390, clock_gettime, 260",
            "S390, clock_getres, 261",
            "GENERIC, clock_gettime, 113", "MIPS_O32, exit, 4001"})
    void wellKnownCallsHaveTheirNumbers(SyscallTable table, String name, String number) {
        assertThat(table.number(name)).as(table + " " + name).hasValue(Long.decode(number));
        assertThat(table.name(Long.decode(number))).as(table + " " + number).contains(name);
    }

    @ParameterizedTest
    @EnumSource(SyscallTable.class)
    void everyTableIsWholeAndSaysWhereItCameFrom(SyscallTable table) throws IOException {
        assertThat(table.size()).as(table.resource()).isGreaterThan(300);
        List<String> header = resourceText(table).lines().takeWhile(l -> l.startsWith("#")).toList();
        assertThat(header).as(table.resource())
                .anyMatch(l -> l.startsWith("# Kernel: Linux 6.12.118, from Debian package linux-source-6.12, version "
                        + "6.12.118-1~deb12u1"))
                .anyMatch(l -> l.matches("# File: (arch/[\\w/]+|scripts)/syscall\\w*\\.tbl \\(sha256 [0-9a-f]{64}; .*"))
                .anyMatch(l -> l.startsWith("# Rows kept: abi "));
    }

    /** Each ABI's rows only: x86-64 has no x32 calls, EABI no oabi ones, arm64 no arc ones. */
    @Test
    void otherAbisRowsAreLeftOut() {
        assertThat(SyscallTable.X86_64.name(512)).isEmpty();
        assertThat(SyscallTable.X32.number("rt_sigreturn")).hasValue(0x40000000L + 513);
        assertThat(SyscallTable.ARM.number("time")).isEmpty();
        assertThat(SyscallTable.GENERIC.name(244)).isEmpty();
        assertThat(SyscallTable.GENERIC.number("riscv_hwprobe")).hasValue(258);
        assertThat(SyscallTable.PPC.number("spu_run")).hasValue(278);
        assertThat(SyscallTable.PPC.number("fstatat64")).as("291 is ppc64's newfstatat").isEmpty();
        assertThat(SyscallTable.S390.number("getuid")).as("s390x's, not 31-bit s390's 16-bit one").hasValue(199);
        assertThat(SyscallTable.SPARC64.number("time")).isEmpty();
        assertThat(SyscallTable.SPARC32.number("time")).hasValue(231);
    }

    @Test
    void x32NumbersWithoutTheX32BitAreX86_64s() {
        assertThat(SyscallTable.X32.name(60)).contains("exit");
        assertThat(SyscallTable.X32.name(15)).contains("rt_sigreturn");
        assertThat(SyscallTable.X32.name(0x40000000L + 15)).isEmpty();
        assertThat(SyscallTable.X32.number("exit")).hasValue(0x40000000L + 60);
    }

    @Test
    void numbersAndNamesNoTableHas() {
        assertThat(SyscallTable.X86_64.name(-1)).isEmpty();
        assertThat(SyscallTable.X86_64.name(1L << 40)).isEmpty();
        assertThat(SyscallTable.X86_64.number("no_such_call")).isEmpty();
    }

    @Test
    void aMissingTableIsNamedWhenFirstUsed() {
        assertThatThrownBy(() -> SyscallTable.Calls.read("/dev/vdsoscope/abi/syscalls/none.tbl"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/dev/vdsoscope/abi/syscalls/none.tbl is missing from the classpath");
    }

    /**
     * The hand-written tables the kernel's replaced (SyscallTable.java before this change), whole:
     * each of their calls has the same number in the kernel's table.
     */
    private static final String HAND_WRITTEN = """
            X86_64: 0 read, 1 write, 15 rt_sigreturn, 39 getpid, 60 exit, 96 gettimeofday, 201 time, 228 clock_gettime, \
            229 clock_getres, 231 exit_group, 309 getcpu, 318 getrandom
            X32: 0x40000000 read, 0x40000001 write, 0x4000003c exit, 0x40000060 gettimeofday, 0x400000c9 time, \
            0x400000e4 clock_gettime, 0x400000e5 clock_getres, 0x40000135 getcpu, 0x4000013e getrandom, \
            0x40000201 rt_sigreturn
            I386: 1 exit, 3 read, 4 write, 13 time, 20 getpid, 78 gettimeofday, 119 sigreturn, 173 rt_sigreturn, \
            265 clock_gettime, 266 clock_getres, 318 getcpu, 355 getrandom, 403 clock_gettime64, 406 clock_getres_time64
            ARM: 1 exit, 3 read, 4 write, 78 gettimeofday, 119 sigreturn, 173 rt_sigreturn, 263 clock_gettime, \
            264 clock_getres, 345 getcpu, 384 getrandom, 403 clock_gettime64, 406 clock_getres_time64
            GENERIC: 63 read, 64 write, 93 exit, 113 clock_gettime, 114 clock_getres, 139 rt_sigreturn, 168 getcpu, \
            169 gettimeofday, 278 getrandom, 403 clock_gettime64, 406 clock_getres_time64
            PPC: 1 exit, 3 read, 4 write, 13 time, 78 gettimeofday, 119 sigreturn, 172 rt_sigreturn, 246 clock_gettime, \
            247 clock_getres, 302 getcpu, 359 getrandom, 403 clock_gettime64, 406 clock_getres_time64
            S390: 1 exit, 3 read, 4 write, 78 gettimeofday, 119 sigreturn, 173 rt_sigreturn, 260 clock_gettime, \
            261 clock_getres, 311 getcpu, 349 getrandom
            MIPS_O32: 4001 exit, 4003 read, 4004 write, 4078 gettimeofday, 4119 sigreturn, 4193 rt_sigreturn, \
            4263 clock_gettime, 4264 clock_getres, 4312 getcpu, 4353 getrandom, 4403 clock_gettime64, \
            4406 clock_getres_time64
            MIPS_N64: 5000 read, 5001 write, 5058 exit, 5094 gettimeofday, 5211 rt_sigreturn, 5222 clock_gettime, \
            5223 clock_getres, 5271 getcpu, 5313 getrandom
            MIPS_N32: 6000 read, 6001 write, 6058 exit, 6094 gettimeofday, 6211 rt_sigreturn, 6226 clock_gettime, \
            6227 clock_getres, 6275 getcpu, 6317 getrandom, 6403 clock_gettime64, 6406 clock_getres_time64
            SPARC64: 1 exit, 3 read, 4 write, 101 rt_sigreturn, 116 gettimeofday, 188 exit_group, 257 clock_gettime, \
            258 clock_getres, 308 getcpu, 347 getrandom
            SPARC32: 1 exit, 3 read, 4 write, 101 rt_sigreturn, 116 gettimeofday, 188 exit_group, 216 sigreturn, \
            231 time, 257 clock_gettime, 258 clock_getres, 308 getcpu, 347 getrandom, 403 clock_gettime64, \
            406 clock_getres_time64
            """;

    @Test
    void everyCallOfTheHandWrittenTablesHasItsNumber() {
        int calls = 0;
        for (String line : HAND_WRITTEN.lines().toList()) {
            SyscallTable table = SyscallTable.valueOf(line.substring(0, line.indexOf(':')));
            for (String call : line.substring(line.indexOf(':') + 1).split(",")) {
                String[] numberAndName = call.strip().split(" ");
                long number = Long.decode(numberAndName[0]);
                String name = numberAndName[1];
                assertThat(table.name(number)).as(table + " " + call).contains(name);
                assertThat(table.number(name)).as(table + " " + call).hasValue(number);
                calls++;
            }
        }
        assertThat(calls).as("the hand-written tables' calls").isEqualTo(138);
    }

    private static String resourceText(SyscallTable table) throws IOException {
        try (InputStream in = SyscallTable.class.getResourceAsStream(table.resource())) {
            assertThat(in).as(table.resource()).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
