// The losses, each one kernel that writes the gradient of the mean loss and sums the loss as
// reduce.cl's kernels do (`store_sum`: one launch for a batch, reduce_finish after a launch of
// several work-groups).

// MSE over n elements: g = d/dp mean((p - t)^2) = 2 (p - t) / n (the host passes
// grad_scale = 2 / n), and the sum of (p - t)^2, which the host scales by 1 / n.
__kernel void mse_loss(const int n, const float scale, const float grad_scale, __global const float* p,
                       __global const float* t, __global float* g, __global float* out, __local float* partial) {
    float acc = 0.0f;
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) {
        const float d = p[i] - t[i];
        g[i] = grad_scale * d;
        acc += d * d;
    }
    store_sum(out, partial, acc, scale);
}

// Softmax cross-entropy over rows of `classes` logits (the reports have 10), a row per
// work-item in turn. Writes the gradient of the mean loss, (softmax - target) / rows, and sums
// each row's loss -sum target * log softmax, computed with the row maximum subtracted for
// stability; the host scales the sum by 1 / rows.
__kernel void softmax_cross_entropy(const int rows, const int classes, const float scale, __global const float* z,
                                    __global const float* t, __global float* g, __global float* out,
                                    __local float* partial) {
    float acc = 0.0f;
    for (int r = get_global_id(0); r < rows; r += get_global_size(0)) {
        __global const float* zr = z + r * classes;
        __global const float* tr = t + r * classes;
        __global float* gr = g + r * classes;
        float top = -INFINITY;
        for (int c = 0; c < classes; ++c) top = fmax(top, zr[c]);
        float total = 0.0f;
        for (int c = 0; c < classes; ++c) total += exp(zr[c] - top);
        const float log_total = log(total);
        for (int c = 0; c < classes; ++c) {
            const float log_p = zr[c] - top - log_total;
            acc -= tr[c] * log_p;
            gr[c] = (exp(log_p) - tr[c]) / (float)rows;
        }
    }
    store_sum(out, partial, acc, scale);
}
