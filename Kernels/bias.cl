// Bias of Linear and Conv2d layers. The tensor is viewed as [outer, C, inner]:
// a Linear output [batch, features] has inner = 1, a Conv2d output [N, C, H, W] inner = H*W.

__kernel void bias_add(const int n, const int C, const int inner, __global float* x,
                       __global const float* bias) {
    const int i = get_global_id(0);
    if (i < n) x[i] += bias[(i / inner) % C];
}

// One work-group per channel: work-items stride over the channel's outer*inner elements, then
// add their partial sums in local memory. BIAS_WG is a power of two set at build time.
#ifndef BIAS_WG
#define BIAS_WG 256
#endif
__kernel __attribute__((reqd_work_group_size(BIAS_WG, 1, 1)))
void bias_gradient(const int outer, const int C, const int inner, __global const float* dy,
                   __global float* db) {
    __local float partial[BIAS_WG];
    const int c = get_group_id(0);
    const int lid = get_local_id(0);
    float acc = 0.0f;
    for (int e = lid; e < outer * inner; e += BIAS_WG) {
        const int o = e / inner, i = e % inner;
        acc += dy[(o * C + c) * inner + i];
    }
    partial[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width_ = BIAS_WG / 2; width_ > 0; width_ /= 2) {
        if (lid < width_) partial[lid] += partial[lid + width_];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) db[c] = partial[0];
}
