#include <math.h>
#include "CPUKernels.h"
#include "kernel.h"

// Bilinear upsampling as PyTorch's upsample_bilinear2d computes it for an integer scale factor
// (Kernels/upsample.cl's upsample_bilinear_* compute the same): output o reads source
// coordinate scale*o (align_corners) or max(scale*(o + 0.5) - 0.5, 0), scale being
// (in - 1)/(out - 1) or 1/factor; i0 is its whole part, i1 the next pixel (or i0 at the edge),
// and the weights are 1 - l and l, l its fraction.
static inline void source(int64_t o, int64_t in, float scale, int align_corners, int64_t *i0, int64_t *i1, float *l0,
                          float *l1) {
    float real = align_corners ? scale * (float)o : scale * ((float)o + 0.5f) - 0.5f;
    if (real < 0) real = 0;
    *i0 = (int64_t)real;
    *i1 = *i0 + (*i0 < in - 1 ? 1 : 0);
    *l1 = real - (float)*i0;
    *l0 = 1.0f - *l1;
}

static inline float axis_scale(int64_t in, int64_t out, int64_t factor, int align_corners) {
    if (align_corners) return out > 1 ? (float)(in - 1) / (float)(out - 1) : 0.0f;
    return 1.0f / (float)factor;
}

CPU_KERNEL
void upsample_bilinear_forward(const float *x, float *y, int64_t planes, int64_t h, int64_t w, int64_t factor,
                               int align_corners) {
    const int64_t oh = h * factor, ow = w * factor;
    const float sh = axis_scale(h, oh, factor, align_corners), sw = axis_scale(w, ow, factor, align_corners);
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *in = x + plane * h * w;
        for (int64_t oy = 0; oy < oh; oy++) {
            int64_t y0, y1; float a0, a1;
            source(oy, h, sh, align_corners, &y0, &y1, &a0, &a1);
            for (int64_t ox = 0; ox < ow; ox++) {
                int64_t x0, x1; float b0, b1;
                source(ox, w, sw, align_corners, &x0, &x1, &b0, &b1);
                y[(plane * oh + oy) * ow + ox] = a0 * (b0 * in[y0 * w + x0] + b1 * in[y0 * w + x1])
                                               + a1 * (b0 * in[y1 * w + x0] + b1 * in[y1 * w + x1]);
            }
        }
    }
}

// The first and last output along an axis whose source pixels may include input pixel i: those
// whose source coordinate lies in (i - 1, i + 1), that is o in ((i -+ 1 + h) / scale - h) with
// h = 1/2 (0 with align_corners), widened by one for rounding.
static inline void candidates(int64_t i, int64_t out, float scale, int align_corners, int64_t *first, int64_t *last) {
    const float inverse = scale > 0 ? 1.0f / scale : (float)out, h = align_corners ? 0.0f : 0.5f;
    int64_t a = (int64_t)floorf(((float)i - 1 + h) * inverse - h) - 1, b = (int64_t)ceilf(((float)i + 1 + h) * inverse - h) + 1;
    *first = a < 0 ? 0 : a;
    *last = b > out - 1 ? out - 1 : b;
}

// One input pixel at a time, gathering from the outputs that read it (no scatter), rows then
// columns in order, as the OpenCL kernel does.
CPU_KERNEL
void upsample_bilinear_backward(const float *dy, float *dx, int64_t planes, int64_t h, int64_t w, int64_t factor,
                                int align_corners) {
    const int64_t oh = h * factor, ow = w * factor;
    const float sh = axis_scale(h, oh, factor, align_corners), sw = axis_scale(w, ow, factor, align_corners);
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *grad = dy + plane * oh * ow;
        for (int64_t iy = 0; iy < h; iy++) {
            int64_t oy_first, oy_last;
            candidates(iy, oh, sh, align_corners, &oy_first, &oy_last);
            for (int64_t ix = 0; ix < w; ix++) {
                int64_t ox_first, ox_last;
                candidates(ix, ow, sw, align_corners, &ox_first, &ox_last);
                float acc = 0;
                for (int64_t oy = oy_first; oy <= oy_last; oy++) {
                    int64_t y0, y1; float a0, a1;
                    source(oy, h, sh, align_corners, &y0, &y1, &a0, &a1);
                    const float row = (y0 == iy ? a0 : 0.0f) + (y1 == iy ? a1 : 0.0f);
                    if (row == 0.0f) continue;
                    for (int64_t ox = ox_first; ox <= ox_last; ox++) {
                        int64_t x0, x1; float b0, b1;
                        source(ox, w, sw, align_corners, &x0, &x1, &b0, &b1);
                        const float column = (x0 == ix ? b0 : 0.0f) + (x1 == ix ? b1 : 0.0f);
                        acc += row * column * grad[oy * ow + ox];
                    }
                }
                dx[(plane * h + iy) * w + ix] = acc;
            }
        }
    }
}
