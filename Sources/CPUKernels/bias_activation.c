#include <math.h>
#include "CPUKernels.h"
#include "kernel.h"

// The activation and the mask are arguments of the ops but constants of each loop: every loop
// below is instantiated for each (activation, dropout) pair by the dispatch at the bottom of
// its function (always_inline with literal arguments), so each instance is a branch-free loop
// the compiler vectorises, as the unfused kernels' loops are.
#define INLINE static inline __attribute__((always_inline))

// The activations as the unfused ops compute them (relu_forward keeps a NaN; sigmoid as
// CPUBackend.sigmoidForward), so a fused model gives the unfused one's numbers.
INLINE float activate(int activation, float z) {
    if (activation == 1) return z < 0 ? 0 : z;
    if (activation == 2) return 1.0f / (1.0f + expf(-z));
    return z;
}

INLINE void forward_run(const float *x, float b, float *y, int64_t n, int activation, int masked, float p,
                        float keep_scale, uint32_t key, int64_t first) {
    for (int64_t i = 0; i < n; i++) {
        float v = activate(activation, x[i] + b);
        // The index wraps at 2^32 as the mask's definition does.
        if (masked) v = dropout_uniform(key, (uint32_t)(first + i)) >= p ? v * keep_scale : 0.0f;
        y[i] = v;
    }
}

INLINE void backward_run(const float *y, const float *dy, float *dx, int64_t n, int activation, int masked, float p,
                         float keep_scale, uint32_t key, int64_t first) {
    for (int64_t i = 0; i < n; i++) {
        float g = dy[i], out = y[i];
        if (masked && activation == 1) {
            // After ReLU the mask needs no draw: y > 0 exactly where the element was kept and
            // its input positive, and the gradient is zero everywhere else either way.
            dx[i] = out > 0 ? g * keep_scale : 0.0f;
            continue;
        }
        if (masked) {
            const int kept = dropout_uniform(key, (uint32_t)(first + i)) >= p;
            g = kept ? g * keep_scale : 0.0f;
            // Sigmoid's own output is y before the kept values were scaled.
            if (activation == 2) out = out / keep_scale;
        }
        if (activation == 1) g = out > 0 ? g : 0;
        else if (activation == 2) g = g * out * (1 - out);
        dx[i] = g;
    }
}

// Calls RUN(activation, masked) with both as literals, for the (activation, p > 0) given.
#define DISPATCH(RUN, activation, p)                                                  \
    switch ((activation) * 2 + ((p) > 0)) {                                           \
    case 0: RUN(0, 0); break; case 1: RUN(0, 1); break;                               \
    case 2: RUN(1, 0); break; case 3: RUN(1, 1); break;                               \
    case 4: RUN(2, 0); break; default: RUN(2, 1); break;                              \
    }

// In place (y == x), as every fused forward calls it (the GEMM's or the convolution's output
// gets its epilogue where it lies), the loop is instantiated with one pointer for both. With two
// pointers the compiler cannot know they never partly overlap, so it guards the vector loop with
// a test that they are far enough apart, which x == y fails: every in-place call ran the scalar
// loop (3 ns an element with dropout's hash, 5-9x the vector loop's time on S4's first layer).
CPU_KERNEL
void bias_activation_forward(const float *x, const float *bias, float *y, int64_t rows, int64_t channels,
                             int64_t inner, int activation, float p, uint32_t key, int64_t first) {
    const float keep_scale = 1.0f / (1.0f - p);
    const int in_place = x == y;
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t c = 0; c < channels; c++) {
            const int64_t base = (r * channels + c) * inner;
#define FORWARD(A, M)                                                                                       \
    if (in_place) forward_run(y + base, bias[c], y + base, inner, A, M, p, keep_scale, key, first + base);  \
    else forward_run(x + base, bias[c], y + base, inner, A, M, p, keep_scale, key, first + base)
            DISPATCH(FORWARD, activation, p)
#undef FORWARD
        }
    }
}

// Each row's input gradient first (vectorised), then its runs summed by bias_gradient_rows, each
// from its first float to its last as the unfused bias gradient is, so the result is the
// unfused one to the bit; the row is still in cache for the second pass.
CPU_KERNEL
void bias_activation_backward_rows(const float *y, const float *dy, float *dx, float *run_sums, int64_t rows,
                                   int64_t channels, int64_t inner, int activation, float p, uint32_t key,
                                   int64_t first) {
    const float keep_scale = 1.0f / (1.0f - p);
    const int64_t length = channels * inner;
    for (int64_t r = 0; r < rows; r++) {
        const int64_t base = r * length;
#define BACKWARD(A, M) backward_run(y + base, dy + base, dx + base, length, A, M, p, keep_scale, key, first + base)
        DISPATCH(BACKWARD, activation, p)
#undef BACKWARD
        bias_gradient_rows(dx + base, run_sums + r * channels, 1, channels, inner);
    }
}
