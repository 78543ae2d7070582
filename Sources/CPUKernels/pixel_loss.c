#include <math.h>
#include "CPUKernels.h"
#include "kernel.h"

// PixelLoss's formulas (Sources/Compute/PixelLoss.swift), as Kernels/loss.cl's pixel_loss.
static inline __attribute__((always_inline)) float pixel_loss_term(int kind, float p, float t, float grad_scale,
                                                                   float *g) {
    switch (kind) {
    case 0: {  // BCELoss: PyTorch clamps each log at -100, so p = 0 or 1 gives a finite loss.
        const float log_p = fmaxf(logf(p), -100.0f), log_q = fmaxf(log1pf(-p), -100.0f);
        *g = grad_scale * (p - t) / fmaxf(p * (1.0f - p), 1e-12f);
        return -(t * log_p + (1.0f - t) * log_q);
    }
    case 1: {  // BCEWithLogitsLoss
        *g = grad_scale * (1.0f / (1.0f + expf(-p)) - t);
        return fmaxf(p, 0.0f) - p * t + log1pf(expf(-fabsf(p)));
    }
    default: {  // L1Loss
        const float d = p - t;
        *g = grad_scale * (float)((d > 0) - (d < 0));
        return fabsf(d);
    }
    }
}

CPU_KERNEL
double pixel_loss(int kind, const float *p, const float *t, float *g, int64_t count, float grad_scale) {
    double sum = 0;
#define RUN(K) for (int64_t i = 0; i < count; i++) sum += pixel_loss_term(K, p[i], t[i], grad_scale, g + i)
    switch (kind) {
    case 0: RUN(0); break;
    case 1: RUN(1); break;
    default: RUN(2); break;
    }
#undef RUN
    return sum;
}
