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

// BCE (0), BCE on logits (1) or L1 (2) over n elements: PixelLoss's formulas (PyTorch's), as
// Sources/CPUKernels/pixel_loss.c. g = grad_scale * d(term)/dp (the host passes 1 / n), and the
// sum of the terms, which the host scales by 1 / n.
__kernel void pixel_loss(const int n, const int kind, const float scale, const float grad_scale,
                         __global const float* p, __global const float* t, __global float* g, __global float* out,
                         __local float* partial) {
    float acc = 0.0f;
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) {
        const float pi = p[i], ti = t[i];
        if (kind == 0) {
            // BCELoss: PyTorch clamps each log at -100, so p = 0 or 1 gives a finite loss.
            acc -= ti * fmax(log(pi), -100.0f) + (1.0f - ti) * fmax(log1p(-pi), -100.0f);
            g[i] = grad_scale * (pi - ti) / fmax(pi * (1.0f - pi), 1e-12f);
        } else if (kind == 1) {
            acc += fmax(pi, 0.0f) - pi * ti + log1p(exp(-fabs(pi)));
            g[i] = grad_scale * (1.0f / (1.0f + exp(-pi)) - ti);
        } else {
            const float d = pi - ti;
            acc += fabs(d);
            g[i] = grad_scale * (float)((d > 0.0f) - (d < 0.0f));
        }
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
