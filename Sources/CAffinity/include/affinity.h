#ifndef AEKIT_AFFINITY_H
#define AEKIT_AFFINITY_H

/// The number of CPUs this process may run on (its affinity mask, sched_getaffinity(2)),
/// or -1 if the call fails. In C because CPU_COUNT and CPU_ALLOC are macros Swift cannot call.
int aekit_affinity_cpu_count(void);

#endif
