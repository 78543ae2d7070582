// `CPU_KERNEL` before a function: compile it for AVX-512, for AVX2 + FMA and for baseline
// x86-64; the dynamic loader picks one by the CPU's features when the program starts. On
// other architectures it is an ordinary function.
#ifndef AEKIT_CPU_KERNEL_H
#define AEKIT_CPU_KERNEL_H
#if defined(__x86_64__) && defined(__clang__)
#define CPU_KERNEL __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CPU_KERNEL
#endif
#endif
