// Batch normalisation of x viewed as [outer, C, inner], one work-group per channel (as
// bias_gradient): its work-items stride over the channel's outer*inner values, sum in local
// memory (prelude.cl's work_group_sum), and write the channel's outputs. The arithmetic is
// Sources/CPUKernels/batch_norm.c's, with float sums.

// The element e of channel c (e over outer*inner).
ALWAYS_INLINE int channel_index(const int e, const int C, const int c, const int inner) {
    return ((e / inner) * C + c) * inner + e % inner;
}

// Sums `value` over the work-group and gives every work-item the total; a barrier after the
// read, so the next call may reuse `partial`.
ALWAYS_INLINE float group_total(__local float* partial, const float value, const int size) {
    work_group_sum(partial, value, size);
    const float total = partial[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

// use_batch: the batch's statistics (and, where running_factor >= 0, the running ones moved
// toward them); else the running ones. has_affine: scale and shift are the layer's weight and bias.
__kernel void batch_norm_forward(const int outer, const int C, const int inner, const float epsilon,
                                 const int use_batch, const float running_factor, const int has_affine,
                                 __global const float* x, __global float* y, __global const float* scale,
                                 __global const float* shift, __global float* running_mean,
                                 __global float* running_var, __global float* mean, __global float* inv_std,
                                 __local float* partial) {
    const int c = get_group_id(0), lid = get_local_id(0), size = get_local_size(0), n = outer * inner;
    // The sums run in every mode (over nothing for the running statistics), so every work-item
    // meets every barrier outside any branch: PoCL, for one, mishandles barriers in branches.
    const int terms = use_batch ? n : 0;
    float acc = 0.0f;
    for (int e = lid; e < terms; e += size) acc += x[channel_index(e, C, c, inner)];
    const float batch_mean = group_total(partial, acc, size) / (float)n;
    acc = 0.0f;
    for (int e = lid; e < terms; e += size) {
        const float d = x[channel_index(e, C, c, inner)] - batch_mean;
        acc += d * d;
    }
    const float squares = group_total(partial, acc, size);
    float m = batch_mean, v = squares / (float)n;
    if (!use_batch) {
        m = running_mean[c];
        v = running_var[c];
    } else if (lid == 0 && running_factor >= 0.0f) {
        // Only work-item 0 touches the running statistics in this mode: no other reads them.
        const float unbiased = n > 1 ? squares / (float)(n - 1) : v;
        running_mean[c] = (1.0f - running_factor) * running_mean[c] + running_factor * m;
        running_var[c] = (1.0f - running_factor) * running_var[c] + running_factor * unbiased;
    }
    const float r = 1.0f / sqrt(v + epsilon);
    if (lid == 0) { mean[c] = m; inv_std[c] = r; }
    const float a = has_affine ? scale[c] : 1.0f, b = has_affine ? shift[c] : 0.0f;
    for (int e = lid; e < n; e += size) {
        const int i = channel_index(e, C, c, inner);
        y[i] = (x[i] - m) * r * a + b;
    }
}

__kernel void batch_norm_backward(const int outer, const int C, const int inner, const int has_affine,
                                  __global const float* x, __global const float* dy, __global float* dx,
                                  __global const float* scale, __global const float* mean,
                                  __global const float* inv_std, __global float* scale_grad,
                                  __global float* shift_grad, __local float* partial) {
    const int c = get_group_id(0), lid = get_local_id(0), size = get_local_size(0), n = outer * inner;
    const float m = mean[c], r = inv_std[c];
    float acc_dy = 0.0f, acc_dy_xhat = 0.0f;
    for (int e = lid; e < n; e += size) {
        const int i = channel_index(e, C, c, inner);
        acc_dy += dy[i];
        acc_dy_xhat += dy[i] * ((x[i] - m) * r);
    }
    const float sum_dy = group_total(partial, acc_dy, size);
    const float sum_dy_xhat = group_total(partial, acc_dy_xhat, size);
    if (lid == 0 && has_affine) { scale_grad[c] = sum_dy_xhat; shift_grad[c] = sum_dy; }
    const float k = (has_affine ? scale[c] : 1.0f) * r / (float)n;
    for (int e = lid; e < n; e += size) {
        const int i = channel_index(e, C, c, inner);
        dx[i] = k * ((float)n * dy[i] - sum_dy - (x[i] - m) * r * sum_dy_xhat);
    }
}
