// ReLU and sigmoid. The backward kernels take the forward output y, from which both
// derivatives follow: relu' = (y > 0), sigmoid' = y * (1 - y).

__kernel void relu_forward(const int n, __global const float* x, __global float* y) {
    const int i = get_global_id(0);
    if (i < n) y[i] = fmax(x[i], 0.0f);
}

__kernel void relu_backward(const int n, __global const float* y, __global const float* dy,
                            __global float* dx) {
    const int i = get_global_id(0);
    if (i < n) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

__kernel void sigmoid_forward(const int n, __global const float* x, __global float* y) {
    const int i = get_global_id(0);
    if (i < n) y[i] = 1.0f / (1.0f + exp(-x[i]));
}

__kernel void sigmoid_backward(const int n, __global const float* y, __global const float* dy,
                               __global float* dx) {
    const int i = get_global_id(0);
    if (i < n) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}
