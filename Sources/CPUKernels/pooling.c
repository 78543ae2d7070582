#include <string.h>
#include "CPUKernels.h"
#include "kernel.h"
#include "vector.h"

// The reports' pools are 2×2 with stride 2: a row pair of the input makes one output row, and
// with every window inside the plane the loop needs no clipping and no branch per element.
// Eight outputs at a time take the even and odd columns of both rows as four vectors and
// compare them in window order; rows of fewer than eight windows, and ceil mode's clipped edge
// windows, go one window at a time. Both give the same maximum and index: max and its
// position are exact, so the vectors change the speed only.

/// Window order's rule: a later value replaces only a strictly greater one, or any NaN, so the
/// first maximum wins, and the last NaN (the rule of `pool_window`). `|` rather than `||`: it
/// serves vector lanes as well as scalars.
#define REPLACES(v, best) (((v) > (best)) | ((v) != (v)))

/// Eight windows of a row pair at once, lane l's starting 2·l columns after `top`.
VECTOR_INLINE void pool_2x2_eight(const float *top, const float *bottom, float *y, float *indices,
                                  int64_t top_offset, int64_t in_w) {
    const vi8 lane = {0, 2, 4, 6, 8, 10, 12, 14}, zero = {0};
    const vi8 right = zero + 1, below = zero + (int32_t)in_w, below_right = below + 1;
    const vf8 t0 = load8(top), t1 = load8(top + LANES), b0 = load8(bottom), b1 = load8(bottom + LANES);
    const vf8 a = even8(t0, t1), b = odd8(t0, t1), c = even8(b0, b1), d = odd8(b0, b1);
    // `at`: the winner's offset within its window.
    vf8 best = a;
    vi8 at = zero, m;
    m = REPLACES(b, best); best = select8(m, b, best); at = (m & right) | (at & ~m);
    m = REPLACES(c, best); best = select8(m, c, best); at = (m & below) | (at & ~m);
    m = REPLACES(d, best); best = select8(m, d, best); at = (m & below_right) | (at & ~m);
    store8(y, best);
    // Positions within a plane are small integers, exact in float.
    store8(indices, __builtin_convertvector(zero + (int32_t)top_offset + lane + at, vf8));
}

/// Where the eight windows from `next` start in a row of `count` (>= LANES): at `next`, but the
/// row's last eight end at its end, overlapping the eight before. Each output is a function of
/// its own window, so those written twice get the same values.
static inline int64_t eight_from(int64_t next, int64_t count) {
    return next + LANES <= count ? next : count - LANES;
}

