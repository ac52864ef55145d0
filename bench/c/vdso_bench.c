/*
 * The physical limit for vdsoscope's FFM calls: the same vDSO functions, found the same way
 * (getauxval(AT_SYSINFO_EHDR), then the image's own dynamic table, symbol table and version
 * definitions, as dev.vdsoscope.vdso.Vdso does), called from C in timed batches, next to libc's
 * wrappers and the forced system call through syscall(2).
 *
 * Prints a JSON array: one object per (function, clock, path) with ns per call (median, min, max
 * over the samples). Build: gcc -O2 -o vdso_bench vdso_bench.c (bench/vdso-vs-c.sh does it).
 * x86-64 only, like the symbol names below.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SAMPLES 31
#define SAMPLE_NANOS 2000000L   /* one timed batch lasts about 2 ms: far above the clock's resolution */
#define WARMUP_NANOS 100000000L

/* ---- the vDSO lookup ---------------------------------------------------------------------- */

static void *vdso_lookup(const char *version, const char *name) {
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    if (base == 0) {
        return NULL;
    }
    const Elf64_Ehdr *ehdr = (const Elf64_Ehdr *) base;
    const Elf64_Phdr *phdr = (const Elf64_Phdr *) (base + ehdr->e_phoff);
    uintptr_t load_offset = 0;
    const Elf64_Dyn *dyn = NULL;
    int have_load = 0;
    for (int i = 0; i < ehdr->e_phnum; i++) {
        if (phdr[i].p_type == PT_LOAD && !have_load) {
            have_load = 1;
            load_offset = base + phdr[i].p_offset - phdr[i].p_vaddr;
        } else if (phdr[i].p_type == PT_DYNAMIC) {
            dyn = (const Elf64_Dyn *) (base + phdr[i].p_offset);
        }
    }
    if (!have_load || dyn == NULL) {
        return NULL;
    }
    const char *strings = NULL;
    const Elf64_Sym *symbols = NULL;
    const Elf64_Word *sysv_hash = NULL;
    const Elf64_Word *gnu_hash = NULL;
    const Elf64_Versym *versym = NULL;
    const Elf64_Verdef *verdef = NULL;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t at = load_offset + dyn->d_un.d_ptr;
        switch (dyn->d_tag) {
        case DT_STRTAB: strings = (const char *) at; break;
        case DT_SYMTAB: symbols = (const Elf64_Sym *) at; break;
        case DT_HASH: sysv_hash = (const Elf64_Word *) at; break;
        case DT_GNU_HASH: gnu_hash = (const Elf64_Word *) at; break;
        case DT_VERSYM: versym = (const Elf64_Versym *) at; break;
        case DT_VERDEF: verdef = (const Elf64_Verdef *) at; break;
        }
    }
    if (strings == NULL || symbols == NULL || (sysv_hash == NULL && gnu_hash == NULL)) {
        return NULL;
    }
    /* The symbol count: nchain of the SysV table, else one past the last symbol a GNU chain reaches. */
    uint32_t count;
    if (sysv_hash != NULL) {
        count = sysv_hash[1];
    } else {
        uint32_t nbuckets = gnu_hash[0], symoffset = gnu_hash[1], bloom_words = gnu_hash[2];
        const uint32_t *buckets = (const uint32_t *) ((const uint64_t *) (gnu_hash + 4) + bloom_words);
        const uint32_t *chain = buckets + nbuckets;
        count = symoffset;
        for (uint32_t b = 0; b < nbuckets; b++) {
            if (buckets[b] >= count) {
                count = buckets[b] + 1;
            }
        }
        while (count > symoffset && !(chain[count - 1 - symoffset] & 1)) {
            count++;
        }
    }
    for (uint32_t i = 1; i < count; i++) {
        const Elf64_Sym *s = &symbols[i];
        int type = ELF64_ST_TYPE(s->st_info), bind = ELF64_ST_BIND(s->st_info);
        if ((type != STT_FUNC && type != STT_NOTYPE) || (bind != STB_GLOBAL && bind != STB_WEAK)
                || s->st_shndx == SHN_UNDEF || strcmp(strings + s->st_name, name) != 0) {
            continue;
        }
        if (versym != NULL && verdef != NULL) {
            int wanted = versym[i] & 0x7fff, matches = 0;
            for (const Elf64_Verdef *d = verdef;; d = (const Elf64_Verdef *) ((const char *) d + d->vd_next)) {
                if (!(d->vd_flags & VER_FLG_BASE) && (d->vd_ndx & 0x7fff) == wanted) {
                    const Elf64_Verdaux *aux = (const Elf64_Verdaux *) ((const char *) d + d->vd_aux);
                    matches = strcmp(strings + aux->vda_name, version) == 0;
                    break;
                }
                if (d->vd_next == 0) {
                    break;
                }
            }
            if (!matches) {
                continue;
            }
        }
        return (void *) (load_offset + s->st_value);
    }
    return NULL;
}

