#include "CPUKernels.h"
#include "kernel.h"

CPU_KERNEL
void relu_forward(const float *x, float *y, int64_t count) {
    // `x < 0 ? 0 : x`, not `x > 0 ? x : 0`: a NaN passes through, so a diverging run shows it.
    for (int64_t i = 0; i < count; i++) y[i] = x[i] < 0 ? 0 : x[i];
}

CPU_KERNEL
void relu_backward(const float *y, const float *dy, float *dx, int64_t count) {
    for (int64_t i = 0; i < count; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}

// A run is at most one feature map (hundreds of floats): summing it in any order in float
// loses nothing that matters, so the compiler may use several lanes.
static inline float run_sum(const float *run, int64_t count) {
#pragma clang fp reassociate(on)
    float s = 0;
    for (int64_t i = 0; i < count; i++) s += run[i];
    return s;
}

CPU_KERNEL
void bias_gradient_rows(const float *dy, double *sums, int64_t rows, int64_t channels, int64_t inner) {
    for (int64_t r = 0; r < rows; r++) {
        const float *row = dy + r * channels * inner;
        if (inner == 1) {
            for (int64_t c = 0; c < channels; c++) sums[c] += row[c];
            continue;
        }
        for (int64_t c = 0; c < channels; c++) {
            sums[c] += run_sum(row + c * inner, inner);
        }
    }
}
