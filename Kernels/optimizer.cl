// Parameter updates with PyTorch's rules (torch.optim.SGD and Adam, weight decay added to
// the gradient, dampening 0). One work-item per parameter.

// v = momentum * v + d;  d = nesterov ? d + momentum * v : v;  w -= lr * d
// where d = g + weight_decay * w. With use_velocity = 0, v is not touched (plain SGD).
__kernel void sgd_step(const int n, const float lr, const float momentum, const int nesterov,
                       const float weight_decay, const int use_velocity, __global float* w,
                       __global const float* g, __global float* v) {
    const int i = get_global_id(0);
    if (i >= n) return;
    float d = g[i] + weight_decay * w[i];
    if (use_velocity) {
        const float vi = momentum * v[i] + d;
        v[i] = vi;
        d = nesterov ? d + momentum * vi : vi;
    }
    w[i] -= lr * d;
}

// c1 = 1 - beta1^t and c2 = 1 - beta2^t come from the host (AdamCorrection), in Double there.
__kernel void adam_step(const int n, const float lr, const float beta1, const float beta2,
                        const float epsilon, const float weight_decay, const float c1, const float c2,
                        __global float* w, __global const float* g, __global float* m, __global float* v) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const float d = g[i] + weight_decay * w[i];
    const float mi = beta1 * m[i] + (1.0f - beta1) * d;
    const float vi = beta2 * v[i] + (1.0f - beta2) * d * d;
    m[i] = mi;
    v[i] = vi;
    w[i] -= lr * (mi / c1) / (sqrt(vi / c2) + epsilon);
}
