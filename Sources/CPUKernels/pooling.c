#include <string.h>
#include "CPUKernels.h"
#include "kernel.h"

// The reports' pools are 2×2 with stride 2: a row pair of the input makes one output row, and
// with every window inside the plane the loop needs no clipping and no branch per element.
static inline void pool_2x2_row(const float *top, const float *bottom, float *y, float *indices,
                                int64_t top_offset, int64_t in_w, int64_t count) {
    for (int64_t ow = 0; ow < count; ow++) {
        const float a = top[2 * ow], b = top[2 * ow + 1], c = bottom[2 * ow], d = bottom[2 * ow + 1];
        // In window order a later value replaces only a strictly greater one, or any NaN:
        // the first maximum wins, and the last NaN (the rule of `pool_window`).
        float best = a; int64_t at = 0;
        if (b > best || b != b) { best = b; at = 1; }
        if (c > best || c != c) { best = c; at = in_w; }
        if (d > best || d != d) { best = d; at = in_w + 1; }
        y[ow] = best;
        indices[ow] = (float)(top_offset + 2 * ow + at);
    }
}

// One window, clipped to the plane: the general case, and the edges of a ceil-mode 2×2 pool.
static inline void pool_window(const float *plane, float *y, float *index, int64_t in_h, int64_t in_w,
                               int64_t h0, int64_t w0, int64_t kernel) {
    float best = 0; int64_t at = -1;
    const int64_t h1 = h0 + kernel < in_h ? h0 + kernel : in_h, w1 = w0 + kernel < in_w ? w0 + kernel : in_w;
    for (int64_t h = h0; h < h1; h++) {
        for (int64_t w = w0; w < w1; w++) {
            const float v = plane[h * in_w + w];
            if (at < 0 || v > best || v != v) { best = v; at = h * in_w + w; }
        }
    }
    *y = best;
    *index = (float)at;
}

CPU_KERNEL
void max_pool2d_forward(const float *x, float *y, float *indices, int64_t planes,
                        int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w, int64_t kernel, int64_t stride) {
    const int64_t in_plane = in_h * in_w, out_plane = out_h * out_w;
    const int fast = kernel == 2 && stride == 2;
    // Outputs whose window lies wholly inside the plane.
    const int64_t full_h = fast ? in_h / 2 : 0, full_w = fast ? in_w / 2 : 0;
    for (int64_t p = 0; p < planes; p++) {
        const float *src = x + p * in_plane;
        float *dst = y + p * out_plane, *idx = indices + p * out_plane;
        for (int64_t oh = 0; oh < out_h; oh++) {
            int64_t ow = 0;
            if (oh < full_h) {
                const float *top = src + 2 * oh * in_w;
                pool_2x2_row(top, top + in_w, dst + oh * out_w, idx + oh * out_w, 2 * oh * in_w, in_w, full_w);
                ow = full_w;
            }
            for (; ow < out_w; ow++) {
                pool_window(src, dst + oh * out_w + ow, idx + oh * out_w + ow, in_h, in_w,
                            oh * stride, ow * stride, kernel);
            }
        }
    }
}

CPU_KERNEL
void max_pool2d_backward(const float *dy, const float *indices, float *dx, int64_t planes,
                         int64_t in_plane, int64_t out_plane) {
    memset(dx, 0, (size_t)(planes * in_plane) * sizeof(float));
    for (int64_t p = 0; p < planes; p++) {
        float *plane = dx + p * in_plane;
        for (int64_t o = 0; o < out_plane; o++) plane[(int64_t)indices[p * out_plane + o]] += dy[p * out_plane + o];
    }
}
