#include "CPUKernels.h"
#include "activation.h"
#include "kernel.h"

// The activation and the mask are arguments of the ops but constants of each loop: every loop
// below is instantiated for each (activation kind, dropout) pair by the dispatch at the bottom
// of its function (always_inline with literal arguments), so each instance is a branch-free
// loop the compiler vectorises where its functions allow (ReLU's, LeakyReLU's, Hardtanh's), as
// the unfused kernels' loops are.
#define INLINE static inline __attribute__((always_inline))

INLINE void forward_run(const float *x, float b, float *y, int64_t n, int kind, float alpha, float beta, int masked,
                        float p, float keep_scale, uint32_t key, int64_t first) {
    for (int64_t i = 0; i < n; i++) {
        float v = activate(kind, alpha, beta, x[i] + b);
        // The index wraps at 2^32 as the mask's definition does.
        if (masked) v = dropout_uniform(key, (uint32_t)(first + i)) >= p ? v * keep_scale : 0.0f;
        y[i] = v;
    }
}

// Only kinds whose gradient follows from the output reach here (the op checks it).
INLINE void backward_run(const float *y, const float *dy, float *dx, int64_t n, int kind, float alpha, float beta,
                         int masked, float p, float keep_scale, uint32_t key, int64_t first) {
    for (int64_t i = 0; i < n; i++) {
        float g = dy[i], out = y[i];
        if (masked && kind == ACT_RELU) {
            // After ReLU the mask needs no draw: y > 0 exactly where the element was kept and
            // its input positive, and the gradient is zero everywhere else either way.
            dx[i] = out > 0 ? g * keep_scale : 0.0f;
            continue;
        }
        if (masked) {
            const int kept = dropout_uniform(key, (uint32_t)(first + i)) >= p;
            g = kept ? g * keep_scale : 0.0f;
            // The activation's own output is y before the kept values were scaled.
            out = out / keep_scale;
        }
        dx[i] = gradient_from_output(kind, alpha, beta, g, out);
    }
}

// Calls RUN(kind, masked) with both as literals, for the (kind, p > 0) given.
#define DISPATCH(RUN, kind, p)                                   \
    if ((p) > 0) {                                               \
        ACTIVATION_DISPATCH(RUN##_MASKED, kind)                  \
    } else {                                                     \
        ACTIVATION_DISPATCH(RUN##_PLAIN, kind)                   \
    }

// In place (y == x), as every fused forward calls it (the GEMM's or the convolution's output
// gets its epilogue where it lies), the loop is instantiated with one pointer for both. With two
// pointers the compiler cannot know they never partly overlap, so it guards the vector loop with
// a test that they are far enough apart, which x == y fails: every in-place call ran the scalar
// loop (3 ns an element with dropout's hash, 5-9x the vector loop's time on conv-linear's first layer).
CPU_KERNEL
void bias_activation_forward(const float *x, const float *bias, float *y, int64_t rows, int64_t channels,
                             int64_t inner, int activation, float alpha, float beta, float p, uint32_t key,
                             int64_t first) {
    const float keep_scale = 1.0f / (1.0f - p);
    const int in_place = x == y;
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t c = 0; c < channels; c++) {
            const int64_t base = (r * channels + c) * inner;
#define FORWARD(K, M)                                                                                         \
    if (in_place) forward_run(y + base, bias[c], y + base, inner, K, alpha, beta, M, p, keep_scale, key, first + base); \
    else forward_run(x + base, bias[c], y + base, inner, K, alpha, beta, M, p, keep_scale, key, first + base)
#define FORWARD_PLAIN(K) FORWARD(K, 0)
#define FORWARD_MASKED(K) FORWARD(K, 1)
            DISPATCH(FORWARD, activation, p)
#undef FORWARD
#undef FORWARD_PLAIN
#undef FORWARD_MASKED
        }
    }
}

// Each row's input gradient first (vectorised), then its runs summed by bias_gradient_rows, each
// from its first float to its last as the unfused bias gradient is, so the result is the
// unfused one to the bit; the row is still in cache for the second pass.
CPU_KERNEL
void bias_activation_backward_rows(const float *y, const float *dy, float *dx, float *run_sums, int64_t rows,
                                   int64_t channels, int64_t inner, int activation, float alpha, float beta, float p,
                                   uint32_t key, int64_t first) {
    const float keep_scale = 1.0f / (1.0f - p);
    const int64_t length = channels * inner;
    for (int64_t r = 0; r < rows; r++) {
        const int64_t base = r * length;
#define BACKWARD(K, M) backward_run(y + base, dy + base, dx + base, length, K, alpha, beta, M, p, keep_scale, key, first + base)
#define BACKWARD_PLAIN(K) BACKWARD(K, 0)
#define BACKWARD_MASKED(K) BACKWARD(K, 1)
        DISPATCH(BACKWARD, activation, p)
#undef BACKWARD
#undef BACKWARD_PLAIN
#undef BACKWARD_MASKED
        bias_gradient_rows(dx + base, run_sums + r * channels, 1, channels, inner);
    }
}
