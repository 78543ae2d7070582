#include <string.h>
#include "CPUKernels.h"
#include "kernel.h"

CPU_KERNEL
void upsample_forward(const float *x, float *y, int64_t planes, int64_t height, int64_t width, int64_t factor) {
    const int64_t out_w = width * factor;
    for (int64_t p = 0; p < planes; p++) {
        for (int64_t h = 0; h < height; h++) {
            const float *src = x + (p * height + h) * width;
            float *row = y + (p * height + h) * factor * out_w;
            for (int64_t w = 0; w < width; w++) {
                for (int64_t f = 0; f < factor; f++) row[w * factor + f] = src[w];
            }
            // The other factor − 1 output rows repeat the first.
            for (int64_t f = 1; f < factor; f++) memcpy(row + f * out_w, row, (size_t)out_w * sizeof(float));
        }
    }
}

CPU_KERNEL
void upsample_backward(const float *dy, float *dx, int64_t planes, int64_t height, int64_t width, int64_t factor) {
    const int64_t out_w = width * factor;
    for (int64_t p = 0; p < planes; p++) {
        for (int64_t h = 0; h < height; h++) {
            float *dst = dx + (p * height + h) * width;
            const float *rows = dy + (p * height + h) * factor * out_w;
            for (int64_t w = 0; w < width; w++) {
                // The factor × factor block in row order, as the earlier loop added it.
                float s = 0;
                for (int64_t f = 0; f < factor; f++)
                    for (int64_t e = 0; e < factor; e++) s += rows[f * out_w + w * factor + e];
                dst[w] = s;
            }
        }
    }
}
