// A layer's bias, its activation and its dropout in one pass (the tensor viewed as bias.cl's
// [outer, C, inner]); prelude.cl's `activate` and `gradient_from_output` (gemm.cl's epilogue
// uses the first too); p = 0 is no dropout. The arithmetic is that of the unfused kernels
// (activation.cl, dropout.cl, bias.cl) in the same order, so a fused model trains as an
// unfused one does.

// One work-item per element; y may be x.
__kernel void bias_activation_forward(const int n, const int C, const int inner, const int activation,
                                      const float act_alpha, const float act_beta,
                                      const float p, const uint key, const float keep_scale,
                                      __global const float* x, __global const float* bias, __global float* y) {
    const int i = get_global_id(0);
    if (i >= n) return;
    float v = activate(activation, act_alpha, act_beta, x[i] + bias[(i / inner) % C]);
    if (p > 0.0f) v = uniform(key, (uint)i) >= p ? v * keep_scale : 0.0f;
    y[i] = v;
}

// One work-group per channel, as bias_gradient: its work-items stride over the channel's
// elements, write each one's input gradient, and sum those in local memory for the bias.
// Only for kinds whose gradient follows from the output (the host checks it).
__kernel void bias_activation_backward(const int outer, const int C, const int inner, const int activation,
                                       const float act_alpha, const float act_beta,
                                       const float p, const uint key, const float keep_scale,
                                       __global const float* y, __global const float* dy, __global float* dx,
                                       __global float* db, __local float* partial) {
    const int c = get_group_id(0);
    const int lid = get_local_id(0), size = get_local_size(0);
    float acc = 0.0f;
    for (int e = lid; e < outer * inner; e += size) {
        const int index = ((e / inner) * C + c) * inner + e % inner;
        float g = dy[index], out = y[index];
        if (activation == ACT_RELU) {
            // After ReLU the mask needs no draw: y > 0 exactly where the element was kept and
            // its input positive (keep_scale is 1 without dropout).
            g = out > 0.0f ? g * keep_scale : 0.0f;
        } else {
            if (p > 0.0f) {
                // The activation's own output is y before the kept values were scaled.
                if (uniform(key, (uint)index) >= p) { g *= keep_scale; out /= keep_scale; } else g = 0.0f;
            }
            g = gradient_from_output(activation, act_alpha, act_beta, g, out);
        }
        dx[index] = g;
        acc += g;
    }
    work_group_sum(partial, acc, size);
    if (lid == 0) db[c] = partial[0];
}
