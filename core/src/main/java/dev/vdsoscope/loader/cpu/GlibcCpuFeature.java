package dev.vdsoscope.loader.cpu;

/**
 * The CPU features glibc 2.36 names (sysdeps/x86/include/cpu-features.h: {@code bit_cpu_NAME},
 * {@code index_cpu_NAME}, {@code reg_NAME}), each with the CPUID word and bit it is read from. The
 * constant names are glibc's, which are also the names {@code GLIBC_TUNABLES=glibc.cpu.hwcaps=-NAME}
 * takes. Names such as {@code INDEX_1_ECX_16} are glibc's for bits it reserves.
 */
public enum GlibcCpuFeature {
    // CPUID_INDEX_1 ECX
    SSE3(CpuidIndex.LEAF_1, Register.ECX, 0),
    PCLMULQDQ(CpuidIndex.LEAF_1, Register.ECX, 1),
    DTES64(CpuidIndex.LEAF_1, Register.ECX, 2),
    MONITOR(CpuidIndex.LEAF_1, Register.ECX, 3),
    DS_CPL(CpuidIndex.LEAF_1, Register.ECX, 4),
    VMX(CpuidIndex.LEAF_1, Register.ECX, 5),
    SMX(CpuidIndex.LEAF_1, Register.ECX, 6),
    EIST(CpuidIndex.LEAF_1, Register.ECX, 7),
    TM2(CpuidIndex.LEAF_1, Register.ECX, 8),
    SSSE3(CpuidIndex.LEAF_1, Register.ECX, 9),
    CNXT_ID(CpuidIndex.LEAF_1, Register.ECX, 10),
    SDBG(CpuidIndex.LEAF_1, Register.ECX, 11),
    FMA(CpuidIndex.LEAF_1, Register.ECX, 12),
    CMPXCHG16B(CpuidIndex.LEAF_1, Register.ECX, 13),
    XTPRUPDCTRL(CpuidIndex.LEAF_1, Register.ECX, 14),
    PDCM(CpuidIndex.LEAF_1, Register.ECX, 15),
    INDEX_1_ECX_16(CpuidIndex.LEAF_1, Register.ECX, 16),
    PCID(CpuidIndex.LEAF_1, Register.ECX, 17),
    DCA(CpuidIndex.LEAF_1, Register.ECX, 18),
    SSE4_1(CpuidIndex.LEAF_1, Register.ECX, 19),
    SSE4_2(CpuidIndex.LEAF_1, Register.ECX, 20),
    X2APIC(CpuidIndex.LEAF_1, Register.ECX, 21),
    MOVBE(CpuidIndex.LEAF_1, Register.ECX, 22),
    POPCNT(CpuidIndex.LEAF_1, Register.ECX, 23),
    TSC_DEADLINE(CpuidIndex.LEAF_1, Register.ECX, 24),
    AES(CpuidIndex.LEAF_1, Register.ECX, 25),
    XSAVE(CpuidIndex.LEAF_1, Register.ECX, 26),
    OSXSAVE(CpuidIndex.LEAF_1, Register.ECX, 27),
    AVX(CpuidIndex.LEAF_1, Register.ECX, 28),
    F16C(CpuidIndex.LEAF_1, Register.ECX, 29),
    RDRAND(CpuidIndex.LEAF_1, Register.ECX, 30),
    INDEX_1_ECX_31(CpuidIndex.LEAF_1, Register.ECX, 31),
    // CPUID_INDEX_1 EDX
    FPU(CpuidIndex.LEAF_1, Register.EDX, 0),
    VME(CpuidIndex.LEAF_1, Register.EDX, 1),
    DE(CpuidIndex.LEAF_1, Register.EDX, 2),
    PSE(CpuidIndex.LEAF_1, Register.EDX, 3),
    TSC(CpuidIndex.LEAF_1, Register.EDX, 4),
    MSR(CpuidIndex.LEAF_1, Register.EDX, 5),
    PAE(CpuidIndex.LEAF_1, Register.EDX, 6),
    MCE(CpuidIndex.LEAF_1, Register.EDX, 7),
    CX8(CpuidIndex.LEAF_1, Register.EDX, 8),
    APIC(CpuidIndex.LEAF_1, Register.EDX, 9),
    INDEX_1_EDX_10(CpuidIndex.LEAF_1, Register.EDX, 10),
    SEP(CpuidIndex.LEAF_1, Register.EDX, 11),
    MTRR(CpuidIndex.LEAF_1, Register.EDX, 12),
    PGE(CpuidIndex.LEAF_1, Register.EDX, 13),
    MCA(CpuidIndex.LEAF_1, Register.EDX, 14),
    CMOV(CpuidIndex.LEAF_1, Register.EDX, 15),
    PAT(CpuidIndex.LEAF_1, Register.EDX, 16),
    PSE_36(CpuidIndex.LEAF_1, Register.EDX, 17),
    PSN(CpuidIndex.LEAF_1, Register.EDX, 18),
    CLFSH(CpuidIndex.LEAF_1, Register.EDX, 19),
    INDEX_1_EDX_20(CpuidIndex.LEAF_1, Register.EDX, 20),
    DS(CpuidIndex.LEAF_1, Register.EDX, 21),
    ACPI(CpuidIndex.LEAF_1, Register.EDX, 22),
    MMX(CpuidIndex.LEAF_1, Register.EDX, 23),
    FXSR(CpuidIndex.LEAF_1, Register.EDX, 24),
    SSE(CpuidIndex.LEAF_1, Register.EDX, 25),
    SSE2(CpuidIndex.LEAF_1, Register.EDX, 26),
    SS(CpuidIndex.LEAF_1, Register.EDX, 27),
    HTT(CpuidIndex.LEAF_1, Register.EDX, 28),
    TM(CpuidIndex.LEAF_1, Register.EDX, 29),
    INDEX_1_EDX_30(CpuidIndex.LEAF_1, Register.EDX, 30),
    PBE(CpuidIndex.LEAF_1, Register.EDX, 31),
    // CPUID_INDEX_7 EBX
    FSGSBASE(CpuidIndex.LEAF_7, Register.EBX, 0),
    TSC_ADJUST(CpuidIndex.LEAF_7, Register.EBX, 1),
    SGX(CpuidIndex.LEAF_7, Register.EBX, 2),
    BMI1(CpuidIndex.LEAF_7, Register.EBX, 3),
    HLE(CpuidIndex.LEAF_7, Register.EBX, 4),
    AVX2(CpuidIndex.LEAF_7, Register.EBX, 5),
    INDEX_7_EBX_6(CpuidIndex.LEAF_7, Register.EBX, 6),
    SMEP(CpuidIndex.LEAF_7, Register.EBX, 7),
    BMI2(CpuidIndex.LEAF_7, Register.EBX, 8),
    ERMS(CpuidIndex.LEAF_7, Register.EBX, 9),
    INVPCID(CpuidIndex.LEAF_7, Register.EBX, 10),
    RTM(CpuidIndex.LEAF_7, Register.EBX, 11),
    RDT_M(CpuidIndex.LEAF_7, Register.EBX, 12),
    DEPR_FPU_CS_DS(CpuidIndex.LEAF_7, Register.EBX, 13),
    MPX(CpuidIndex.LEAF_7, Register.EBX, 14),
    RDT_A(CpuidIndex.LEAF_7, Register.EBX, 15),
    AVX512F(CpuidIndex.LEAF_7, Register.EBX, 16),
    AVX512DQ(CpuidIndex.LEAF_7, Register.EBX, 17),
    RDSEED(CpuidIndex.LEAF_7, Register.EBX, 18),
    ADX(CpuidIndex.LEAF_7, Register.EBX, 19),
    SMAP(CpuidIndex.LEAF_7, Register.EBX, 20),
    AVX512_IFMA(CpuidIndex.LEAF_7, Register.EBX, 21),
    INDEX_7_EBX_22(CpuidIndex.LEAF_7, Register.EBX, 22),
    CLFLUSHOPT(CpuidIndex.LEAF_7, Register.EBX, 23),
    CLWB(CpuidIndex.LEAF_7, Register.EBX, 24),
    TRACE(CpuidIndex.LEAF_7, Register.EBX, 25),
    AVX512PF(CpuidIndex.LEAF_7, Register.EBX, 26),
    AVX512ER(CpuidIndex.LEAF_7, Register.EBX, 27),
    AVX512CD(CpuidIndex.LEAF_7, Register.EBX, 28),
    SHA(CpuidIndex.LEAF_7, Register.EBX, 29),
    AVX512BW(CpuidIndex.LEAF_7, Register.EBX, 30),
    AVX512VL(CpuidIndex.LEAF_7, Register.EBX, 31),
    // CPUID_INDEX_7 ECX
    PREFETCHWT1(CpuidIndex.LEAF_7, Register.ECX, 0),
    AVX512_VBMI(CpuidIndex.LEAF_7, Register.ECX, 1),
    UMIP(CpuidIndex.LEAF_7, Register.ECX, 2),
    PKU(CpuidIndex.LEAF_7, Register.ECX, 3),
    OSPKE(CpuidIndex.LEAF_7, Register.ECX, 4),
    WAITPKG(CpuidIndex.LEAF_7, Register.ECX, 5),
    AVX512_VBMI2(CpuidIndex.LEAF_7, Register.ECX, 6),
    SHSTK(CpuidIndex.LEAF_7, Register.ECX, 7),
    GFNI(CpuidIndex.LEAF_7, Register.ECX, 8),
    VAES(CpuidIndex.LEAF_7, Register.ECX, 9),
    VPCLMULQDQ(CpuidIndex.LEAF_7, Register.ECX, 10),
    AVX512_VNNI(CpuidIndex.LEAF_7, Register.ECX, 11),
    AVX512_BITALG(CpuidIndex.LEAF_7, Register.ECX, 12),
    INDEX_7_ECX_13(CpuidIndex.LEAF_7, Register.ECX, 13),
    AVX512_VPOPCNTDQ(CpuidIndex.LEAF_7, Register.ECX, 14),
    INDEX_7_ECX_15(CpuidIndex.LEAF_7, Register.ECX, 15),
    INDEX_7_ECX_16(CpuidIndex.LEAF_7, Register.ECX, 16),
    RDPID(CpuidIndex.LEAF_7, Register.ECX, 22),
    KL(CpuidIndex.LEAF_7, Register.ECX, 23),
    INDEX_7_ECX_24(CpuidIndex.LEAF_7, Register.ECX, 24),
    CLDEMOTE(CpuidIndex.LEAF_7, Register.ECX, 25),
    INDEX_7_ECX_26(CpuidIndex.LEAF_7, Register.ECX, 26),
    MOVDIRI(CpuidIndex.LEAF_7, Register.ECX, 27),
    MOVDIR64B(CpuidIndex.LEAF_7, Register.ECX, 28),
    ENQCMD(CpuidIndex.LEAF_7, Register.ECX, 29),
    SGX_LC(CpuidIndex.LEAF_7, Register.ECX, 30),
    PKS(CpuidIndex.LEAF_7, Register.ECX, 31),
    // CPUID_INDEX_7 EDX
    INDEX_7_EDX_0(CpuidIndex.LEAF_7, Register.EDX, 0),
    INDEX_7_EDX_1(CpuidIndex.LEAF_7, Register.EDX, 1),
    AVX512_4VNNIW(CpuidIndex.LEAF_7, Register.EDX, 2),
    AVX512_4FMAPS(CpuidIndex.LEAF_7, Register.EDX, 3),
    FSRM(CpuidIndex.LEAF_7, Register.EDX, 4),
    UINTR(CpuidIndex.LEAF_7, Register.EDX, 5),
    INDEX_7_EDX_6(CpuidIndex.LEAF_7, Register.EDX, 6),
    INDEX_7_EDX_7(CpuidIndex.LEAF_7, Register.EDX, 7),
    AVX512_VP2INTERSECT(CpuidIndex.LEAF_7, Register.EDX, 8),
    INDEX_7_EDX_9(CpuidIndex.LEAF_7, Register.EDX, 9),
    MD_CLEAR(CpuidIndex.LEAF_7, Register.EDX, 10),
    RTM_ALWAYS_ABORT(CpuidIndex.LEAF_7, Register.EDX, 11),
    INDEX_7_EDX_12(CpuidIndex.LEAF_7, Register.EDX, 12),
    INDEX_7_EDX_13(CpuidIndex.LEAF_7, Register.EDX, 13),
    SERIALIZE(CpuidIndex.LEAF_7, Register.EDX, 14),
    HYBRID(CpuidIndex.LEAF_7, Register.EDX, 15),
    TSXLDTRK(CpuidIndex.LEAF_7, Register.EDX, 16),
    INDEX_7_EDX_17(CpuidIndex.LEAF_7, Register.EDX, 17),
    PCONFIG(CpuidIndex.LEAF_7, Register.EDX, 18),
    INDEX_7_EDX_19(CpuidIndex.LEAF_7, Register.EDX, 19),
    IBT(CpuidIndex.LEAF_7, Register.EDX, 20),
    INDEX_7_EDX_21(CpuidIndex.LEAF_7, Register.EDX, 21),
    AMX_BF16(CpuidIndex.LEAF_7, Register.EDX, 22),
    AVX512_FP16(CpuidIndex.LEAF_7, Register.EDX, 23),
    AMX_TILE(CpuidIndex.LEAF_7, Register.EDX, 24),
    AMX_INT8(CpuidIndex.LEAF_7, Register.EDX, 25),
    IBRS_IBPB(CpuidIndex.LEAF_7, Register.EDX, 26),
    STIBP(CpuidIndex.LEAF_7, Register.EDX, 27),
    L1D_FLUSH(CpuidIndex.LEAF_7, Register.EDX, 28),
    ARCH_CAPABILITIES(CpuidIndex.LEAF_7, Register.EDX, 29),
    CORE_CAPABILITIES(CpuidIndex.LEAF_7, Register.EDX, 30),
    SSBD(CpuidIndex.LEAF_7, Register.EDX, 31),
    // CPUID_INDEX_80000001 ECX
    LAHF64_SAHF64(CpuidIndex.LEAF_80000001, Register.ECX, 0),
    SVM(CpuidIndex.LEAF_80000001, Register.ECX, 2),
    LZCNT(CpuidIndex.LEAF_80000001, Register.ECX, 5),
    SSE4A(CpuidIndex.LEAF_80000001, Register.ECX, 6),
    PREFETCHW(CpuidIndex.LEAF_80000001, Register.ECX, 8),
    XOP(CpuidIndex.LEAF_80000001, Register.ECX, 11),
    LWP(CpuidIndex.LEAF_80000001, Register.ECX, 15),
    FMA4(CpuidIndex.LEAF_80000001, Register.ECX, 16),
    TBM(CpuidIndex.LEAF_80000001, Register.ECX, 21),
    // CPUID_INDEX_80000001 EDX
    SYSCALL_SYSRET(CpuidIndex.LEAF_80000001, Register.EDX, 11),
    NX(CpuidIndex.LEAF_80000001, Register.EDX, 20),
    PAGE1GB(CpuidIndex.LEAF_80000001, Register.EDX, 26),
    RDTSCP(CpuidIndex.LEAF_80000001, Register.EDX, 27),
    LM(CpuidIndex.LEAF_80000001, Register.EDX, 29),
    // CPUID_INDEX_D_ECX_1 EAX
    XSAVEOPT(CpuidIndex.LEAF_D_ECX_1, Register.EAX, 0),
    XSAVEC(CpuidIndex.LEAF_D_ECX_1, Register.EAX, 1),
    XGETBV_ECX_1(CpuidIndex.LEAF_D_ECX_1, Register.EAX, 2),
    XSAVES(CpuidIndex.LEAF_D_ECX_1, Register.EAX, 3),
    XFD(CpuidIndex.LEAF_D_ECX_1, Register.EAX, 4),
    // CPUID_INDEX_80000007 EDX
    INVARIANT_TSC(CpuidIndex.LEAF_80000007, Register.EDX, 8),
    // CPUID_INDEX_80000008 EBX
    WBNOINVD(CpuidIndex.LEAF_80000008, Register.EBX, 9),
    AMD_IBPB(CpuidIndex.LEAF_80000008, Register.EBX, 12),
    AMD_IBRS(CpuidIndex.LEAF_80000008, Register.EBX, 14),
    AMD_STIBP(CpuidIndex.LEAF_80000008, Register.EBX, 15),
    AMD_SSBD(CpuidIndex.LEAF_80000008, Register.EBX, 24),
    AMD_VIRT_SSBD(CpuidIndex.LEAF_80000008, Register.EBX, 25),
    // CPUID_INDEX_7_ECX_1 EAX
    AVX_VNNI(CpuidIndex.LEAF_7_ECX_1, Register.EAX, 4),
    AVX512_BF16(CpuidIndex.LEAF_7_ECX_1, Register.EAX, 5),
    FZLRM(CpuidIndex.LEAF_7_ECX_1, Register.EAX, 10),
    FSRS(CpuidIndex.LEAF_7_ECX_1, Register.EAX, 11),
    FSRCS(CpuidIndex.LEAF_7_ECX_1, Register.EAX, 12),
    HRESET(CpuidIndex.LEAF_7_ECX_1, Register.EAX, 22),
    LAM(CpuidIndex.LEAF_7_ECX_1, Register.EAX, 26),
    // CPUID_INDEX_19 EBX
    AESKLE(CpuidIndex.LEAF_19, Register.EBX, 0),
    WIDE_KL(CpuidIndex.LEAF_19, Register.EBX, 2),
    // CPUID_INDEX_14_ECX_0 EBX
    PTWRITE(CpuidIndex.LEAF_14_ECX_0, Register.EBX, 4);
    /** The CPUID words glibc keeps, in its {@code CPUID_INDEX_*} order (sysdeps/x86/bits/platform/x86.h). */
    public enum CpuidIndex {
        LEAF_1("CPUID_INDEX_1", 1, 0), LEAF_7("CPUID_INDEX_7", 7, 0), LEAF_80000001("CPUID_INDEX_80000001", 0x80000001, 0),
        LEAF_D_ECX_1("CPUID_INDEX_D_ECX_1", 0xd, 1), LEAF_80000007("CPUID_INDEX_80000007", 0x80000007, 0),
        LEAF_80000008("CPUID_INDEX_80000008", 0x80000008, 0), LEAF_7_ECX_1("CPUID_INDEX_7_ECX_1", 7, 1),
        LEAF_19("CPUID_INDEX_19", 0x19, 0), LEAF_14_ECX_0("CPUID_INDEX_14_ECX_0", 0x14, 0);

        private final String cName;
        private final int leaf;
        private final int subleaf;

        CpuidIndex(String cName, int leaf, int subleaf) {
            this.cName = cName;
            this.leaf = leaf;
            this.subleaf = subleaf;
        }

        public String cName() {
            return cName;
        }

        public int leaf() {
            return leaf;
        }

        public int subleaf() {
            return subleaf;
        }
    }

    /** The four registers of a CPUID answer, in glibc's {@code cpuid_array} order. */
    public enum Register { EAX, EBX, ECX, EDX }

    private final CpuidIndex index;
    private final Register register;
    private final int bit;

    GlibcCpuFeature(CpuidIndex index, Register register, int bit) {
        this.index = index;
        this.register = register;
        this.bit = bit;
    }

    public CpuidIndex index() {
        return index;
    }

    public Register register() {
        return register;
    }

    /** The bit's mask in its register. */
    public int mask() {
        return 1 << bit;
    }
}
