#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>
#include <sys/auxv.h>
/* ns per call of getpid through int $0x80 and through __kernel_vsyscall, and of clock_gettime
   through the vDSO and through int $0x80: the same four paths vdsoscope's compat bench times. */
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
int main(void) {
    int n = 200000;
    void *h = dlopen("linux-gate.so.1", RTLD_NOW | RTLD_NOLOAD);
    int (*vdso_gettime)(int, struct timespec *) = h ? (int (*)(int, struct timespec *)) dlvsym(h, "__vdso_clock_gettime", "LINUX_2.6") : 0;
    void *vs = (void *) getauxval(AT_SYSINFO);
    struct timespec ts;
    if (!vdso_gettime || !vs) { fprintf(stderr, "no vDSO\n"); return 1; }
    double t0 = now();
    for (int i = 0; i < n; i++) { int r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory"); }
    double t1 = now();
    for (int i = 0; i < n; i++) { int r; __asm__ volatile("call *%1" : "=a"(r) : "r"(vs), "a"(20) : "memory"); }
    double t2 = now();
    for (int i = 0; i < n; i++) vdso_gettime(CLOCK_MONOTONIC, &ts);
    double t3 = now();
    for (int i = 0; i < n; i++) { int r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(265), "b"(CLOCK_MONOTONIC), "c"(&ts) : "memory"); }
    double t4 = now();
    printf("%.1f %.1f %.1f %.1f\n", (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n, (t4 - t3) / n);
    return 0;
}
