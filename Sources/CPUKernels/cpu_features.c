#include "CPUKernels.h"

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

int cpu_vector_level(void) {
#if defined(__x86_64__) && defined(__clang__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")) return 3;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 2;
    if (__builtin_cpu_supports("avx")) return 1;
#endif
    return 0;
}

int cpu_flush_subnormals(void) {
#if defined(__x86_64__)
    // Bit 15 flushes subnormal results to zero (FTZ), bit 6 reads subnormal inputs as zero (DAZ).
    _mm_setcsr(_mm_getcsr() | 0x8040);
    return 1;
#elif defined(__aarch64__)
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr | (1ULL << 24)));
    return 1;
#else
    return 0;
#endif
}
