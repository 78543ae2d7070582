// Loss gradients. The loss values themselves are summed by reduce.cl's kernels.

// MSE over n elements: d/dp mean((p - t)^2) = 2 (p - t) / n; the host passes scale = 2 / n.
__kernel void mse_loss(const int n, const float scale, __global const float* p,
                           __global const float* t, __global float* g) {
    const int i = get_global_id(0);
    if (i < n) g[i] = scale * (p[i] - t[i]);
}

// Softmax cross-entropy, one work-item per row of `classes` logits (the reports have 10).
// Writes the gradient of the mean loss, (softmax - target) / rows, and each row's loss
// -sum target * log softmax, computed with the row maximum subtracted for stability.
__kernel void softmax_cross_entropy(const int rows, const int classes, __global const float* z,
                                __global const float* t, __global float* g, __global float* row_loss) {
    const int r = get_global_id(0);
    if (r >= rows) return;
    __global const float* zr = z + r * classes;
    __global const float* tr = t + r * classes;
    __global float* gr = g + r * classes;
    float top = -INFINITY;
    for (int c = 0; c < classes; ++c) top = fmax(top, zr[c]);
    float total = 0.0f;
    for (int c = 0; c < classes; ++c) total += exp(zr[c] - top);
    const float log_total = log(total);
    float loss = 0.0f;
    for (int c = 0; c < classes; ++c) {
        const float log_p = zr[c] - top - log_total;
        loss -= tr[c] * log_p;
        gr[c] = (exp(log_p) - tr[c]) / (float)rows;
    }
    row_loss[r] = loss;
}
