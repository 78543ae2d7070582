#include "CPUKernels.h"
#include "kernel.h"

// PyTorch's AvgPool2d (its CPU kernel's arithmetic): a window starts at o*S - P; its divisor
// is its extent clipped to the padded input (count_include_pad) or to the input itself.
// Kernels/pooling.cl's avg_pool2d_* compute the same.

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

// The window of output (oy, ox), clipped to the input, and its divisor.
static inline float window(int64_t oy, int64_t ox, int64_t h, int64_t w, int64_t k, int64_t s, int64_t p,
                           int count_include_pad, int64_t *y0, int64_t *y1, int64_t *x0, int64_t *x1) {
    int64_t a = oy * s - p, c = ox * s - p;
    int64_t b = min64(a + k, h + p), d = min64(c + k, w + p);
    const int64_t padded = (b - a) * (d - c);
    a = max64(a, 0); c = max64(c, 0); b = min64(b, h); d = min64(d, w);
    *y0 = a; *y1 = b; *x0 = c; *x1 = d;
    return (float)(count_include_pad ? padded : (b - a) * (d - c));
}

CPU_KERNEL
void avg_pool2d_forward(const float *x, float *y, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                        int64_t k, int64_t s, int64_t p, int count_include_pad) {
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *in = x + plane * h * w;
        float *out = y + plane * oh * ow;
        for (int64_t oy = 0; oy < oh; oy++) {
            for (int64_t ox = 0; ox < ow; ox++) {
                int64_t y0, y1, x0, x1;
                const float divisor = window(oy, ox, h, w, k, s, p, count_include_pad, &y0, &y1, &x0, &x1);
                float sum = 0;
                for (int64_t iy = y0; iy < y1; iy++)
                    for (int64_t ix = x0; ix < x1; ix++) sum += in[iy * w + ix];
                // A window wholly in the padding (possible only past the edge) averages nothing.
                out[oy * ow + ox] = y0 < y1 && x0 < x1 ? sum / divisor : 0.0f;
            }
        }
    }
}

// Gathers, per input pixel, from the windows that cover it (as the OpenCL kernel does, one
// work-item a pixel), in window order.
CPU_KERNEL
void avg_pool2d_backward(const float *dy, float *dx, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                         int64_t k, int64_t s, int64_t p, int count_include_pad) {
    for (int64_t plane = 0; plane < planes; plane++) {
        const float *grad = dy + plane * oh * ow;
        for (int64_t iy = 0; iy < h; iy++) {
            // Windows o cover iy when o*S - P <= iy < o*S - P + K.
            const int64_t oy_first = iy + p < k ? 0 : (iy + p - k) / s + 1, oy_last = min64((iy + p) / s, oh - 1);
            for (int64_t ix = 0; ix < w; ix++) {
                const int64_t ox_first = ix + p < k ? 0 : (ix + p - k) / s + 1, ox_last = min64((ix + p) / s, ow - 1);
                float acc = 0;
                for (int64_t oy = oy_first; oy <= oy_last; oy++) {
                    for (int64_t ox = ox_first; ox <= ox_last; ox++) {
                        int64_t y0, y1, x0, x1;
                        const float divisor = window(oy, ox, h, w, k, s, p, count_include_pad, &y0, &y1, &x0, &x1);
                        acc += grad[oy * ow + ox] / divisor;
                    }
                }
                dx[(plane * h + iy) * w + ix] = acc;
            }
        }
    }
}