/* ---- the calls ---------------------------------------------------------------------------- */

typedef int (*clock_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, void *);
typedef time_t (*time_fn)(time_t *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);

static clock_fn vdso_clock_gettime, vdso_clock_getres;
static gettimeofday_fn vdso_gettimeofday;
static time_fn vdso_time;
static getcpu_fn vdso_getcpu;

static volatile int64_t sink;   /* every result lands here, so no call can be optimised away */

enum path { VDSO, LIBC, SYSCALL };
static const char *const PATH_NAMES[] = {"vdso", "libc", "syscall"};

enum function { CLOCK_GETTIME, GETTIMEOFDAY, TIME, GETCPU, CLOCK_GETRES };
static const char *const FUNCTION_NAMES[] = {"clock_gettime", "gettimeofday", "time", "getcpu", "clock_getres"};

/* The same work as VdsoCalls: make the call, check it, combine the two halves of the answer. */
static void run_batch(enum function f, enum path p, clockid_t clock, long calls) {
    struct timespec ts;
    struct timeval tv;
    unsigned cpu, node;
    int64_t acc = 0;
    for (long i = 0; i < calls; i++) {
        long r = 0;
        switch (f) {
        case CLOCK_GETTIME:
            r = p == VDSO ? vdso_clock_gettime(clock, &ts)
                : p == LIBC ? clock_gettime(clock, &ts) : syscall(SYS_clock_gettime, clock, &ts);
            acc += ts.tv_sec * 1000000000L + ts.tv_nsec;
            break;
        case CLOCK_GETRES:
            r = p == VDSO ? vdso_clock_getres(clock, &ts)
                : p == LIBC ? clock_getres(clock, &ts) : syscall(SYS_clock_getres, clock, &ts);
            acc += ts.tv_nsec;
            break;
        case GETTIMEOFDAY:
            r = p == VDSO ? vdso_gettimeofday(&tv, NULL)
                : p == LIBC ? gettimeofday(&tv, NULL) : syscall(SYS_gettimeofday, &tv, NULL);
            acc += tv.tv_sec * 1000000L + tv.tv_usec;
            break;
        case TIME:
            acc += p == VDSO ? vdso_time(NULL) : p == LIBC ? time(NULL) : syscall(SYS_time, NULL);
            break;
        case GETCPU:
            r = p == VDSO ? vdso_getcpu(&cpu, &node, NULL)
                : p == LIBC ? getcpu(&cpu, &node) : syscall(SYS_getcpu, &cpu, &node, NULL);
            acc += cpu;
            break;
        }
        if (r != 0) {
            fprintf(stderr, "vdso_bench: %s (%s, clock %d) failed: %ld\n", FUNCTION_NAMES[f], PATH_NAMES[p],
                    (int) clock, r);
            exit(1);
        }
    }
    sink = acc;
}

