#include <math.h>
#include "CPUKernels.h"
#include "kernel.h"

// The activations as the unfused ops compute them (relu_forward keeps a NaN; sigmoid as
// CPUBackend.sigmoidForward), so a fused model gives the unfused one's numbers.
static inline float activate(int activation, float z) {
    switch (activation) {
    case 1: return z < 0 ? 0 : z;
    case 2: return 1.0f / (1.0f + expf(-z));
    default: return z;
    }
}

CPU_KERNEL
void bias_activation_forward(const float *x, const float *bias, float *y, int64_t rows, int64_t channels,
                             int64_t inner, int activation, float p, uint32_t key, int64_t first) {
    const float keep_scale = 1.0f / (1.0f - p);
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t c = 0; c < channels; c++) {
            const int64_t base = (r * channels + c) * inner;
            const float b = bias[c];
            for (int64_t i = 0; i < inner; i++) {
                float v = activate(activation, x[base + i] + b);
                // The index wraps at 2^32 as the mask's definition does.
                if (p > 0) v = dropout_uniform(key, (uint32_t)(first + base + i)) >= p ? v * keep_scale : 0.0f;
                y[base + i] = v;
            }
        }
    }
}

// Each run's gradient is summed from its first float to its last, as bias_gradient_rows does,
// so the bias gradient is the unfused one's to the bit.
CPU_KERNEL
void bias_activation_backward_rows(const float *y, const float *dy, float *dx, float *run_sums, int64_t rows,
                                   int64_t channels, int64_t inner, int activation, float p, uint32_t key,
                                   int64_t first) {
    const float keep_scale = 1.0f / (1.0f - p);
    for (int64_t run = 0; run < rows * channels; run++) {
        const int64_t base = run * inner;
        float sum = 0;
        for (int64_t i = 0; i < inner; i++) {
            float g = dy[base + i], out = y[base + i];
            if (p > 0) {
                // The activation's own output is y before the kept values were scaled.
                if (dropout_uniform(key, (uint32_t)(first + base + i)) >= p) { g *= keep_scale; out /= keep_scale; }
                else g = 0;
            }
            if (activation == 1) g = out > 0 ? g : 0;
            else if (activation == 2) g = g * out * (1 - out);
            dx[base + i] = g;
            sum += g;
        }
        run_sums[run] = sum;
    }
}
