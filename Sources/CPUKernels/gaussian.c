#include <math.h>
#include "CPUKernels.h"
#include "kernel.h"

// A variational autoencoder's Gaussian bottleneck, as Kernels/gaussian.cl: each row of `stats`
// holds `features` means μ, then `features` log-variances log σ². The noise ε is a pure
// function of (key, element) (gaussian_normal), so backward draws the ε forward drew.

CPU_KERNEL
void reparameterize_forward(const float *stats, float *z, int64_t r0, int64_t r1, int64_t features, int sample,
                            uint32_t key) {
    for (int64_t r = r0; r < r1; r++) {
        const float *mu = stats + r * 2 * features, *log_var = mu + features;
        float *out = z + r * features;
        for (int64_t j = 0; j < features; j++) {
            out[j] = sample ? mu[j] + expf(0.5f * log_var[j]) * gaussian_normal(key, (uint32_t)(r * features + j)) : mu[j];
        }
    }
}

CPU_KERNEL
void reparameterize_backward(const float *stats, const float *dz, float *dstats, int64_t r0, int64_t r1,
                             int64_t features, uint32_t key) {
    for (int64_t r = r0; r < r1; r++) {
        const float *log_var = stats + r * 2 * features + features, *g = dz + r * features;
        float *d_mu = dstats + r * 2 * features, *d_log_var = d_mu + features;
        for (int64_t j = 0; j < features; j++) {
            const float eps = gaussian_normal(key, (uint32_t)(r * features + j));
            d_mu[j] = g[j];
            d_log_var[j] = 0.5f * g[j] * expf(0.5f * log_var[j]) * eps;
        }
    }
}

CPU_KERNEL
double gaussian_kl(const float *stats, float *gradient, int64_t r0, int64_t r1, int64_t features, float grad_scale) {
    double sum = 0;
    for (int64_t r = r0; r < r1; r++) {
        const float *mu = stats + r * 2 * features, *log_var = mu + features;
        for (int64_t j = 0; j < features; j++) {
            const float var = expf(log_var[j]);
            sum += -0.5f * (1.0f + log_var[j] - mu[j] * mu[j] - var);
            if (gradient) {
                gradient[r * 2 * features + j] += grad_scale * mu[j];
                gradient[r * 2 * features + features + j] += grad_scale * 0.5f * (var - 1.0f);
            }
        }
    }
    return sum;
}
