// The CPU backend's hot loops, in C so that each is compiled several times (AVX-512, AVX2,
// baseline x86-64) and the loader picks the best the CPU has (`CPU_KERNEL` below). Swift's
// own SIMD types compile for the baseline only, where a 32-bit multiply (dropout's hash) or
// an eight-wide compare is several instructions instead of one.
//
// Each function has the name of its op (`max_pool2d_forward`, as the OpenCL kernel and the
// parity case); the Swift backend checks shapes and splits the work, these do the arithmetic.
#ifndef AEKIT_CPU_KERNELS_H
#define AEKIT_CPU_KERNELS_H

#include <math.h>
#include <stdint.h>

/// The widest x86 vector units this CPU has, as the kernels' clones are chosen: 3 for AVX-512
/// (F, VL, BW, DQ), 2 for AVX2 + FMA, 1 for AVX, 0 for anything less (or another architecture).
int cpu_vector_level(void);

/// Makes this thread's float arithmetic treat subnormal inputs as zero and round subnormal
/// results to zero (x86 MXCSR's DAZ and FTZ, AArch64 FPCR's FZ). Returns 1 where done, 0 on
/// an architecture it does not know. See `CPUBackend.flushSubnormals` for why.
int cpu_flush_subnormals(void);

// MARK: Dropout's mask: a pure function of (seed, step, index), the same arithmetic as
// Kernels/dropout.cl (the parity test holds the two together).

