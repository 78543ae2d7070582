#include <math.h>
#include "CPUKernels.h"
#include "kernel.h"
#include "vector.h"

// Batch normalisation, channels [c0, c1) of x viewed as [outer, channels, inner], each channel
// in one pass of its own (as Kernels/batch_norm.cl gives each a work-group). Sums are taken in
// double: this is the reference the OpenCL kernel is checked against.
//
// Each sum runs in eight double lanes (element i of a run into lane i mod 8, then the lanes in
// order): one double accumulator made every addition wait for the previous one, four cycles
// each, and the conv-batchnorm model's BatchNorm2d(32) at batch 1000 took 9.9 ms a forward call,
// 12 % of its epoch. The lanes keep one summation order for a shape, whatever the thread count.

/// acc[i mod 8] += run[i] for i < n.
VECTOR_INLINE void add_run(vd8 *acc, const float *run, int64_t n) {
    int64_t i = 0;
    for (; i + LANES <= n; i += LANES) *acc += LOAD8D(run + i);
    for (int k = 0; i < n; i++, k++) (*acc)[k] += run[i];
}

/// acc[i mod 8] += (run[i] − mu)² for i < n.
VECTOR_INLINE void add_squares(vd8 *acc, const float *run, int64_t n, double mu) {
    int64_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        const vd8 d = LOAD8D(run + i) - mu;
        *acc += d * d;
    }
    for (int k = 0; i < n; i++, k++) (*acc)[k] += (run[i] - mu) * (run[i] - mu);
}

/// dy's sum and the sum of dy·x̂ (x̂ = (x − m)·r, in float as the output was) over one run.
VECTOR_INLINE void add_gradient_sums(vd8 *sum_dy, vd8 *sum_dy_xhat, const float *dy, const float *x, int64_t n,
                                     float m, float r) {
    int64_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        const vf8 xhat = (load8(x + i) - m) * r;
        *sum_dy += LOAD8D(dy + i);
        *sum_dy_xhat += __builtin_convertvector(load8(dy + i) * xhat, vd8);
    }
    for (int k = 0; i < n; i++, k++) {
        (*sum_dy)[k] += dy[i];
        (*sum_dy_xhat)[k] += dy[i] * ((x[i] - m) * r);
    }
}

CPU_KERNEL
void batch_norm_forward(const float *x, float *y, int64_t outer, int64_t channels, int64_t inner, int64_t c0,
                        int64_t c1, const float *scale, const float *shift, float epsilon, int use_batch,
                        float running_factor, float *running_mean, float *running_var, float *mean, float *inv_std) {
    const int64_t n = outer * inner;
    for (int64_t c = c0; c < c1; c++) {
        float m, v;
        if (use_batch) {
            vd8 sums = {0}, square_sums = {0};
            for (int64_t o = 0; o < outer; o++) add_run(&sums, x + (o * channels + c) * inner, inner);
            const double mu = lane_sum8d(&sums) / (double)n;
            for (int64_t o = 0; o < outer; o++) add_squares(&square_sums, x + (o * channels + c) * inner, inner, mu);
            const double squares = lane_sum8d(&square_sums);
            m = (float)mu;
            v = (float)(squares / (double)n);
            if (running_factor >= 0) {
                // PyTorch updates the running variance with the unbiased estimate.
                const float unbiased = n > 1 ? (float)(squares / (double)(n - 1)) : v;
                running_mean[c] = (1 - running_factor) * running_mean[c] + running_factor * m;
                running_var[c] = (1 - running_factor) * running_var[c] + running_factor * unbiased;
            }
        } else {
            m = running_mean[c];
            v = running_var[c];
        }
        const float r = 1.0f / sqrtf(v + epsilon);
        mean[c] = m;
        inv_std[c] = r;
        const float a = scale ? scale[c] : 1.0f, b = shift ? shift[c] : 0.0f;
        for (int64_t o = 0; o < outer; o++) {
            const float *run = x + (o * channels + c) * inner;
            float *out = y + (o * channels + c) * inner;
            for (int64_t i = 0; i < inner; i++) out[i] = (run[i] - m) * r * a + b;
        }
    }
}

CPU_KERNEL
void batch_norm_backward(const float *x, const float *dy, float *dx, int64_t outer, int64_t channels, int64_t inner,
                         int64_t c0, int64_t c1, const float *scale, const float *mean, const float *inv_std,
                         float *scale_grad, float *shift_grad) {
    const int64_t n = outer * inner;
    for (int64_t c = c0; c < c1; c++) {
        const float m = mean[c], r = inv_std[c];
        vd8 sums_dy = {0}, sums_dy_xhat = {0};
        for (int64_t o = 0; o < outer; o++) {
            const int64_t base = (o * channels + c) * inner;
            add_gradient_sums(&sums_dy, &sums_dy_xhat, dy + base, x + base, inner, m, r);
        }
        const double sum_dy = lane_sum8d(&sums_dy), sum_dy_xhat = lane_sum8d(&sums_dy_xhat);
        if (scale_grad) scale_grad[c] = (float)sum_dy_xhat;
        if (shift_grad) shift_grad[c] = (float)sum_dy;
        // dx = a r / n (n dy - sum dy - xhat sum(dy xhat)), the batch statistics' own gradient included.
        const float k = (scale ? scale[c] : 1.0f) * r / (float)n;
        const float mean_dy = (float)sum_dy, mean_dy_xhat = (float)sum_dy_xhat;
        for (int64_t o = 0; o < outer; o++) {
            const int64_t base = (o * channels + c) * inner;
            for (int64_t i = 0; i < inner; i++) {
                const float xhat = (x[base + i] - m) * r;
                dx[base + i] = k * ((float)n * dy[base + i] - mean_dy - xhat * mean_dy_xhat);
            }
        }
    }
}
