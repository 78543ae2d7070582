// Bias of Linear and Conv2d layers. The tensor is viewed as [outer, C, inner]:
// a Linear output [batch, features] has inner = 1, a Conv2d output [N, C, H, W] inner = H*W.

__kernel void bias_add(const int n, const int C, const int inner, __global float* x,
                       __global const float* bias) {
    const int i = get_global_id(0);
    if (i < n) x[i] += bias[(i / inner) % C];
}

// One work-group per channel: work-items stride over the channel's outer*inner elements, then
// add their partial sums in local memory (`partial`, one float per work-item; the host picks
// the group's size, a power of two).
__kernel void bias_gradient(const int outer, const int C, const int inner, __global const float* dy,
                            __global float* db, __local float* partial) {
    const int c = get_group_id(0);
    const int lid = get_local_id(0), size = get_local_size(0);
    float acc = 0.0f;
    for (int e = lid; e < outer * inner; e += size) {
        const int o = e / inner, i = e % inner;
        acc += dy[(o * C + c) * inner + i];
    }
    work_group_sum(partial, acc, size);
    if (lid == 0) db[c] = partial[0];
}
