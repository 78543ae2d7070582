// Put before every kernel file by the host (OpenCLBackend.program): what several files share.

// Every helper function is ALWAYS_INLINE: OpenCL C's `inline` alone leaves a body the compiler
// chooses not to inline as a call to a function no program defines (clang's NVPTX back end did
// so for gemm_vector once it took a batch and an epilogue, and for `activate` once it had ten
// kinds), which ptxas and NVIDIA's driver refuse.
#define ALWAYS_INLINE inline __attribute__((always_inline))

// The tuning constants come from the host as -D options (Sources/Compute/OpenCL/KernelConstants.swift).
#if !defined(TSM) || !defined(TSN) || !defined(TSK) || !defined(WPTM) || !defined(WPTN) || !defined(VR) || !defined(VW)
#error "build with KernelConstants.buildOptions: a tuning constant is missing"
#endif

// Leaves in partial[0] the sum of every work-item's `value` over a work-group of `size`
// work-items (a power of two), `partial` being a local array of `size` floats: a tree of
// halving steps, a barrier after each, so every work-item must call it.
ALWAYS_INLINE void work_group_sum(__local float* partial, const float value, const int size) {
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
ALWAYS_INLINE uint mix(uint x) {
    x ^= x >> 16; x *= 0x7feb352du;
    x ^= x >> 15; x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

ALWAYS_INLINE float uniform(const uint key, const uint index) {
    return (float)(mix(mix(index) ^ key) >> 8) * (1.0f / 16777216.0f);
}

// The end of a summing kernel's work-group (reduce.cl, loss.cl): work-item 0 of a launch of one
// work-group adds scale * its sum to the accumulator `out[0]`, so a small reduction is a single
// launch; in a launch of several, each group writes its partial sum to out[group] for
// reduce_finish to add up.
ALWAYS_INLINE void store_sum(__global float* out, __local float* partial, const float value, const float scale) {
    work_group_sum(partial, value, get_local_size(0));
    if (get_local_id(0) != 0) return;
    if (get_num_groups(0) == 1) out[0] += scale * partial[0]; else out[get_group_id(0)] = partial[0];
}

// The activations (activation.cl, bias_activation.cl, and the epilogues of gemm.cl and conv.cl):
// `activation` is ActivationFunction.Kind's raw value, act_alpha and act_beta its parameters.
// The same arithmetic as Sources/CPUKernels/activation.h (PyTorch's formulas), so a fused model
// computes what an unfused one does, and the CPU what OpenCL does.
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_SIGMOID 2
#define ACT_TANH 3
#define ACT_LEAKY_RELU 4
#define ACT_ELU 5
#define ACT_GELU 6
#define ACT_GELU_TANH 7
#define ACT_SILU 8
#define ACT_HARDTANH 9
#define ACT_SOFTPLUS 10

// sqrt(2/pi) and GELU's cubic coefficient (the tanh form); 1/sqrt(2) and 1/sqrt(2 pi) (the erf form).
#define GELU_TANH_SCALE 0.7978845608028654f
#define GELU_TANH_CUBIC 0.044715f
#define GELU_SQRT_HALF 0.7071067811865476f
#define GELU_NORMAL_DENSITY 0.3989422804014327f

ALWAYS_INLINE float sigmoid_of(const float z) { return 1.0f / (1.0f + exp(-z)); }

ALWAYS_INLINE float activate(const int kind, const float alpha, const float beta, const float z) {
    switch (kind) {
    case ACT_RELU: return fmax(z, 0.0f);
    case ACT_SIGMOID: return sigmoid_of(z);
    case ACT_TANH: return tanh(z);
    case ACT_LEAKY_RELU: return z > 0.0f ? z : z * alpha;
    case ACT_ELU: return z > 0.0f ? z : alpha * expm1(z);
    case ACT_GELU: return 0.5f * z * (1.0f + erf(z * GELU_SQRT_HALF));
    case ACT_GELU_TANH: return 0.5f * z * (1.0f + tanh(GELU_TANH_SCALE * (z + GELU_TANH_CUBIC * z * z * z)));
    case ACT_SILU: return z * sigmoid_of(z);
    case ACT_HARDTANH: return z <= alpha ? alpha : z >= beta ? beta : z;
    case ACT_SOFTPLUS: return z * alpha > beta ? z : log1p(exp(z * alpha)) / alpha;
    default: return z;
    }
}

// g times f'(x) from the output y = f(x), for the kinds whose gradient follows from it (all but
// GELU and SiLU; see activation.h for why each form holds).
ALWAYS_INLINE float gradient_from_output(const int kind, const float alpha, const float beta, const float g, const float y) {
    switch (kind) {
    case ACT_RELU: return y > 0.0f ? g : 0.0f;
    case ACT_SIGMOID: return g * y * (1.0f - y);
    case ACT_TANH: return g * (1.0f - y * y);
    case ACT_LEAKY_RELU: return y > 0.0f ? g : g * alpha;
    case ACT_ELU: return y > 0.0f ? g : g * (y + alpha);
    case ACT_HARDTANH: return y <= alpha || y >= beta ? 0.0f : g;
    case ACT_SOFTPLUS: return y * alpha > beta ? g : g * -expm1(-y * alpha);
    default: return g;
    }
}

// g times f'(x) from the input x, for GELU and SiLU, and LeakyReLU and ELU with a negative
// slope or alpha (activation.h says why).
ALWAYS_INLINE float gradient_from_input(const int kind, const float alpha, const float g, const float x) {
    switch (kind) {
    case ACT_LEAKY_RELU: return x > 0.0f ? g : g * alpha;
    case ACT_ELU: return x > 0.0f ? g : g * alpha * exp(x);
    case ACT_GELU:
        return g * (0.5f * (1.0f + erf(x * GELU_SQRT_HALF)) + x * GELU_NORMAL_DENSITY * exp(-0.5f * x * x));
    case ACT_GELU_TANH: {
        const float t = tanh(GELU_TANH_SCALE * (x + GELU_TANH_CUBIC * x * x * x));
        const float slope = GELU_TANH_SCALE * (1.0f + 3.0f * GELU_TANH_CUBIC * x * x);
        return g * (0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * slope);
    }
    case ACT_SILU: {
        const float s = sigmoid_of(x);
        return g * s * (1.0f + x * (1.0f - s));
    }
    default: return g;
    }
}

ALWAYS_INLINE int gradient_needs_input(const int kind, const float alpha) {
    return kind == ACT_GELU || kind == ACT_GELU_TANH || kind == ACT_SILU
        || ((kind == ACT_LEAKY_RELU || kind == ACT_ELU) && alpha < 0.0f);
}
