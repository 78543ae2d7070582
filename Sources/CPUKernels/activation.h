// The activations, each written once for the CPU: the unfused ops (activation.c) and the fused
// bias + activation + dropout pass (bias_activation.c) both call these, always inlined with a
// literal `kind`, so every instance is a loop with no branch on the kind. `kind` is
// ActivationFunction.Kind's raw value; alpha and beta its parameters (Kernels/prelude.cl is
// the same arithmetic for OpenCL). The formulas are PyTorch's.
#ifndef AEKIT_ACTIVATION_H
#define AEKIT_ACTIVATION_H
#include <math.h>

#define ACTIVATION_INLINE static inline __attribute__((always_inline))

enum { ACT_NONE, ACT_RELU, ACT_SIGMOID, ACT_TANH, ACT_LEAKY_RELU, ACT_ELU, ACT_GELU, ACT_GELU_TANH, ACT_SILU,
       ACT_HARDTANH, ACT_SOFTPLUS };

// sqrt(2/pi) and GELU's cubic coefficient (the tanh form); 1/sqrt(2) and 1/sqrt(2 pi) (the erf form).
#define GELU_TANH_SCALE 0.7978845608028654f
#define GELU_TANH_CUBIC 0.044715f
#define GELU_SQRT_HALF 0.7071067811865476f
#define GELU_NORMAL_DENSITY 0.3989422804014327f

ACTIVATION_INLINE float sigmoidf(float z) { return 1.0f / (1.0f + expf(-z)); }

ACTIVATION_INLINE float activate(int kind, float alpha, float beta, float z) {
    switch (kind) {
    // `z < 0 ? 0 : z`, not `z > 0 ? z : 0`: a NaN passes through, so a diverging run shows it.
    case ACT_RELU: return z < 0 ? 0 : z;
    case ACT_SIGMOID: return sigmoidf(z);
    case ACT_TANH: return tanhf(z);
    case ACT_LEAKY_RELU: return z > 0 ? z : z * alpha;
    case ACT_ELU: return z > 0 ? z : alpha * expm1f(z);
    case ACT_GELU: return 0.5f * z * (1.0f + erff(z * GELU_SQRT_HALF));
    case ACT_GELU_TANH: return 0.5f * z * (1.0f + tanhf(GELU_TANH_SCALE * (z + GELU_TANH_CUBIC * z * z * z)));
    case ACT_SILU: return z * sigmoidf(z);
    case ACT_HARDTANH: return z <= alpha ? alpha : z >= beta ? beta : z;
    case ACT_SOFTPLUS: return z * alpha > beta ? z : log1pf(expf(z * alpha)) / alpha;
    default: return z;
    }
}

// g times f'(x), written in terms of the output y = f(x), for every kind whose gradient
// follows from it (ActivationFunction.gradientFromOutput): the sign of y is the sign of x for
// LeakyReLU and ELU with a slope and alpha >= 0 (gradient_from_input serves negative ones), alpha e^x = y + alpha for ELU below 0, and
// sigma(beta x) = 1 - e^(-beta y) for Softplus.
ACTIVATION_INLINE float gradient_from_output(int kind, float alpha, float beta, float g, float y) {
    switch (kind) {
    case ACT_RELU: return y > 0 ? g : 0;
    case ACT_SIGMOID: return g * y * (1 - y);
    case ACT_TANH: return g * (1 - y * y);
    case ACT_LEAKY_RELU: return y > 0 ? g : g * alpha;
    case ACT_ELU: return y > 0 ? g : g * (y + alpha);
    case ACT_HARDTANH: return y <= alpha || y >= beta ? 0 : g;
    case ACT_SOFTPLUS: return y * alpha > beta ? g : g * -expm1f(-y * alpha);
    default: return g;
    }
}

// g times f'(x) from the input x, for the kinds whose output does not give x's branch back:
// GELU and SiLU (not invertible), and LeakyReLU and ELU with a negative slope or alpha (then y
// and x can have opposite signs).
ACTIVATION_INLINE float gradient_from_input(int kind, float alpha, float g, float x) {
    switch (kind) {
    case ACT_LEAKY_RELU: return x > 0 ? g : g * alpha;
    case ACT_ELU: return x > 0 ? g : g * alpha * expf(x);
    case ACT_GELU: {
        const float cdf = 0.5f * (1.0f + erff(x * GELU_SQRT_HALF));
        return g * (cdf + x * GELU_NORMAL_DENSITY * expf(-0.5f * x * x));
    }
    case ACT_GELU_TANH: {
        const float inner = GELU_TANH_SCALE * (x + GELU_TANH_CUBIC * x * x * x), t = tanhf(inner);
        const float slope = GELU_TANH_SCALE * (1 + 3 * GELU_TANH_CUBIC * x * x);
        return g * (0.5f * (1 + t) + 0.5f * x * (1 - t * t) * slope);
    }
    case ACT_SILU: {
        const float s = sigmoidf(x);
        return g * s * (1 + x * (1 - s));
    }
    default: return g;
    }
}

// Whether the gradient needs the input: ActivationFunction.gradientFromOutput's rule, negated.
ACTIVATION_INLINE int gradient_needs_input(int kind, float alpha) {
    return kind == ACT_GELU || kind == ACT_GELU_TANH || kind == ACT_SILU
        || ((kind == ACT_LEAKY_RELU || kind == ACT_ELU) && alpha < 0);
}

// Calls RUN(K) with the activation kind as a literal, for the `kind` given.
#define ACTIVATION_DISPATCH(RUN, kind)                                                                   \
    switch (kind) {                                                                                      \
    case ACT_RELU: RUN(ACT_RELU); break; case ACT_SIGMOID: RUN(ACT_SIGMOID); break;                      \
    case ACT_TANH: RUN(ACT_TANH); break; case ACT_LEAKY_RELU: RUN(ACT_LEAKY_RELU); break;                \
    case ACT_ELU: RUN(ACT_ELU); break; case ACT_GELU: RUN(ACT_GELU); break;                              \
    case ACT_GELU_TANH: RUN(ACT_GELU_TANH); break; case ACT_SILU: RUN(ACT_SILU); break;                  \
    case ACT_HARDTANH: RUN(ACT_HARDTANH); break; case ACT_SOFTPLUS: RUN(ACT_SOFTPLUS); break;             \
    default: RUN(ACT_NONE); break;                                                                       \
    }
#endif
