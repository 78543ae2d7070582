// Sums to one number: a kernel named for what it sums (sum, squared_difference_sum,
// binary_agreement_sum) adds scale * the sum to acc[0] where it runs as one work-group (a
// small tensor: one launch); in several, each writes its partial sum (`store_sum`) and
// reduce_finish adds those up in one work-group and adds scale * total to acc[0].
// The work-group size is the host's choice at launch (a power of two; `partial` holds one
// float per work-item): a device may allow fewer work-items in a kernel with barriers than
// KernelConstants prefers (Mesa's llvmpipe: 32).

// The first pass of a reduction whose i-th term is TERM (an expression in a, b and i); every
// one takes a and b, so the host launches them alike.
#define REDUCTION(NAME, TERM) \
__kernel void NAME(const int n, const float scale, __global const float* a, __global const float* b, \
                   __global float* out, __local float* partial) { \
    float acc = 0.0f; \
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) acc += (TERM); \
    store_sum(out, partial, acc, scale); \
}

REDUCTION(sum, a[i])
REDUCTION(squared_difference_sum, (a[i] - b[i]) * (a[i] - b[i]))
// 1 where a[i] and b[i] round to the same 0/1 value (an autoencoder's binary accuracy).
REDUCTION(binary_agreement_sum, (a[i] >= 0.5f) == (b[i] >= 0.5f) ? 1.0f : 0.0f)

__kernel void reduce_finish(const int count, const float scale, __global const float* partials,
                            __global float* acc, __local float* partial) {
    const int lid = get_local_id(0);
    float sum = 0.0f;
    for (int i = lid; i < count; i += get_local_size(0)) sum += partials[i];
    work_group_sum(partial, sum, get_local_size(0));
    if (lid == 0) acc[0] += scale * partial[0];
}