static long now_nanos(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static int first_case = 1;

static void measure(enum function f, enum path p, clockid_t clock, const char *clock_name) {
    /* Warm up (caches, branch predictors, CPU frequency), then size a batch to SAMPLE_NANOS. */
    long calls = 1000;
    for (long start = now_nanos(); now_nanos() - start < WARMUP_NANOS;) {
        run_batch(f, p, clock, calls);
    }
    /* The fastest of three trial batches sets the size, so one preemption cannot shrink it. */
    for (;;) {
        long fastest = -1;
        for (int trial = 0; trial < 3; trial++) {
            long start = now_nanos();
            run_batch(f, p, clock, calls);
            long elapsed = now_nanos() - start;
            fastest = fastest < 0 || elapsed < fastest ? elapsed : fastest;
        }
        if (fastest >= SAMPLE_NANOS / 16) {
            calls = (long) ((double) calls * SAMPLE_NANOS / fastest);
            break;
        }
        calls *= 2;
    }
    double ns[SAMPLES];
    for (int s = 0; s < SAMPLES; s++) {
        long start = now_nanos();
        run_batch(f, p, clock, calls);
        ns[s] = (double) (now_nanos() - start) / calls;
    }
    qsort(ns, SAMPLES, sizeof ns[0], by_value);
    printf("%s  {\"function\": \"%s\", \"clock\": %s%s%s, \"path\": \"%s\", \"callsPerSample\": %ld, "
           "\"samples\": %d, \"nsPerCall\": {\"median\": %.3f, \"min\": %.3f, \"max\": %.3f}}",
           first_case ? "" : ",\n", FUNCTION_NAMES[f], clock_name ? "\"" : "", clock_name ? clock_name : "null",
           clock_name ? "\"" : "", PATH_NAMES[p], calls, SAMPLES, ns[SAMPLES / 2], ns[0], ns[SAMPLES - 1]);
    fflush(stdout);
    first_case = 0;
}

int main(int argc, char **argv) {
    vdso_clock_gettime = (clock_fn) vdso_lookup("LINUX_2.6", "__vdso_clock_gettime");
    vdso_clock_getres = (clock_fn) vdso_lookup("LINUX_2.6", "__vdso_clock_getres");
    vdso_gettimeofday = (gettimeofday_fn) vdso_lookup("LINUX_2.6", "__vdso_gettimeofday");
    vdso_time = (time_fn) vdso_lookup("LINUX_2.6", "__vdso_time");
    vdso_getcpu = (getcpu_fn) vdso_lookup("LINUX_2.6", "__vdso_getcpu");
    if (vdso_clock_gettime == NULL) {
        fprintf(stderr, "vdso_bench: no __vdso_clock_gettime (is there a vDSO? AT_SYSINFO_EHDR=%#lx)\n",
                getauxval(AT_SYSINFO_EHDR));
        return 1;
    }
    /* Only MONOTONIC with a name argument: the quick case the JMH comparison needs. */
    int only_monotonic = argc > 1 && strcmp(argv[1], "--monotonic") == 0;
    static const struct { clockid_t id; const char *name; } clocks[] = {
        {CLOCK_REALTIME, "CLOCK_REALTIME"}, {CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
        {CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"}, {CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
        {CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE"}, {CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"},
        {CLOCK_BOOTTIME, "CLOCK_BOOTTIME"}, {CLOCK_TAI, "CLOCK_TAI"},
    };
    printf("[\n");
    for (size_t c = 0; c < sizeof clocks / sizeof clocks[0]; c++) {
        if (only_monotonic && clocks[c].id != CLOCK_MONOTONIC) {
            continue;
        }
        for (int p = VDSO; p <= SYSCALL; p++) {
            measure(CLOCK_GETTIME, p, clocks[c].id, clocks[c].name);
        }
    }
    if (!only_monotonic) {
        for (int p = VDSO; p <= SYSCALL; p++) {
            if (vdso_gettimeofday) measure(GETTIMEOFDAY, p, 0, NULL);
            if (vdso_time) measure(TIME, p, 0, NULL);
            if (vdso_getcpu) measure(GETCPU, p, 0, NULL);
            if (vdso_clock_getres) measure(CLOCK_GETRES, p, CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
        }
    }
    printf("\n]\n");
    return 0;
}
