/**
 * vdsoscope's library: ELF images from files and memory, the Linux vDSO of this and other processes,
 * ld.so's search without running anything, and the classic tools' views of them. Every native call
 * goes through FFM, so a user grants native access to this module:
 * {@code --enable-native-access=dev.vdsoscope} on the module path.
 */
module dev.vdsoscope {
    // measure times the JDK's own way to this process's CPU time among the Java calls it compares
    // (com.sun.management.OperatingSystemMXBean.getProcessCpuTime).
    requires java.management;
    requires jdk.management;

    // The API is every package but elf.raw. linux belongs to it because its types stand in the other
    // packages' signatures (loader.cpu's CPUID registers, the compat probe an ImageTarget runs, the
    // child process of ld.so's diagnostics). elf.raw, the on-disk structures with their C widths, is
    // how elf reads: users get elf's views (ElfHeader, Section, SymbolTable...) instead.
    exports dev.vdsoscope.abi;
    exports dev.vdsoscope.btf;
    exports dev.vdsoscope.compat;
    exports dev.vdsoscope.disasm;
    exports dev.vdsoscope.elf;
    exports dev.vdsoscope.linux;
    exports dev.vdsoscope.loader;
    exports dev.vdsoscope.loader.cpu;
    exports dev.vdsoscope.measure;
    exports dev.vdsoscope.proc;
    exports dev.vdsoscope.vdso;

    provides java.security.Provider with dev.vdsoscope.vdso.VdsoRandomProvider;
}
