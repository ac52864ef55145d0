/*
 * The oracle for vdsoscope's page probe: touches every page of its own [vvar] and [vvar_vclock]
 * mappings from user space, catching the SIGBUS or SIGSEGV a hole raises, and prints one line per
 * page: "<mapping> <index> data" or "<mapping> <index> hole". Built by the tests with gcc.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf recover;

static void on_fault(int signal) {
    siglongjmp(recover, signal);
}

int main(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_fault;
    sigaction(SIGBUS, &action, NULL);
    sigaction(SIGSEGV, &action, NULL);

    long page = sysconf(_SC_PAGESIZE);
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL) {
        perror("/proc/self/maps");
        return 2;
    }
    char line[512];
    while (fgets(line, sizeof line, maps) != NULL) {
        unsigned long start, end;
        char name[64] = "";
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %63s", &start, &end, name) < 2) {
            continue;
        }
        if (strcmp(name, "[vvar]") != 0 && strcmp(name, "[vvar_vclock]") != 0) {
            continue;
        }
        for (unsigned long address = start, index = 0; address < end; address += page, index++) {
            volatile const unsigned char *byte = (const unsigned char *) address;
            int faulted = sigsetjmp(recover, 1);
            if (faulted == 0) {
                (void) *byte;
            }
            printf("%s %lu %s\n", name, index, faulted == 0 ? "data" : "hole");
        }
    }
    fclose(maps);
    return 0;
}
