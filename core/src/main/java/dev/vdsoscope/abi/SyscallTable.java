package dev.vdsoscope.abi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The system-call numbers and names of each Linux ABI: the kernel's own tables (its syscall*.tbl
 * files), written by {@code scripts/syscall-tables} into the resources
 * {@code dev/vdsoscope/abi/syscalls/NAME.tbl}, one {@code NUMBER NAME} line a call. Each file's
 * header names the kernel version, the package it came from, the file in the kernel's tree and the
 * abi columns kept. A table is read on its first use.
 */
public enum SyscallTable {
    /** arch/x86/entry/syscalls/syscall_64.tbl, its common and 64 rows. */
    X86_64("x86_64"),
    /**
     * syscall_64.tbl's common and x32 rows, numbers with __X32_SYSCALL_BIT (0x40000000) added;
     * rt_sigreturn has an x32-only number. The x32 vDSO is the x86-64 code converted to ELFCLASS32,
     * so its fallbacks use plain x86-64 numbers: {@link #name} looks a number without the bit up in
     * {@link #X86_64}.
     */
    X32("x32"),
    /** arch/x86/entry/syscalls/syscall_32.tbl. */
    I386("i386"),
    /** arch/arm/tools/syscall.tbl without its oabi rows (EABI): also the compat vDSO of arm64 kernels. */
    ARM("arm"),
    /**
     * scripts/syscall.tbl: arm64, RISC-V, LoongArch. The 64-bit set (with the calls arm64 and riscv
     * add) and the 32-bit-only numbers, the *_time64 calls, which exist on 32-bit only.
     */
    GENERIC("generic"),
    /** arch/powerpc/kernel/syscalls/syscall.tbl: ppc64 and ppc32 share it; the 64-bit set first. */
    PPC("ppc"),
    /** arch/s390/kernel/syscalls/syscall.tbl: s390x and 31-bit s390; the 64-bit set first. */
    S390("s390"),
    /** arch/mips/kernel/syscalls/syscall_o32.tbl, numbers from 4000. */
    MIPS_O32("mips-o32"),
    /** syscall_n64.tbl, numbers from 5000. */
    MIPS_N64("mips-n64"),
    /** syscall_n32.tbl, numbers from 6000. */
    MIPS_N32("mips-n32"),
    /** SPARC's one table, its "64" and "common" rows (time(2) is 32-bit only). */
    SPARC64("sparc64"),
    /** SPARC's one table, its "32" and "common" rows. */
    SPARC32("sparc32");

    private static final String RESOURCES = "/dev/vdsoscope/abi/syscalls/";
    private static final long X32_SYSCALL_BIT = 0x40000000L;
    private static final Object LOADING = new Object();

    private final String resource;
    private volatile Calls calls;

    SyscallTable(String file) {
        this.resource = RESOURCES + file + ".tbl";
    }

    /** The classpath resource this table is read from. */
    public String resource() {
        return resource;
    }

    /** The number of a call by name, if this ABI has it (arm64 has no time(2), for instance). */
    public OptionalLong number(String name) {
        Integer number = calls().numbers.get(name);
        return number == null ? OptionalLong.empty() : OptionalLong.of(number);
    }

    public Optional<String> name(long number) {
        if (this == X32 && (number & X32_SYSCALL_BIT) == 0) {
            return X86_64.name(number);
        }
        return number < Integer.MIN_VALUE || number > Integer.MAX_VALUE ? Optional.empty()
                : Optional.ofNullable(calls().names.get((int) number));
    }

    /** How many calls the table names. */
    public int size() {
        return calls().names.size();
    }

    private Calls calls() {
        Calls loaded = calls;
        if (loaded == null) {
            synchronized (LOADING) {
                loaded = calls;
                if (loaded == null) {
                    loaded = Calls.read(resource);
                    calls = loaded;
                }
            }
        }
        return loaded;
    }

    /** One table both ways: a number's name and a name's number (names are unique in a table). */
    record Calls(Map<Integer, String> names, Map<String, Integer> numbers) {
        static Calls read(String resource) {
            String text;
            try (InputStream in = SyscallTable.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the system-call table " + resource + " is missing from the"
                            + " classpath (scripts/syscall-tables writes it into core/src/main/resources)");
                }
                text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("reading the system-call table " + resource, e);
            }
            Map<Integer, String> names = new HashMap<>();
            Map<String, Integer> numbers = new HashMap<>();
            int lineNumber = 0;
            for (String line : text.split("\n")) {
                lineNumber++;
                if (line.isEmpty() || line.charAt(0) == '#') {
                    continue;
                }
                int space = line.indexOf(' ');
                String name = space < 0 ? "" : line.substring(space + 1);
                Integer number = space < 0 ? null : parse(line.substring(0, space));
                if (number == null || name.isEmpty() || name.indexOf(' ') >= 0) {
                    throw new IllegalStateException(resource + ":" + lineNumber + ": not NUMBER NAME: " + line);
                }
                if (names.putIfAbsent(number, name) != null || numbers.putIfAbsent(name, number) != null) {
                    throw new IllegalStateException(resource + ":" + lineNumber + ": " + number + " or " + name
                            + " is named twice");
                }
            }
            if (names.isEmpty()) {
                throw new IllegalStateException("the system-call table " + resource + " names no call");
            }
            return new Calls(Map.copyOf(names), Map.copyOf(numbers));
        }

        private static Integer parse(String digits) {
            try {
                return Integer.valueOf(digits);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
