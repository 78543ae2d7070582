// A variational autoencoder's Gaussian bottleneck, as Sources/CPUKernels/gaussian.c: each row
// of `stats` holds `features` means mu, then `features` log-variances. Element i of z (row
// i / features, feature i % features) draws eps from (key, i), so the backward kernel draws the
// forward kernel's eps again.

// A standard normal draw: Box-Muller of the uniforms at 2i and 2i + 1 (1 - u1 in (0, 1], so
// the log is finite), as CPUKernels.h's gaussian_normal.
ALWAYS_INLINE float normal_draw(const uint key, const uint index) {
    const float u1 = uniform(key, 2u * index), u2 = uniform(key, 2u * index + 1u);
    return sqrt(-2.0f * log(1.0f - u1)) * cos(6.2831853071795865f * u2);
}

// z = mu + exp(log_var / 2) * eps, or mu where `sample` is 0; one work-item an element of z.
__kernel void reparameterize_forward(const int n, const int features, const int sample, const uint key,
                                     __global const float* stats, __global float* z) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const int row = i / features, j = i - row * features;
    const float mu = stats[2 * row * features + j];
    if (!sample) { z[i] = mu; return; }
    const float log_var = stats[2 * row * features + features + j];
    z[i] = mu + exp(0.5f * log_var) * normal_draw(key, (uint)i);
}

// d mu = dz, d log_var = dz * sigma * eps / 2, written; one work-item an element of z.
__kernel void reparameterize_backward(const int n, const int features, const uint key, __global const float* stats,
                                      __global const float* dz, __global float* dstats) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const int row = i / features, j = i - row * features;
    const float log_var = stats[2 * row * features + features + j];
    dstats[2 * row * features + j] = dz[i];
    dstats[2 * row * features + features + j] = 0.5f * dz[i] * exp(0.5f * log_var) * normal_draw(key, (uint)i);
}

// The KL divergence of N(mu, sigma^2) from N(0, 1), -(1 + log_var - mu^2 - sigma^2) / 2, summed
// over the n = rows * features pairs (the host scales the sum); where has_gradient, adds
// grad_scale * (mu, (sigma^2 - 1) / 2) to g, each pair by the one work-item that reads it.
__kernel void gaussian_kl(const int n, const int features, const float scale, const float grad_scale,
                          const int has_gradient, __global const float* stats, __global float* g, __global float* out,
                          __local float* partial) {
    float acc = 0.0f;
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) {
        const int row = i / features, j = i - row * features;
        const int m = 2 * row * features + j, v = m + features;
        const float mu = stats[m], log_var = stats[v], var = exp(log_var);
        acc += -0.5f * (1.0f + log_var - mu * mu - var);
        if (has_gradient) {
            g[m] += grad_scale * mu;
            g[v] += grad_scale * 0.5f * (var - 1.0f);
        }
    }
    store_sum(out, partial, acc, scale);
}
