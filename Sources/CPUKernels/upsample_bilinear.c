#include <math.h>
#include "CPUKernels.h"
#include "kernel.h"

// Bilinear upsampling as PyTorch's upsample_bilinear2d computes it for an integer scale factor
// (Kernels/upsample.cl's upsample_bilinear_* compute the same): output o reads source
// coordinate scale*o (align_corners) or max(scale*(o + 0.5) - 0.5, 0), scale being
// (in - 1)/(out - 1) or 1/factor; i0 is its whole part, i1 the next pixel (or i0 at the edge),
// and the weights are 1 - l and l, l its fraction.

// One axis of an upsampling: `in` pixels become `out`, output o reading at `scale` * o.
typedef struct {
    int64_t in, out;
    float scale;
    int align_corners;
} axis;

// The two input pixels an output reads along one axis, and their weights.
typedef struct {
    int64_t i0, i1;
    float l0, l1;
} taps;

static inline axis make_axis(int64_t in, int64_t factor, int align_corners) {
    const int64_t out = in * factor;
    float scale = 1.0f / (float)factor;
    if (align_corners) scale = out > 1 ? (float)(in - 1) / (float)(out - 1) : 0.0f;
    return (axis){in, out, scale, align_corners};
}

static inline taps taps_of(axis a, int64_t o) {
    float real = a.align_corners ? a.scale * (float)o : a.scale * ((float)o + 0.5f) - 0.5f;
    if (real < 0) real = 0;
    taps t;
    t.i0 = (int64_t)real;
    t.i1 = t.i0 + (t.i0 < a.in - 1 ? 1 : 0);
    t.l1 = real - (float)t.i0;
    t.l0 = 1.0f - t.l1;
    return t;
}

// The weight with which output taps `t` read input pixel i: 0 unless i is one of them.
static inline float weight_of(taps t, int64_t i) { return (t.i0 == i ? t.l0 : 0.0f) + (t.i1 == i ? t.l1 : 0.0f); }

CPU_KERNEL
void upsample_bilinear_forward(const float *x, float *y, int64_t planes, int64_t h, int64_t w, int64_t factor,
                               int align_corners) {
    const axis rows = make_axis(h, factor, align_corners), columns = make_axis(w, factor, align_corners);
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *in = x + plane * h * w;
        float *out = y + plane * rows.out * columns.out;
        for (int64_t oy = 0; oy < rows.out; oy++) {
            const taps a = taps_of(rows, oy);
            for (int64_t ox = 0; ox < columns.out; ox++) {
                const taps b = taps_of(columns, ox);
                out[oy * columns.out + ox] = a.l0 * (b.l0 * in[a.i0 * w + b.i0] + b.l1 * in[a.i0 * w + b.i1])
                                           + a.l1 * (b.l0 * in[a.i1 * w + b.i0] + b.l1 * in[a.i1 * w + b.i1]);
            }
        }
    }
}

// The first and last output along an axis whose taps may include input pixel i: those whose
// source coordinate lies in (i - 1, i + 1), that is o in ((i -+ 1 + h) / scale - h) with
// h = 1/2 (0 with align_corners), widened by one for rounding.
static inline void candidates(axis a, int64_t i, int64_t *first, int64_t *last) {
    const float inverse = a.scale > 0 ? 1.0f / a.scale : (float)a.out, h = a.align_corners ? 0.0f : 0.5f;
    int64_t lo = (int64_t)floorf(((float)i - 1 + h) * inverse - h) - 1, hi = (int64_t)ceilf(((float)i + 1 + h) * inverse - h) + 1;
    *first = lo < 0 ? 0 : lo;
    *last = hi > a.out - 1 ? a.out - 1 : hi;
}

// One input pixel at a time, gathering from the outputs that read it (no scatter), rows then
// columns in order, as the OpenCL kernel does.
CPU_KERNEL
void upsample_bilinear_backward(const float *dy, float *dx, int64_t planes, int64_t h, int64_t w, int64_t factor,
                                int align_corners) {
    const axis rows = make_axis(h, factor, align_corners), columns = make_axis(w, factor, align_corners);
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *grad = dy + plane * rows.out * columns.out;
        for (int64_t iy = 0; iy < h; iy++) {
            int64_t oy_first, oy_last;
            candidates(rows, iy, &oy_first, &oy_last);
            for (int64_t ix = 0; ix < w; ix++) {
                int64_t ox_first, ox_last;
                candidates(columns, ix, &ox_first, &ox_last);
                float acc = 0;
                for (int64_t oy = oy_first; oy <= oy_last; oy++) {
                    const float row = weight_of(taps_of(rows, oy), iy);
                    if (row == 0.0f) continue;
                    for (int64_t ox = ox_first; ox <= ox_last; ox++)
                        acc += row * weight_of(taps_of(columns, ox), ix) * grad[oy * columns.out + ox];
                }
                dx[(plane * h + iy) * w + ix] = acc;
            }
        }
    }
}
