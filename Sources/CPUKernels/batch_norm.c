#include <math.h>
#include "CPUKernels.h"
#include "kernel.h"

// Batch normalisation, channels [c0, c1) of x viewed as [outer, channels, inner], each channel
// in one pass of its own (as Kernels/batch_norm.cl gives each a work-group). Sums are taken in
// double: this is the reference the OpenCL kernel is checked against.

CPU_KERNEL
void batch_norm_forward(const float *x, float *y, int64_t outer, int64_t channels, int64_t inner, int64_t c0,
                        int64_t c1, const float *scale, const float *shift, float epsilon, int use_batch,
                        float running_factor, float *running_mean, float *running_var, float *mean, float *inv_std) {
    const int64_t n = outer * inner;
    for (int64_t c = c0; c < c1; c++) {
        float m, v;
        if (use_batch) {
            double sum = 0, squares = 0;
            for (int64_t o = 0; o < outer; o++) {
                const float *run = x + (o * channels + c) * inner;
                for (int64_t i = 0; i < inner; i++) sum += run[i];
            }
            const double mu = sum / (double)n;
            for (int64_t o = 0; o < outer; o++) {
                const float *run = x + (o * channels + c) * inner;
                for (int64_t i = 0; i < inner; i++) squares += (run[i] - mu) * (run[i] - mu);
            }
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
        double sum_dy = 0, sum_dy_xhat = 0;
        for (int64_t o = 0; o < outer; o++) {
            const int64_t base = (o * channels + c) * inner;
            for (int64_t i = 0; i < inner; i++) {
                sum_dy += dy[base + i];
                sum_dy_xhat += dy[base + i] * ((x[base + i] - m) * r);
            }
        }
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
