#include "CPUKernels.h"
#include "kernel.h"

// Each product and sum rounded on its own, as the Swift loop this replaced rounded them (Swift
// never fuses a multiply and an add): a fused multiply-add would change the last bit of many
// updates, and a model trained with Adam amplifies that into its losses.
#pragma STDC FP_CONTRACT OFF

// `__builtin_elementwise_sqrt` rather than sqrtf: the same correctly rounded square root, but
// with no errno to set, so the loop vectorises (sqrtf's possible errno kept it scalar).
CPU_KERNEL
void adam_step(float *w, const float *g, float *m, float *v, int64_t count, float lr, float beta1, float beta2,
               float epsilon, float weight_decay, float first, float second) {
    for (int64_t i = 0; i < count; i++) {
        const float d = g[i] + weight_decay * w[i];
        const float mi = beta1 * m[i] + (1.0f - beta1) * d;
        const float vi = beta2 * v[i] + (1.0f - beta2) * d * d;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] - lr * (mi / first) / (__builtin_elementwise_sqrt(vi / second) + epsilon);
    }
}
