package dev.vdsoscope.abi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.vdsoscope.elf.ElfClass;
import dev.vdsoscope.elf.ElfData;
import dev.vdsoscope.elf.ElfType;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.elf.ProgramHeader;
import dev.vdsoscope.elf.SegmentType;

/**
 * The program of vdsoscope's compat probe: a static i386 ELF executable whose bytes are written
 * here, for a 32-bit process on an x86-64 kernel (linux-gate.so.1, AT_SYSINFO, __kernel_vsyscall
 * live). It writes one byte when it runs; then for each request of three little-endian 32-bit words
 * on its standard input (loop, count, address) it runs that loop {@code count} times and answers one
 * byte; at end of file on its input it exits. The process side is {@code linux.CompatProbe}.
 */
public final class CompatProbeProgram {
    /** What one iteration of a timed loop does. */
    public enum Loop {
        /** Nothing but the loop: the overhead. */
        EMPTY,
        /** getpid through {@code int $0x80}. */
        INT80_GETPID,
        /** getpid through {@code call *AT_SYSINFO}: {@code __kernel_vsyscall}, sysenter or syscall as patched. */
        VSYSCALL_GETPID,
        /** {@code clock_gettime(CLOCK_MONOTONIC)} through the vDSO function at the address given. */
        VDSO_CLOCK_GETTIME,
        /** {@code clock_gettime(CLOCK_MONOTONIC)} through {@code int $0x80}. */
        INT80_CLOCK_GETTIME
    }

    /** Why a kernel of the 64-bit ABI may run none of these programs, for the one line saying so. */
    public static final String NOT_RUN_REASON = "no IA32 emulation: CONFIG_IA32_EMULATION is off, or"
            + " ia32_emulation=0 is on its command line";
    /** The ABI whose processes the program runs as. */
    public static final LinuxAbi ABI = LinuxAbi.I386;
    private static final long BASE = 0x0804_8000L;
    private static final int HEADER_SIZE = 52, PROGRAM_HEADER_SIZE = 32, PROGRAM_HEADERS = 2;
    private static final int CLOCK_MONOTONIC = 1;

    private CompatProbeProgram() {}

    /** The program, for i386 ({@code machine} other than EM_386 only to test a kernel that refuses it). */
    public static byte[] image() {
        return image(Machine.EM_386.value());
    }

