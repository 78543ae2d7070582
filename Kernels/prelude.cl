// Put before every kernel file by the host (OpenCLBackend.program): what several files share.

// The tuning constants come from the host as -D options (Sources/Compute/OpenCL/KernelConstants.swift).
#if !defined(TSM) || !defined(TSN) || !defined(TSK) || !defined(WPTM) || !defined(WPTN) || !defined(VR) || !defined(VW)
#error "build with KernelConstants.buildOptions: a tuning constant is missing"
#endif

// Leaves in partial[0] the sum of every work-item's `value` over a work-group of `size`
// work-items (a power of two), `partial` being a local array of `size` floats: a tree of
// halving steps, a barrier after each, so every work-item must call it.
inline void work_group_sum(__local float* partial, const float value, const int size) {
    const int lid = get_local_id(0);
    partial[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = size / 2; width > 0; width /= 2) {
        if (lid < width) partial[lid] += partial[lid + width];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

// Dropout's and salt-and-pepper's counter-based draws (dropout.cl, bias_activation.cl): a
// uniform number in [0, 1) with 24 random bits from (key, index). Must stay bit-for-bit the
// same as DropoutMask's in Swift (CPUKernels.h), which the parity tests check.
inline uint mix(uint x) {
    x ^= x >> 16; x *= 0x7feb352du;
    x ^= x >> 15; x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

inline float uniform(const uint key, const uint index) {
    return (float)(mix(mix(index) ^ key) >> 8) * (1.0f / 16777216.0f);
}

// The end of a summing kernel's work-group (reduce.cl, loss.cl): work-item 0 of a launch of one
// work-group adds scale * its sum to the accumulator `out[0]`, so a small reduction is a single
// launch; in a launch of several, each group writes its partial sum to out[group] for
// reduce_finish to add up.
inline void store_sum(__global float* out, __local float* partial, const float value, const float scale) {
    work_group_sum(partial, value, get_local_size(0));
    if (get_local_id(0) != 0) return;
    if (get_num_groups(0) == 1) out[0] += scale * partial[0]; else out[get_group_id(0)] = partial[0];
}

// The fused activations (bias_activation.cl, and the epilogues of gemm.cl and conv.cl):
// `activation` is ActivationFunction's raw value, 0 none, 1 ReLU, 2 sigmoid; the arithmetic
// is activation.cl's, so a fused model computes what an unfused one does.
inline float activate(const int activation, const float z) {
    return activation == 1 ? fmax(z, 0.0f) : activation == 2 ? 1.0f / (1.0f + exp(-z)) : z;
}