/// A 32-bit integer hash with good avalanche (the "lowbias32" constants).
static inline uint32_t dropout_mix(uint32_t x) {
    x ^= x >> 16; x *= 0x7feb352dU;
    x ^= x >> 15; x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/// The key for one (seed, step) pair.
static inline uint32_t dropout_key(uint32_t seed, uint32_t step) {
    return dropout_mix(seed ^ dropout_mix(step + 0x9e3779b9U));
}

/// A uniform number in [0, 1) with 24 random bits, exact in float.
static inline float dropout_uniform(uint32_t key, uint32_t index) {
    return (float)(dropout_mix(dropout_mix(index) ^ key) >> 8) * (1.0f / 16777216.0f);
}

/// A standard normal draw for element `index` (GaussianDraw): Box–Muller of the uniforms at
/// 2·index and 2·index + 1, 1 − u₁ in (0, 1] so the log is finite. Kernels/gaussian.cl's
/// `normal_draw` is the same arithmetic.
static inline float gaussian_normal(uint32_t key, uint32_t index) {
    const float u1 = dropout_uniform(key, 2 * index), u2 = dropout_uniform(key, 2 * index + 1);
    return sqrtf(-2.0f * logf(1.0f - u1)) * cosf(6.2831853071795865f * u2);
}

/// dst[i] = src[i] / (1 - p) where element `first + i` is kept, else 0, for i < count.
/// Forward and backward are this one map.
void dropout_apply(const float *src, float *dst, int64_t first, int64_t count, float p, uint32_t key);

/// dst[i] = 0 where element `first + i`'s draw u < amount / 2, 1 where amount / 2 <= u < amount,
/// else src[i] (salt-and-pepper noise).
void salt_and_pepper(const float *src, float *dst, int64_t first, int64_t count, float amount, uint32_t key);

// MARK: Pooling (planes are [height, width]; indices are positions within the input plane,
// stored as floats as the op protocol says)

/// Max-pooling of `planes` planes; windows are clipped to the input (ceil mode). The first
/// maximum wins and a NaN always wins, as in PyTorch.
void max_pool2d_forward(const float *x, float *y, float *indices, int64_t planes,
                        int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w, int64_t kernel, int64_t stride);

/// dx = 0, then each output's gradient added at its recorded input position (the geometry of
/// the forward call).
void max_pool2d_backward(const float *dy, const float *indices, float *dx, int64_t planes,
                         int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w, int64_t kernel, int64_t stride);

/// Nearest-neighbour ×`factor` upsampling of [planes, height, width].
void upsample_forward(const float *x, float *y, int64_t planes, int64_t height, int64_t width, int64_t factor);
/// dx = the sum of each pixel's factor × factor block of dy.
void upsample_backward(const float *dy, float *dx, int64_t planes, int64_t height, int64_t width, int64_t factor);

/// Bilinear ×`factor` upsampling as PyTorch's upsample_bilinear2d (align_corners 0 or 1).
void upsample_bilinear_forward(const float *x, float *y, int64_t planes, int64_t h, int64_t w, int64_t factor,
                               int align_corners);
/// dx[i] = the sum of dy over the outputs that read pixel i, each times its weight there.
void upsample_bilinear_backward(const float *dy, float *dx, int64_t planes, int64_t h, int64_t w, int64_t factor,
                                int align_corners);

// MARK: Convolution lowering (one sample, [C, H, W])

/// The sample's patches into `col[(c·kh + i)·kw + j][oh·OW + ow]`, zero outside the input.
void im2col(const float *x, float *col, int64_t channels, int64_t in_h, int64_t in_w, int64_t kh, int64_t kw,
            int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w);

/// The adjoint of `im2col`: adds each column entry into the pixel it came from (x is not cleared).
void col2im(const float *col, float *x, int64_t channels, int64_t in_h, int64_t in_w, int64_t kh, int64_t kw,
            int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w);

// MARK: Direct convolution, stride 1 (one sample; weights [O, C, kh, kw]; see conv_direct.c)

/// The scratch floats one sample's direct forward or backward-weights needs at this geometry.
int64_t conv2d_direct_scratch(int64_t channels, int64_t in_h, int64_t in_w, int64_t out_channels, int64_t kh,
                              int64_t kw, int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w);

/// y [O, out_h, out_w] = the stride-1 convolution of x [C, in_h, in_w] (zero padding).
void conv2d_forward_direct(const float *x, const float *w, float *y, float *scratch, int64_t channels,
                           int64_t in_h, int64_t in_w, int64_t out_channels, int64_t kh, int64_t kw,
                           int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w);

/// flipped[c][o][kh − 1 − i][kw − 1 − j] = w[o][c][i][j]: the filters backward-data runs forward.
void conv2d_flip_weights(const float *w, float *flipped, int64_t out_channels, int64_t channels, int64_t kh,
                         int64_t kw);

/// dx [C, in_h, in_w] from dy [O, out_h, out_w] and `conv2d_flip_weights`' filters; its scratch
/// is `conv2d_direct_scratch` of the swapped geometry (O channels of out_h × out_w in, padding
/// k − 1 − pad, C channels of in_h × in_w out).
void conv2d_backward_data_direct(const float *dy, const float *flipped, float *dx, float *scratch, int64_t channels,
                                 int64_t in_h, int64_t in_w, int64_t out_channels, int64_t kh, int64_t kw,
                                 int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w);

/// dw [O, C, kh, kw] += the sample's weight gradient; kw <= 3.
void conv2d_backward_weights_direct(const float *x, const float *dy, float *dw, float *scratch, int64_t channels,
                                    int64_t in_h, int64_t in_w, int64_t out_channels, int64_t kh, int64_t kw,
                                    int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w);

// MARK: Element-wise and bias

/// y = f(x) for the activation `kind` (ActivationFunction.Kind's raw value) with parameters
/// alpha and beta (activation.h).
void activation_forward(const float *x, float *y, int64_t count, int kind, float alpha, float beta);
/// dx = dy · f'(x), from the output y or, for GELU and SiLU, the input x (the other may be NULL).
void activation_backward(const float *x, const float *y, const float *dy, float *dx, int64_t count, int kind,
                         float alpha, float beta);

/// dst[i] = parts[0][i] + parts[1][i] + … + parts[count − 1][i], added in that order, the parts
/// `stride` floats apart: the per-run partial sums of a weight gradient, folded.
void add_parts(float *dst, const float *parts, int64_t count, int64_t length, int64_t stride);

/// run_sums[r] = the sum of run r of `dy` seen as rows·channels runs of `inner` floats, each
/// added in order from its first float (the bias gradient's first stage).
void bias_gradient_rows(const float *dy, float *run_sums, int64_t rows, int64_t channels, int64_t inner);

// MARK: Bias, activation and dropout in one pass ([rows, channels, inner]; `activation` is
// ActivationFunction.Kind's raw value, alpha and beta its parameters; p = 0 is no dropout;
// `first` is the index of x[0] in the whole tensor, which the dropout mask is a function of)

/// y = dropout(f(x + bias)); y may be x.
void bias_activation_forward(const float *x, const float *bias, float *y, int64_t rows, int64_t channels,
                             int64_t inner, int activation, float alpha, float beta, float p, uint32_t key,
                             int64_t first);
/// dx = the gradient with respect to x from the forward output y and dy, and run_sums[r] the
/// sum of run r of dx (the bias gradient's first stage, as bias_gradient_rows). Only for kinds
/// whose gradient follows from the output.
void bias_activation_backward_rows(const float *y, const float *dy, float *dx, float *run_sums, int64_t rows,
                                   int64_t channels, int64_t inner, int activation, float alpha, float beta, float p,
                                   uint32_t key, int64_t first);

// MARK: Average pooling (planes [count, H, W] -> [count, OH, OW]; kernel K, stride S, padding P)

/// y = the mean of each window, divided as PyTorch's AvgPool2d divides it (count_include_pad).
void avg_pool2d_forward(const float *x, float *y, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                        int64_t k, int64_t s, int64_t p, int count_include_pad);
/// dx[i] = the sum over the windows covering pixel i of dy / the window's divisor.
void avg_pool2d_backward(const float *dy, float *dx, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                         int64_t k, int64_t s, int64_t p, int count_include_pad);

// MARK: Batch normalisation (x viewed as [outer, channels, inner]; channels [c0, c1))

/// y = (x - mean) * inv_std * scale + shift per channel, writing mean and inv_std. use_batch: the
/// batch's statistics, and where running_factor >= 0 the running ones moved toward them (the
/// unbiased variance); else the running ones. scale and shift may be NULL (no affine).
void batch_norm_forward(const float *x, float *y, int64_t outer, int64_t channels, int64_t inner, int64_t c0,
                        int64_t c1, const float *scale, const float *shift, float epsilon, int use_batch,
                        float running_factor, float *running_mean, float *running_var, float *mean, float *inv_std);
/// dx from dy through the batch statistics; scale_grad and shift_grad (may be NULL) the sums
/// of dy * xhat and of dy per channel.
void batch_norm_backward(const float *x, const float *dy, float *dx, int64_t outer, int64_t channels, int64_t inner,
                         int64_t c0, int64_t c1, const float *scale, const float *mean, const float *inv_std,
                         float *scale_grad, float *shift_grad);

// MARK: A VAE's Gaussian bottleneck (Sources/CPUKernels/gaussian.c): stats rows are μ then log σ²

/// Rows [r0, r1) of z [rows, features] = μ + exp(½ log σ²)·ε (ε = gaussian_normal(key,
/// r·features + j)), or μ where `sample` is 0.
void reparameterize_forward(const float *stats, float *z, int64_t r0, int64_t r1, int64_t features, int sample,
                            uint32_t key);
/// Rows [r0, r1) of dstats = (dz, ½·dz·σ·ε), written.
void reparameterize_backward(const float *stats, const float *dz, float *dstats, int64_t r0, int64_t r1,
                             int64_t features, uint32_t key);
/// Σ of −½(1 + log σ² − μ² − σ²) over rows [r0, r1) (in double); where `gradient` is not NULL,
/// adds grad_scale·(μ, ½(σ² − 1)) to it.
double gaussian_kl(const float *stats, float *gradient, int64_t r0, int64_t r1, int64_t features, float grad_scale);

// MARK: Losses

/// g[i] = grad_scale * d(loss)/dp[i] for the PixelLoss `kind` (0 BCE, 1 BCE with logits, 2 L1);
/// returns the sum of the loss's terms over the range, in double.
double pixel_loss(int kind, const float *p, const float *t, float *g, int64_t count, float grad_scale);

// MARK: Optimizers

/// One Adam step over `count` parameters: m and v updated, then w; `first` and `second` are
/// 1 - beta1^t and 1 - beta2^t (AdamCorrection). Products and sums rounded one at a time.
void adam_step(float *w, const float *g, float *m, float *v, int64_t count, float lr, float beta1, float beta2,
               float epsilon, float weight_decay, float first, float second);

#endif
