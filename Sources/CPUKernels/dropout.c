#include "CPUKernels.h"
#include "kernel.h"

CPU_KERNEL
void salt_and_pepper(const float *src, float *dst, int64_t first, int64_t count, float amount, uint32_t key) {
    const float half = 0.5f * amount;
    for (int64_t i = 0; i < count; i++) {
        float u = dropout_uniform(key, (uint32_t)(first + i));
        dst[i] = u < half ? 0.0f : u < amount ? 1.0f : src[i];
    }
}

CPU_KERNEL
void dropout_apply(const float *src, float *dst, int64_t first, int64_t count, float p, uint32_t key) {
    const float keep_scale = 1.0f / (1.0f - p);
    // The index wraps at 2^32 as the mask's definition (and the OpenCL kernel) does.
    for (int64_t i = 0; i < count; i++) {
        float u = dropout_uniform(key, (uint32_t)(first + i));
        dst[i] = u >= p ? src[i] * keep_scale : 0.0f;
    }
}
