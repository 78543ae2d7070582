// Counter-based random masks: dropout, and salt-and-pepper noise for a denoising autoencoder.
// Inverted dropout: element i is kept when
// uniform(key, i) >= p, and kept values are scaled by 1 / (1 - p). The key comes from
// (seed, step) on the host (DropoutMask.key in Swift); the draws are prelude.cl's `uniform`,
// which bias_activation.cl's fused kernels share.
// Forward and backward are the same map (the gradient passes where the value did), so both
// kernels are `dropout_map`.

ALWAYS_INLINE void dropout_map(const int n, const float p, const uint key, const float keep_scale,
                        __global const float* src, __global float* dst) {
    const int i = get_global_id(0);
    if (i < n) dst[i] = uniform(key, (uint)i) >= p ? src[i] * keep_scale : 0.0f;
}

__kernel void dropout_forward(const int n, const float p, const uint key, const float keep_scale,
                              __global const float* x, __global float* y) {
    dropout_map(n, p, key, keep_scale, x, y);
}

__kernel void dropout_backward(const int n, const float p, const uint key, const float keep_scale,
                               __global const float* dy, __global float* dx) {
    dropout_map(n, p, key, keep_scale, dy, dx);
}

// Salt-and-pepper noise from the same draws (another key): 0 below amount/2, 1 below amount.
__kernel void salt_and_pepper(const int n, const float amount, const uint key,
                              __global const float* x, __global float* y) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const float u = uniform(key, (uint)i);
    y[i] = u < 0.5f * amount ? 0.0f : u < amount ? 1.0f : x[i];
}
