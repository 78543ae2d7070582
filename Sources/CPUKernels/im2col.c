#include <string.h>
#include "CPUKernels.h"
#include "kernel.h"
#include "vector.h"

// The outputs `ow` of one row whose input column `ow·stride − pad + j` lies in [0, in_w):
// [*first, *end). Outside them the patch reads padding (zero).
static inline void inside_columns(int64_t in_w, int64_t out_w, int64_t stride, int64_t pad, int64_t j,
                                  int64_t *first, int64_t *end) {
    int64_t lo = pad - j > 0 ? (pad - j + stride - 1) / stride : 0;
    int64_t hi = in_w - 1 + pad - j >= 0 ? (in_w - 1 + pad - j) / stride + 1 : 0;
    if (hi > out_w) hi = out_w;
    if (lo > hi) lo = hi;
    *first = lo; *end = hi;
}

// A patch row is out_w floats, 5 to 28 in the reports' layers, and im2col copies one per (input
// channel, tap, output row): 1584 copies of 11 floats per sample for conv-linear's 16 -> 32 layer. A
// memcpy call per copy cost more than the copy (im2col took half as long as that layer's GEMM),
// so rows up to 32 floats are copied with fixed-size moves the compiler inlines: two that
// overlap in the middle cover any length between one size and twice it.
static inline void copy_floats(float *dst, const float *src, int64_t n) {
    if (n > 32) {
        memcpy(dst, src, (size_t)n * sizeof(float));
    } else if (n > 16) {
        memcpy(dst, src, 64);
        memcpy(dst + n - 16, src + n - 16, 64);
    } else if (n >= 8) {
        memcpy(dst, src, 32);
        memcpy(dst + n - 8, src + n - 8, 32);
    } else if (n >= 4) {
        memcpy(dst, src, 16);
        memcpy(dst + n - 4, src + n - 4, 16);
    } else {
        for (int64_t k = 0; k < n; k++) dst[k] = src[k];
    }
}

CPU_KERNEL
void im2col(const float *x, float *col, int64_t channels, int64_t in_h, int64_t in_w, int64_t kh, int64_t kw,
            int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w) {
    int64_t row = 0;
    for (int64_t c = 0; c < channels; c++) {
        const float *plane = x + c * in_h * in_w;
        for (int64_t i = 0; i < kh; i++) {
            for (int64_t j = 0; j < kw; j++, row++) {
                int64_t first, end;
                inside_columns(in_w, out_w, stride_w, pad_w, j, &first, &end);
                float *out = col + row * out_h * out_w;
                for (int64_t oh = 0; oh < out_h; oh++, out += out_w) {
                    const int64_t ih = oh * stride_h - pad_h + i;
                    if (ih < 0 || ih >= in_h) { memset(out, 0, (size_t)out_w * sizeof(float)); continue; }
                    const float *src = plane + ih * in_w - pad_w + j;
                    for (int64_t ow = 0; ow < first; ow++) out[ow] = 0;
                    if (stride_w == 1) {
                        copy_floats(out + first, src + first, end - first);
                    } else {
                        for (int64_t ow = first; ow < end; ow++) out[ow] = src[ow * stride_w];
                    }
                    for (int64_t ow = end; ow < out_w; ow++) out[ow] = 0;
                }
            }
        }
    }
}

/// dst[k] += src[k] for k < n: eight at a time, then one at a time. Each dst element still gets
/// col2im's additions in its row order, so the sums are the scalar loop's to the bit; the
/// compiler's own vector loop needed more than a row of 5 to 28 floats before it ran.
VECTOR_INLINE void add_floats(float *dst, const float *src, int64_t n) {
    int64_t k = 0;
    for (; k + LANES <= n; k += LANES) store8(dst + k, load8(dst + k) + load8(src + k));
    for (; k < n; k++) dst[k] += src[k];
}

CPU_KERNEL
void col2im(const float *col, float *x, int64_t channels, int64_t in_h, int64_t in_w, int64_t kh, int64_t kw,
            int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w) {
    int64_t row = 0;
    for (int64_t c = 0; c < channels; c++) {
        float *plane = x + c * in_h * in_w;
        for (int64_t i = 0; i < kh; i++) {
            for (int64_t j = 0; j < kw; j++, row++) {
                int64_t first, end;
                inside_columns(in_w, out_w, stride_w, pad_w, j, &first, &end);
                const float *src = col + row * out_h * out_w;
                for (int64_t oh = 0; oh < out_h; oh++, src += out_w) {
                    const int64_t ih = oh * stride_h - pad_h + i;
                    if (ih < 0 || ih >= in_h) continue;
                    float *dst = plane + ih * in_w - pad_w + j;
                    if (stride_w == 1) {
                        add_floats(dst + first, src + first, end - first);
                    } else {
                        for (int64_t ow = first; ow < end; ow++) dst[ow * stride_w] += src[ow];
                    }
                }
            }
        }
    }
}
