// Eight-float vectors as clang/GCC vector types, not intrinsics, so each of CPU_KERNEL's clones
// (AVX-512, AVX2 + FMA, baseline SSE2) gets the code of its own instruction set from one source.
// Comparing two vf8 gives a vi8 of all-ones or zero lanes.
#ifndef AEKIT_CPU_VECTOR_H
#define AEKIT_CPU_VECTOR_H
#include <stdint.h>

// The baseline clone passes these vectors between functions differently from the AVX clones
// (-Wpsabi says so at each call), but every function taking one is always_inline into a single
// clone, so no vector ever crosses a call. A vector may not be an argument of a CPU_KERNEL
// function itself: put the vector loop in a VECTOR_INLINE helper.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float vf8 __attribute__((vector_size(32), aligned(4)));
typedef int32_t vi8 __attribute__((vector_size(32), aligned(4)));
typedef double vd8 __attribute__((vector_size(64), aligned(8)));
enum { LANES = 8 };

#define VECTOR_INLINE static inline __attribute__((always_inline))

VECTOR_INLINE vf8 load8(const float *p) { return *(const vf8 *)p; }
VECTOR_INLINE void store8(float *p, vf8 v) { *(vf8 *)p = v; }

/// Eight floats widened to doubles: a macro, as a vd8 may not be a function's argument or result
/// in the clones without AVX-512 (clang refuses the ABI change outright).
#define LOAD8D(p) __builtin_convertvector(load8(p), vd8)

/// The lanes' sum, lane 0 first: one fixed order, whatever the thread count.
VECTOR_INLINE double lane_sum8d(const vd8 *v) {
    double total = 0;
    for (int k = 0; k < LANES; k++) total += (*v)[k];
    return total;
}

/// `mask ? a : b` lane by lane (mask lanes all-ones or zero).
VECTOR_INLINE vf8 select8(vi8 mask, vf8 a, vf8 b) { return (vf8)(((vi8)a & mask) | ((vi8)b & ~mask)); }

/// Lanes 0, 2, …, 14 and 1, 3, …, 15 of the sixteen floats (lo, hi): a row's even and odd columns.
VECTOR_INLINE vf8 even8(vf8 lo, vf8 hi) { return __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14); }
VECTOR_INLINE vf8 odd8(vf8 lo, vf8 hi) { return __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15); }

/// The inverse of even8/odd8: a0 b0 a1 b1 … a3 b3, then a4 b4 … a7 b7.
VECTOR_INLINE vf8 interleave_low8(vf8 a, vf8 b) { return __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11); }
VECTOR_INLINE vf8 interleave_high8(vf8 a, vf8 b) { return __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15); }
#endif