    /** The program: an ELF header, PT_LOAD (read, execute) and PT_GNU_STACK (no executable stack), code. */
    public static byte[] image(long machine) {
        byte[] code = code();
        int codeOffset = HEADER_SIZE + PROGRAM_HEADERS * PROGRAM_HEADER_SIZE;
        int size = codeOffset + code.length;
        ByteBuffer elf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        elf.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) ElfClass.ELFCLASS32.value(),
                (byte) ElfData.ELFDATA2LSB.value(), 1 /* EV_CURRENT */, 0 /* ELFOSABI_SYSV */});
        elf.position(16);
        elf.putShort((short) ElfType.ET_EXEC.value()).putShort((short) machine).putInt(1 /* EV_CURRENT */);
        elf.putInt((int) (BASE + codeOffset)).putInt(HEADER_SIZE).putInt(0 /* no section headers */).putInt(0);
        elf.putShort((short) HEADER_SIZE).putShort((short) PROGRAM_HEADER_SIZE).putShort((short) PROGRAM_HEADERS);
        elf.putShort((short) 40).putShort((short) 0).putShort((short) 0);
        elf.putInt((int) SegmentType.PT_LOAD.value()).putInt(0).putInt((int) BASE).putInt((int) BASE);
        elf.putInt(size).putInt(size).putInt(ProgramHeader.PF_R | ProgramHeader.PF_X).putInt(0x1000);
        elf.putInt((int) SegmentType.PT_GNU_STACK.value()).putInt(0).putInt(0).putInt(0);
        elf.putInt(0).putInt(0).putInt(ProgramHeader.PF_R | ProgramHeader.PF_W).putInt(16);
        elf.put(code);
        return elf.array();
    }

    /**
     * The i386 code: 32 bytes of stack as the buffer (request at 0, the call's address at 8, a
     * timespec at 16); %esi counts a loop down, which every call here preserves.
     */
    private static byte[] code() {
        int read = number("read"), write = number("write"), exit = number("exit"), getpid = number("getpid");
        int clockGettime = number("clock_gettime");
        Code c = new Code();
        c.bytes(0x83, 0xec, 0x20); // sub $32, %esp
        writeOneByte(c, write); // ready
        c.label("top");
        c.movEax(read).bytes(0x31, 0xdb, 0x89, 0xe1); // xor %ebx, %ebx; mov %esp, %ecx
        c.bytes(0xba).int32(12).bytes(0xcd, 0x80); // mov $12, %edx; int $0x80
        c.bytes(0x83, 0xf8, 0x0c).jump(0x0f, 0x85, "exit"); // cmp $12, %eax; jne exit
        c.bytes(0x8b, 0x74, 0x24, 0x04, 0x8b, 0x04, 0x24); // mov 4(%esp), %esi; mov (%esp), %eax
        for (Loop loop : Loop.values()) {
            if (loop != Loop.EMPTY) {
                c.bytes(0x83, 0xf8, loop.ordinal()).jump(0x0f, 0x84, loop.name()); // cmp $n, %eax; je loop
            }
        }
        for (Loop loop : Loop.values()) {
            c.label(loop.name());
            switch (loop) {
                case EMPTY -> { }
                case INT80_GETPID -> c.movEax(getpid).bytes(0xcd, 0x80);
                case VSYSCALL_GETPID -> c.movEax(getpid).bytes(0xff, 0x54, 0x24, 0x08); // call *8(%esp)
                case VDSO_CLOCK_GETTIME -> c.bytes(0x8d, 0x44, 0x24, 0x10, 0x50, 0x6a, CLOCK_MONOTONIC) // push &ts, $1
                        .bytes(0xff, 0x54, 0x24, 0x10, 0x83, 0xc4, 0x08); // call *16(%esp); add $8, %esp
                case INT80_CLOCK_GETTIME -> c.movEax(clockGettime).bytes(0xbb).int32(CLOCK_MONOTONIC)
                        .bytes(0x8d, 0x4c, 0x24, 0x10, 0xcd, 0x80); // lea 16(%esp), %ecx; int $0x80
            }
            c.bytes(0x4e).jump(0x0f, 0x85, loop.name()).jump(0xe9, -1, "answer"); // dec %esi; jnz; jmp answer
        }
        c.label("answer");
        writeOneByte(c, write);
        c.jump(0xe9, -1, "top");
        c.label("exit");
        c.movEax(exit).bytes(0x31, 0xdb, 0xcd, 0x80); // exit(0)
        return c.done();
    }

    private static void writeOneByte(Code c, int write) {
        c.movEax(write).bytes(0xbb).int32(1).bytes(0x89, 0xe1, 0xba).int32(1).bytes(0xcd, 0x80);
    }

    private static int number(String name) {
        return (int) ABI.syscalls().number(name).orElseThrow(() -> new AssertionError("i386 has no " + name));
    }

    /** Bytes with labels and 32-bit relative jumps resolved at the end. */
    private static final class Code {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Map<String, Integer> labels = new HashMap<>();
        private record Fixup(int at, String target) {}

        private final List<Fixup> fixups = new ArrayList<>();

        Code bytes(int... values) {
            for (int v : values) {
                out.write(v);
            }
            return this;
        }

        Code int32(int value) {
            return bytes(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24);
        }

        Code movEax(int value) {
            return bytes(0xb8).int32(value);
        }

        void label(String name) {
            labels.put(name, out.size());
        }

        /** A jump with a 32-bit displacement: one opcode byte, or two ({@code second} -1 for none). */
        Code jump(int first, int second, String target) {
            bytes(first);
            if (second >= 0) {
                bytes(second);
            }
            fixups.add(new Fixup(out.size(), target));
            return int32(0);
        }

        byte[] done() {
            byte[] code = out.toByteArray();
            ByteBuffer patch = ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN);
            for (Fixup f : fixups) {
                Integer target = labels.get(f.target());
                if (target == null) {
                    throw new AssertionError("no label " + f.target());
                }
                patch.putInt(f.at(), target - (f.at() + 4));
            }
            return code;
        }
    }
}
