#include "CPUKernels.h"
#include "activation.h"
#include "kernel.h"

// One loop per kind (ACTIVATION_DISPATCH), so ReLU's, LeakyReLU's and Hardtanh's vectorise and
// none branches on the kind per element.
CPU_KERNEL
void activation_forward(const float *x, float *y, int64_t count, int kind, float alpha, float beta) {
#define FORWARD(K) for (int64_t i = 0; i < count; i++) y[i] = activate(K, alpha, beta, x[i])
    ACTIVATION_DISPATCH(FORWARD, kind)
#undef FORWARD
}

CPU_KERNEL
void activation_backward(const float *x, const float *y, const float *dy, float *dx, int64_t count, int kind,
                         float alpha, float beta) {
#define BACKWARD(K)                                                                                         \
    if (gradient_needs_input(K, alpha))                                                                     \
        for (int64_t i = 0; i < count; i++) dx[i] = gradient_from_input(K, alpha, dy[i], x[i]);             \
    else                                                                                                    \
        for (int64_t i = 0; i < count; i++) dx[i] = gradient_from_output(K, alpha, beta, dy[i], y[i])
    ACTIVATION_DISPATCH(BACKWARD, kind)
#undef BACKWARD
}
