#define _GNU_SOURCE
#include <sched.h>
#include "affinity.h"

int aekit_affinity_cpu_count(void) {
    // Grow the mask until the kernel's fits: machines with more than 1024 CPUs exist.
    for (int cpus = 1024; cpus <= (1 << 20); cpus *= 2) {
        cpu_set_t *set = CPU_ALLOC(cpus);
        if (set == NULL) return -1;
        size_t size = CPU_ALLOC_SIZE(cpus);
        CPU_ZERO_S(size, set);
        if (sched_getaffinity(0, size, set) == 0) {
            int count = CPU_COUNT_S(size, set);
            CPU_FREE(set);
            return count;
        }
        CPU_FREE(set);
    }
    return -1;
}
