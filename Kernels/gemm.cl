// GEMM: C = alpha * op(A) * op(B) + beta * C, all matrices row-major.
// op(A) is M x K (A stored K x M when transposed); op(B) is K x N (B stored N x K when transposed).
// beta == 0 never reads C, as in BLAS: a freshly allocated C may hold anything.
//
// Two kernels, each instantiated for the four transpose combinations (_nn, _nt, _tn, _tt):
//  - gemm_direct_*: one work-item per element of C. No local memory, no barriers: the
//    fastest choice when C or K is too small to fill tiles (CLBlast calls this "direct").
//  - gemm_tiled_*: a work-group computes a TSM x TSN tile of C; the K dimension is walked in
//    TSK-deep slices staged in local memory, and each work-item keeps a WPTM x WPTN block of C
//    in registers (register blocking). Edges are zero-padded while loading, so any M, N, K work.
// The tile sizes are the knobs CLBlast calls MWG/NWG/KWG and MWI/NWI; the host passes them as
// -D options so the bench can try others without editing this file.

#ifndef TSM
#define TSM 64
#endif
#ifndef TSN
#define TSN 64
#endif
#ifndef TSK
#define TSK 16
#endif
#ifndef WPTM
#define WPTM 4
#endif
#ifndef WPTN
#define WPTN 4
#endif
#define RTSM (TSM / WPTM)   // work-group rows
#define RTSN (TSN / WPTN)   // work-group columns

// Element (i, k) of op(A) and (k, j) of op(B).
#define A_AT(ta, i, k) ((ta) ? A[(k) * M + (i)] : A[(i) * K + (k)])
#define B_AT(tb, k, j) ((tb) ? B[(j) * K + (k)] : B[(k) * N + (j)])

inline void gemm_direct(const int ta, const int tb, const int M, const int N, const int K,
                        const float alpha, __global const float* A, __global const float* B,
                        const float beta, __global float* C) {
    const int j = get_global_id(0);
    const int i = get_global_id(1);
    if (i >= M || j >= N) return;
    float acc = 0.0f;
    for (int k = 0; k < K; ++k) acc = fma(A_AT(ta, i, k), B_AT(tb, k, j), acc);
    const float old = beta == 0.0f ? 0.0f : beta * C[i * N + j];
    C[i * N + j] = alpha * acc + old;
}

inline void gemm_tiled(const int ta, const int tb, const int M, const int N, const int K,
                       const float alpha, __global const float* A, __global const float* B,
                       const float beta, __global float* C,
                       __local float* Asub, __local float* Bsub) {
    const int tx = get_local_id(0);          // column within the work-group
    const int ty = get_local_id(1);          // row within the work-group
    const int row0 = get_group_id(1) * TSM;
    const int col0 = get_group_id(0) * TSN;
    const int tid = ty * RTSN + tx;
    const int threads = RTSM * RTSN;

    float acc[WPTM][WPTN];
    for (int wm = 0; wm < WPTM; ++wm)
        for (int wn = 0; wn < WPTN; ++wn) acc[wm][wn] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TSK) {
        // Stage the A and B slices; neighbouring work-items read neighbouring addresses of
        // global memory whichever way A and B are stored.
        for (int e = tid; e < TSM * TSK; e += threads) {
            const int i = ta ? e % TSM : e / TSK;
            const int k = ta ? e / TSM : e % TSK;
            const int gi = row0 + i, gk = k0 + k;
            Asub[k * TSM + i] = (gi < M && gk < K) ? A_AT(ta, gi, gk) : 0.0f;
        }
        for (int e = tid; e < TSK * TSN; e += threads) {
            const int k = tb ? e % TSK : e / TSN;
            const int j = tb ? e / TSK : e % TSN;
            const int gk = k0 + k, gj = col0 + j;
            Bsub[k * TSN + j] = (gk < K && gj < N) ? B_AT(tb, gk, gj) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        for (int k = 0; k < TSK; ++k) {
            float a[WPTM], b[WPTN];
            // Strided by the work-group size, so work-items of one row read adjacent words.
            for (int wm = 0; wm < WPTM; ++wm) a[wm] = Asub[k * TSM + ty + wm * RTSM];
            for (int wn = 0; wn < WPTN; ++wn) b[wn] = Bsub[k * TSN + tx + wn * RTSN];
            for (int wm = 0; wm < WPTM; ++wm)
                for (int wn = 0; wn < WPTN; ++wn) acc[wm][wn] = fma(a[wm], b[wn], acc[wm][wn]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int wm = 0; wm < WPTM; ++wm) {
        const int i = row0 + ty + wm * RTSM;
        if (i >= M) continue;
        for (int wn = 0; wn < WPTN; ++wn) {
            const int j = col0 + tx + wn * RTSN;
            if (j >= N) continue;
            const float old = beta == 0.0f ? 0.0f : beta * C[i * N + j];
            C[i * N + j] = alpha * acc[wm][wn] + old;
        }
    }
}

#define GEMM_KERNELS(SUFFIX, TA, TB)                                                          \
__kernel void gemm_direct_##SUFFIX(const int M, const int N, const int K, const float alpha,   \
        __global const float* A, __global const float* B, const float beta, __global float* C) { \
    gemm_direct(TA, TB, M, N, K, alpha, A, B, beta, C);                                        \
}                                                                                              \
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))                                  \
void gemm_tiled_##SUFFIX(const int M, const int N, const int K, const float alpha,             \
        __global const float* A, __global const float* B, const float beta, __global float* C) { \
    __local float Asub[TSK * TSM];                                                             \
    __local float Bsub[TSK * TSN];                                                             \
    gemm_tiled(TA, TB, M, N, K, alpha, A, B, beta, C, Asub, Bsub);                             \
}

GEMM_KERNELS(nn, 0, 0)
GEMM_KERNELS(nt, 0, 1)
GEMM_KERNELS(tn, 1, 0)
GEMM_KERNELS(tt, 1, 1)
