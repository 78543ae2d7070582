#include <string.h>
#include "CPUKernels.h"
#include "kernel.h"
#include "vector.h"

// The reports upsample by 2: there eight pixels at a time become sixteen of an output row by
// duplicating lanes (forward), and sixteen of each of two rows are summed back into eight
// (backward) in the block order of the general loop, so both give the same bits.

/// Eight pixels into sixteen of an output row, each twice.
VECTOR_INLINE void double_eight(const float *src, float *row) {
    const vf8 v = load8(src);
    store8(row, interleave_low8(v, v));
    store8(row + LANES, interleave_high8(v, v));
}

/// Eight 2 × 2 blocks of two output rows (`top`, `top + out_w`) summed, each from 0 in row order.
VECTOR_INLINE void sum_eight_blocks(const float *top, int64_t out_w, float *dst) {
    const float *bottom = top + out_w;
    vf8 s = (vf8){0} + even8(load8(top), load8(top + LANES));
    s += odd8(load8(top), load8(top + LANES));
    s += even8(load8(bottom), load8(bottom + LANES));
    s += odd8(load8(bottom), load8(bottom + LANES));
    store8(dst, s);
}

CPU_KERNEL
void upsample_forward(const float *x, float *y, int64_t planes, int64_t height, int64_t width, int64_t factor) {
    const int64_t out_w = width * factor, vector_w = factor == 2 ? width / LANES * LANES : 0;
    for (int64_t p = 0; p < planes; p++) {
        for (int64_t h = 0; h < height; h++) {
            const float *src = x + (p * height + h) * width;
            float *row = y + (p * height + h) * factor * out_w;
            int64_t w = 0;
            for (; w < vector_w; w += LANES) double_eight(src + w, row + 2 * w);
            for (; w < width; w++) {
                for (int64_t f = 0; f < factor; f++) row[w * factor + f] = src[w];
            }
            // The other factor − 1 output rows repeat the first.
            for (int64_t f = 1; f < factor; f++) memcpy(row + f * out_w, row, (size_t)out_w * sizeof(float));
        }
    }
}

CPU_KERNEL
void upsample_backward(const float *dy, float *dx, int64_t planes, int64_t height, int64_t width, int64_t factor) {
    const int64_t out_w = width * factor, vector_w = factor == 2 ? width / LANES * LANES : 0;
    for (int64_t p = 0; p < planes; p++) {
        for (int64_t h = 0; h < height; h++) {
            float *dst = dx + (p * height + h) * width;
            const float *rows = dy + (p * height + h) * factor * out_w;
            int64_t w = 0;
            for (; w < vector_w; w += LANES) sum_eight_blocks(rows + 2 * w, out_w, dst + w);
            for (; w < width; w++) {
                // The factor × factor block in row order, as the earlier loop added it.
                float s = 0;
                for (int64_t f = 0; f < factor; f++)
                    for (int64_t e = 0; e < factor; e++) s += rows[f * out_w + w * factor + e];
                dst[w] = s;
            }
        }
    }
}
