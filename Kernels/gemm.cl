// GEMM: C = alpha * op(A) * op(B) + beta * C, all matrices row-major.
// op(A) is M x K (A stored K x M when transposed); op(B) is K x N (B stored N x K when transposed).
// beta == 0 never reads C, as in BLAS: a freshly allocated C may hold anything.
//
// Every kernel also runs a strided batch, as cuBLAS' gemmStridedBatched: matrix s of A starts
// at A + offA + s * strideA (likewise B and C), so a convolution multiplies every sample of a
// chunk in one launch, reading and writing NCHW tensors where they lie. Where strideC is 0 the
// batch is summed into one C instead (a weight gradient: the sum over samples), each element's
// sum running over s and then k, in order. And every kernel ends in an epilogue: a bias per
// row (bias_mode 1) or per column (2), then prelude.cl's activation and dropout (p > 0), the
// dropout's index being the element's index in C's buffer, as bias_activation_forward's is.
//
// Three kernels, each instantiated for the four transpose combinations (_nn, _nt, _tn, _tt):
//  - gemm_direct_*: one work-item per element of C. No local memory, no barriers: the
//    fastest choice when C or K is too small to fill tiles (CLBlast calls this "direct").
//  - gemm_tiled_*: a work-group computes a TSM x TSN tile of C; the K dimension is walked in
//    TSK-deep slices staged in local memory, and each work-item keeps a WPTM x WPTN block of C
//    in registers (register blocking). Edges are zero-padded while loading, so any M, N, K work.
//  - gemm_vector_*: for OpenCL devices that are CPUs (below).
// The tile sizes (TSM, TSN, TSK, WPTM, WPTN: CLBlast's MWG/NWG/KWG and MWI/NWI) and the vector
// block (VR, VW) come from the host as -D options (KernelConstants.swift).

// Each kernel is one of these bodies with its transposes as constants (ALWAYS_INLINE: prelude.cl).

#define RTSM (TSM / WPTM)   // work-group rows
#define RTSN (TSN / WPTN)   // work-group columns

// Element (i, k) of op(A) and (k, j) of op(B), from the batch's matrices As and Bs.
#define A_AT(ta, i, k) ((ta) ? As[(k) * M + (i)] : As[(i) * K + (k)])
#define B_AT(tb, k, j) ((tb) ? Bs[(j) * K + (k)] : Bs[(k) * N + (j)])

#define GEMM_PARAMETERS const int M, const int N, const int K, const float alpha,                       \
    __global const float* A, const int offA, const int strideA,                                         \
    __global const float* B, const int offB, const int strideB, const float beta,                        \
    __global float* C, const int offC, const int strideC, const int batches,                             \
    __global const float* bias, const int bias_mode, const int activation, const float act_alpha,          \
    const float act_beta, const float p, const uint key, const float keep_scale
#define GEMM_ARGUMENTS M, N, K, alpha, A, offA, strideA, B, offB, strideB, beta, C, offC, strideC, batches, \
    bias, bias_mode, activation, act_alpha, act_beta, p, key, keep_scale

// The batches a work-item sums: all of them into one C where strideC is 0, else its own (the
// launch's third dimension).
#define BATCH_FIRST (strideC == 0 ? 0 : (int)get_global_id(2))
#define BATCH_END (strideC == 0 ? batches : (int)get_global_id(2) + 1)

// C[i, j] of the work-item's batch from its sum `acc`: alpha, beta, then the epilogue.
ALWAYS_INLINE void gemm_store(GEMM_PARAMETERS, const int i, const int j, const float acc) {
    const int index = offC + (strideC == 0 ? 0 : (int)get_global_id(2) * strideC) + i * N + j;
    float v = alpha * acc + (beta == 0.0f ? 0.0f : beta * C[index]);
    if (bias_mode == 1) v += bias[i]; else if (bias_mode == 2) v += bias[j];
    v = activate(activation, act_alpha, act_beta, v);
    if (p > 0.0f) v = uniform(key, (uint)index) >= p ? v * keep_scale : 0.0f;
    C[index] = v;
}

ALWAYS_INLINE void gemm_direct(const int ta, const int tb, GEMM_PARAMETERS) {
    const int j = get_global_id(0);
    const int i = get_global_id(1);
    if (i >= M || j >= N) return;
    float acc = 0.0f;
    for (int s = BATCH_FIRST; s < BATCH_END; ++s) {
        __global const float* As = A + offA + s * strideA;
        __global const float* Bs = B + offB + s * strideB;
        for (int k = 0; k < K; ++k) acc = fma(A_AT(ta, i, k), B_AT(tb, k, j), acc);
    }
    gemm_store(GEMM_ARGUMENTS, i, j, acc);
}

ALWAYS_INLINE void gemm_tiled(const int ta, const int tb, GEMM_PARAMETERS, __local float* Asub, __local float* Bsub) {
    const int tx = get_local_id(0);          // column within the work-group
    const int ty = get_local_id(1);          // row within the work-group
    const int row0 = get_group_id(1) * TSM;
    const int col0 = get_group_id(0) * TSN;
    const int tid = ty * RTSN + tx;
    const int threads = RTSM * RTSN;

    float acc[WPTM][WPTN];
    for (int wm = 0; wm < WPTM; ++wm)
        for (int wn = 0; wn < WPTN; ++wn) acc[wm][wn] = 0.0f;

    // Every work-item of a group has the same batches, so the barriers below are uniform.
    for (int s = BATCH_FIRST; s < BATCH_END; ++s) {
        __global const float* As = A + offA + s * strideA;
        __global const float* Bs = B + offB + s * strideB;
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
    }

    // Unrolled, so acc stays in registers: indexed by a loop counter, it went to the stack.
    #pragma unroll
    for (int wm = 0; wm < WPTM; ++wm) {
        const int i = row0 + ty + wm * RTSM;
        if (i >= M) continue;
        #pragma unroll
        for (int wn = 0; wn < WPTN; ++wn) {
            const int j = col0 + tx + wn * RTSN;
            if (j < N) gemm_store(GEMM_ARGUMENTS, i, j, acc[wm][wn]);
        }
    }
}

