// Vector ops on whole buffers: fill, copy, axpy, scale. One work-item per element.

__kernel void fill(const int n, const float value, __global float* x) {
    const int i = get_global_id(0);
    if (i < n) x[i] = value;
}

__kernel void copy(const int n, __global const float* x, __global float* y) {
    const int i = get_global_id(0);
    if (i < n) y[i] = x[i];
}

// y += alpha * x
__kernel void axpy(const int n, const float alpha, __global const float* x, __global float* y) {
    const int i = get_global_id(0);
    if (i < n) y[i] = fma(alpha, x[i], y[i]);
}

__kernel void scale(const int n, const float alpha, __global float* x) {
    const int i = get_global_id(0);
    if (i < n) x[i] *= alpha;
}