/// One output row of `count` full windows; `end` is where the input ends.
static inline void pool_2x2_row(const float *top, const float *bottom, float *y, float *indices,
                                int64_t top_offset, int64_t in_w, int64_t count, const float *end) {
    int64_t ow = 0;
    if (count >= LANES) {
        for (int64_t next = 0; next < count; next += LANES) {
            const int64_t at = eight_from(next, count);
            pool_2x2_eight(top + 2 * at, bottom + 2 * at, y + at, indices + at, top_offset + 2 * at, in_w);
        }
        ow = count;
    } else if (bottom + 2 * LANES <= end) {
        // A row of fewer than eight windows (conv-linear's 11 x 11 planes, conv-keras' 14 x 14 and 7 x 7): the
        // eight-window step still runs, its last lanes reading the rows after this pair, and
        // only the row's own `count` results are kept. One window at a time (compares that
        // branch on the data) took 16 ns an output on random inputs, the vector step about 1.
        float values[LANES], places[LANES];
        pool_2x2_eight(top, bottom, values, places, top_offset, in_w);
        memcpy(y, values, (size_t)count * sizeof(float));
        memcpy(indices, places, (size_t)count * sizeof(float));
        ow = count;
    }
    for (; ow < count; ow++) {
        const float a = top[2 * ow], b = top[2 * ow + 1], c = bottom[2 * ow], d = bottom[2 * ow + 1];
        // The vector lanes' selects, one lane at a time.
        float best = a; int64_t at = 0; int m;
        m = REPLACES(b, best); best = m ? b : best; at = m ? 1 : at;
        m = REPLACES(c, best); best = m ? c : best; at = m ? in_w : at;
        m = REPLACES(d, best); best = m ? d : best; at = m ? in_w + 1 : at;
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
            if (at < 0 || REPLACES(v, best)) { best = v; at = h * in_w + w; }
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
    const float *end = x + planes * in_plane;
    for (int64_t p = 0; p < planes; p++) {
        const float *src = x + p * in_plane;
        float *dst = y + p * out_plane, *idx = indices + p * out_plane;
        for (int64_t oh = 0; oh < out_h; oh++) {
            int64_t ow = 0;
            if (oh < full_h) {
                const float *top = src + 2 * oh * in_w;
                pool_2x2_row(top, top + in_w, dst + oh * out_w, idx + oh * out_w, 2 * oh * in_w, in_w, full_w, end);
                ow = full_w;
            }
            for (; ow < out_w; ow++) {
                pool_window(src, dst + oh * out_w + ow, idx + oh * out_w + ow, in_h, in_w,
                            oh * stride, ow * stride, kernel);
            }
        }
    }
}

/// The gradient of eight full 2×2 windows of one output row: each window's four inputs get the
/// output's gradient where the index names them and zero elsewhere. `0 + g` is what the scatter
/// below adds onto its zeroed plane (it turns a -0 into +0), so both give the same bits.
VECTOR_INLINE void unpool_2x2_eight(const float *dy, const float *indices, float *top, float *bottom,
                                      int64_t top_offset, int64_t in_w) {
    const vi8 lane = {0, 2, 4, 6, 8, 10, 12, 14}, zero = {0};
    const vi8 right = zero + 1, below = zero + (int32_t)in_w, below_right = below + 1;
    // The winner's offset in its window, as the forward pass's `at`.
    const vi8 at = __builtin_convertvector(load8(indices), vi8) - (zero + (int32_t)top_offset) - lane;
    const vf8 g = load8(dy) + 0.0f, none = {0};
    const vf8 a = select8(at == zero, g, none), b = select8(at == right, g, none);
    const vf8 c = select8(at == below, g, none), d = select8(at == below_right, g, none);
    store8(top, interleave_low8(a, b)); store8(top + LANES, interleave_high8(a, b));
    store8(bottom, interleave_low8(c, d)); store8(bottom + LANES, interleave_high8(c, d));
}

CPU_KERNEL
void max_pool2d_backward(const float *dy, const float *indices, float *dx, int64_t planes,
                         int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w, int64_t kernel, int64_t stride) {
    const int64_t in_plane = in_h * in_w, out_plane = out_h * out_w;
    // Where windows neither overlap nor leave gaps (2×2, stride 2), eight full windows of a row
    // are written whole; every other output is added at its index onto the zeroed plane.
    const int fast = kernel == 2 && stride == 2;
    const int64_t full_h = fast ? in_h / 2 : 0, full_w = fast ? in_w / 2 : 0;
    memset(dx, 0, (size_t)(planes * in_plane) * sizeof(float));
    for (int64_t p = 0; p < planes; p++) {
        float *plane = dx + p * in_plane;
        const float *g = dy + p * out_plane, *idx = indices + p * out_plane;
        for (int64_t oh = 0; oh < out_h; oh++) {
            int64_t ow = 0;
            if (oh < full_h && full_w >= LANES) {
                float *top = plane + 2 * oh * in_w;
                for (int64_t next = 0; next < full_w; next += LANES) {
                    const int64_t at = eight_from(next, full_w);
                    unpool_2x2_eight(g + oh * out_w + at, idx + oh * out_w + at, top + 2 * at, top + in_w + 2 * at,
                                     2 * oh * in_w + 2 * at, in_w);
                }
                ow = full_w;
            }
            for (; ow < out_w; ow++) plane[(int64_t)idx[oh * out_w + ow]] += g[oh * out_w + ow];
        }
    }
}