#define GEMM_KERNELS(SUFFIX, TA, TB)                                                          \
__kernel void gemm_direct_##SUFFIX(GEMM_PARAMETERS) { gemm_direct(TA, TB, GEMM_ARGUMENTS); }  \
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))                                  \
void gemm_tiled_##SUFFIX(GEMM_PARAMETERS) {                                                    \
    __local float Asub[TSK * TSM];                                                             \
    __local float Bsub[TSK * TSN];                                                             \
    gemm_tiled(TA, TB, GEMM_ARGUMENTS, Asub, Bsub);                                            \
}

GEMM_KERNELS(nn, 0, 0)
GEMM_KERNELS(nt, 0, 1)
GEMM_KERNELS(tn, 1, 0)
GEMM_KERNELS(tt, 1, 1)

// ---------------------------------------------------------------------------------------
// gemm_vector_*: for OpenCL devices that are CPUs (PoCL). Such a device runs a work-group
// as a loop over its work-items and vectorises only what the kernel writes as vectors, and
// it keeps a work-item's registers in memory across a barrier; so this kernel has no local
// memory and no barrier, and each work-item computes a VR x VW block of C as VR vector
// accumulators: per k, one VW-wide row of op(B) times VR broadcast elements of op(A) (an
// outer-product micro-kernel; 6 x 16 fills the 16 AVX2 registers as BLIS's Haswell kernel).
// A transposed B is read in place, its VW-wide row gathered from VW rows of the stored B:
// one launch, no scratch copy (those gathers walk VW rows of B in step, which the CPU's
// prefetchers follow).
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define floatV CAT(float, VW)
#define vloadV CAT(vload, VW)

// Row k of op(B), columns j0 .. j0 + VW - 1.
ALWAYS_INLINE floatV gemm_vector_b(const int tb, __global const float* Bs, const int N, const int K, const int k, const int j0) {
    if (!tb) return vloadV(0, Bs + k * N + j0);
    float lanes[VW];
    for (int v = 0; v < VW; ++v) lanes[v] = Bs[(j0 + v) * K + k];
    return vloadV(0, lanes);
}

ALWAYS_INLINE void gemm_vector(const int ta, const int tb, GEMM_PARAMETERS) {
    const int j0 = get_global_id(0) * VW;
    const int i0 = get_global_id(1) * VR;
    if (j0 >= N || i0 >= M) return;
    // Rows past M repeat row M-1 (always in bounds) and are not stored.
    int rows[VR];
    for (int r = 0; r < VR; ++r) rows[r] = min(i0 + r, M - 1);

    if (j0 + VW <= N) {
        floatV acc[VR];
        for (int r = 0; r < VR; ++r) acc[r] = (floatV)(0.0f);
        for (int s = BATCH_FIRST; s < BATCH_END; ++s) {
            __global const float* As = A + offA + s * strideA;
            __global const float* Bs = B + offB + s * strideB;
            for (int k = 0; k < K; ++k) {
                const floatV b = gemm_vector_b(tb, Bs, N, K, k, j0);
                for (int r = 0; r < VR; ++r) acc[r] = fma((floatV)(A_AT(ta, rows[r], k)), b, acc[r]);
            }
        }
        const int plain = bias_mode == 0 && activation == 0 && p <= 0.0f;
        for (int r = 0; r < VR && i0 + r < M; ++r) {
            if (plain) {  // no epilogue: one vector store, as a plain GEMM's
                __global float* c = C + offC + (strideC == 0 ? 0 : (int)get_global_id(2) * strideC) + (i0 + r) * N + j0;
                const floatV old = beta == 0.0f ? (floatV)(0.0f) : beta * vloadV(0, c);
                CAT(vstore, VW)(alpha * acc[r] + old, 0, c);
                continue;
            }
            float lanes[VW];
            CAT(vstore, VW)(acc[r], 0, lanes);
            for (int v = 0; v < VW; ++v) gemm_store(GEMM_ARGUMENTS, i0 + r, j0 + v, lanes[v]);
        }
    } else {
        // The ragged right edge (N not a multiple of VW): one column at a time.
        for (int j = j0; j < N; ++j) {
            float acc[VR];
            for (int r = 0; r < VR; ++r) acc[r] = 0.0f;
            for (int s = BATCH_FIRST; s < BATCH_END; ++s) {
                __global const float* As = A + offA + s * strideA;
                __global const float* Bs = B + offB + s * strideB;
                for (int k = 0; k < K; ++k) {
                    const float b = B_AT(tb, k, j);
                    for (int r = 0; r < VR; ++r) acc[r] = fma(A_AT(ta, rows[r], k), b, acc[r]);
                }
            }
            for (int r = 0; r < VR && i0 + r < M; ++r) gemm_store(GEMM_ARGUMENTS, i0 + r, j, acc[r]);
        }
    }
}

#define GEMM_VECTOR_KERNEL(SUFFIX, TA, TB)                                                       \
__kernel void gemm_vector_##SUFFIX(GEMM_PARAMETERS) { gemm_vector(TA, TB, GEMM_ARGUMENTS); }

GEMM_VECTOR_KERNEL(nn, 0, 0)
GEMM_VECTOR_KERNEL(nt, 0, 1)
GEMM_VECTOR_KERNEL(tn, 1, 0)
GEMM_VECTOR_KERNEL(tt, 1, 1)
