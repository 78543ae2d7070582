#include <string.h>
#include "CPUKernels.h"
#include "kernel.h"
#include "vector.h"

// Direct convolution for stride 1: the loops of the definition, vectorised along an output row
// and blocked so the accumulators stay in registers. The reports' convolutions have 1 to 32
// channels and 3×3 kernels; lowered to a GEMM (im2col) they become products of 1–32 rows by
// K = 9–288, which OpenBLAS packs for longer than it computes, after a copy of every input
// pixel kh·kw times. Here each input row is read from L1/L2 once per tap.
//
// The input is first copied into a zero-padded scratch plane per channel, so no tap needs a
// bounds test, and its rows are long enough that a tile of whole vectors never reads past
// them: a row's outputs are computed in tiles of V vectors of 8 floats, and the lanes past
// out_w are computed and dropped (or, in backward-weights, multiplied by zero).
//
// Vectors are vector.h's clang/GCC vector types, so each of CPU_KERNEL's clones gets the code of
// its own instruction set from the same source.

/// Vectors per tile of an output row of `out_w`: enough for the row up to 32 floats.
static inline int64_t tile_vectors(int64_t out_w) { return out_w <= 8 ? 1 : out_w <= 16 ? 2 : 4; }

/// The padded geometry of one sample: rows of `*wp` floats, `*tiles` tiles of `v` vectors each.
static inline void padded_row(int64_t out_w, int64_t kw, int64_t v, int64_t *tiles, int64_t *wp) {
    *tiles = (out_w + v * LANES - 1) / (v * LANES);
    *wp = *tiles * v * LANES + kw - 1;
}

/// x [C, H, W] into xp [C, H + 2·pad_h, wp], zero around it (pad_w zeros on the left).
static void pad_planes(const float *x, float *xp, int64_t channels, int64_t in_h, int64_t in_w,
                       int64_t pad_h, int64_t pad_w, int64_t wp) {
    const int64_t hp = in_h + 2 * pad_h;
    memset(xp, 0, (size_t)(channels * hp * wp) * sizeof(float));
    for (int64_t c = 0; c < channels; c++) {
        for (int64_t h = 0; h < in_h; h++) {
            memcpy(xp + (c * hp + h + pad_h) * wp + pad_w, x + (c * in_h + h) * in_w, (size_t)in_w * sizeof(float));
        }
    }
}

int64_t conv2d_direct_scratch(int64_t channels, int64_t in_h, int64_t in_w, int64_t out_channels, int64_t kh,
                              int64_t kw, int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w) {
    (void)in_w; (void)pad_w;
    int64_t tiles, wp;
    padded_row(out_w, kw, tile_vectors(out_w), &tiles, &wp);
    // Backward-weights also keeps dy with its rows padded to whole tiles.
    return channels * (in_h + 2 * pad_h) * wp + out_channels * out_h * (wp - kw + 1);
}

// MARK: Forward

/// OB output channels × one tile of V vectors of one output row: y[b][l] = Σ_c,i,j w[b][c][i][j]·row.
/// `xp` is at the tile's first input (channel 0, row oh, column ow0), `w` at output channel o0,
/// `y` at (o0, oh, ow0); `width` of the tile's lanes are stored.
static inline __attribute__((always_inline))
void forward_tile(const float *restrict xp, const float *restrict w, float *restrict y, int64_t channels,
                  int64_t hp, int64_t wp, int64_t kh, int64_t kw, int64_t width, int64_t out_plane,
                  const int OB, const int V) {
    const int64_t filter = channels * kh * kw;
    vf8 acc[4][4];
    for (int b = 0; b < OB; b++) for (int v = 0; v < V; v++) acc[b][v] = (vf8){0};
    for (int64_t c = 0; c < channels; c++) {
        for (int64_t i = 0; i < kh; i++) {
            const float *row = xp + (c * hp + i) * wp, *taps = w + (c * kh + i) * kw;
            for (int64_t j = 0; j < kw; j++) {
                float weight[4];
                for (int b = 0; b < OB; b++) weight[b] = taps[b * filter + j];
                for (int v = 0; v < V; v++) {
                    const vf8 s = load8(row + j + v * LANES);
                    for (int b = 0; b < OB; b++) acc[b][v] += weight[b] * s;
                }
            }
        }
    }
    for (int b = 0; b < OB; b++) {
        float lanes[4 * LANES];
        memcpy(lanes, acc[b], sizeof(vf8) * (size_t)V);
        memcpy(y + b * out_plane, lanes, (size_t)width * sizeof(float));
    }
}

/// One output row's tiles for OB output channels.
static inline __attribute__((always_inline))
void forward_rows(const float *xp, const float *w, float *y, int64_t channels, int64_t hp, int64_t wp,
                  int64_t kh, int64_t kw, int64_t oh, int64_t out_h, int64_t out_w, int64_t tiles,
                  const int OB, const int V) {
    for (int64_t t = 0; t < tiles; t++) {
        const int64_t ow0 = t * V * LANES;
        const int64_t width = out_w - ow0 < V * LANES ? out_w - ow0 : V * LANES;
        forward_tile(xp + oh * wp + ow0, w, y + oh * out_w + ow0, channels, hp, wp, kh, kw, width,
                     out_h * out_w, OB, V);
    }
}

/// Output channels are taken four at a time (two with 4-vector tiles: 8 accumulators either way,
/// leaving registers for the weights and the input), then two, then one.
#define FORWARD_BLOCKS(V, MAX_OB)                                                                \
    for (int64_t o0 = 0; o0 < out_channels;) {                                                   \
        const int64_t left = out_channels - o0;                                                  \
        const float *wo = w + o0 * channels * kh * kw;                                           \
        float *yo = y + o0 * out_h * out_w;                                                      \
        if (MAX_OB >= 4 && left >= 4) {                                                          \
            for (int64_t oh = 0; oh < out_h; oh++)                                               \
                forward_rows(xp, wo, yo, channels, hp, wp, kh, kw, oh, out_h, out_w, tiles, 4, V); \
            o0 += 4;                                                                             \
        } else if (left >= 2) {                                                                  \
            for (int64_t oh = 0; oh < out_h; oh++)                                               \
                forward_rows(xp, wo, yo, channels, hp, wp, kh, kw, oh, out_h, out_w, tiles, 2, V); \
            o0 += 2;                                                                             \
        } else {                                                                                 \
            for (int64_t oh = 0; oh < out_h; oh++)                                               \
                forward_rows(xp, wo, yo, channels, hp, wp, kh, kw, oh, out_h, out_w, tiles, 1, V); \
            o0 += 1;                                                                             \
        }                                                                                        \
    }

CPU_KERNEL
void conv2d_forward_direct(const float *x, const float *w, float *y, float *scratch, int64_t channels,
                           int64_t in_h, int64_t in_w, int64_t out_channels, int64_t kh, int64_t kw,
                           int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w) {
    const int64_t vectors = tile_vectors(out_w), hp = in_h + 2 * pad_h;
    int64_t tiles, wp;
    padded_row(out_w, kw, vectors, &tiles, &wp);
    float *xp = scratch;
    pad_planes(x, xp, channels, in_h, in_w, pad_h, pad_w, wp);
    switch (vectors) {
    case 1: FORWARD_BLOCKS(1, 4) break;
    case 2: FORWARD_BLOCKS(2, 4) break;
    default: FORWARD_BLOCKS(4, 2) break;
    }
}

void conv2d_flip_weights(const float *w, float *flipped, int64_t out_channels, int64_t channels, int64_t kh,
                         int64_t kw) {
    for (int64_t o = 0; o < out_channels; o++)
        for (int64_t c = 0; c < channels; c++)
            for (int64_t i = 0; i < kh; i++)
                for (int64_t j = 0; j < kw; j++)
                    flipped[((c * out_channels + o) * kh + kh - 1 - i) * kw + kw - 1 - j] =
                        w[((o * channels + c) * kh + i) * kw + j];
}

void conv2d_backward_data_direct(const float *dy, const float *flipped, float *dx, float *scratch, int64_t channels,
                                 int64_t in_h, int64_t in_w, int64_t out_channels, int64_t kh, int64_t kw,
                                 int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w) {
    // dx is dy correlated with the flipped, transposed filters over dy padded by k − 1 − pad:
    // a forward convolution from out_channels planes of out_h × out_w to channels of in_h × in_w.
    conv2d_forward_direct(dy, flipped, dx, scratch, out_channels, out_h, out_w, channels, kh, kw,
                          kh - 1 - pad_h, kw - 1 - pad_w, in_h, in_w);
}

// MARK: Backward weights

/// dw[o][c][i][0..<KW] += Σ_oh,ow dy[o][oh][ow]·xp[c][oh + i][ow + j] for one (o, c, i): `dyp`
/// at o's first padded row (row stride wd, zero past out_w), `xr` at xp's channel c, row i.
static inline __attribute__((always_inline))
void weights_row_taps(const float *restrict dyp, const float *restrict xr, float *restrict dw, int64_t out_h,
                      int64_t tiles, int64_t wd, int64_t wp, const int KW, const int V) {
    vf8 acc[3][2];
    for (int j = 0; j < KW; j++) for (int v = 0; v < V; v++) acc[j][v] = (vf8){0};
    for (int64_t oh = 0; oh < out_h; oh++) {
        for (int64_t t = 0; t < tiles; t++) {
            const float *d = dyp + oh * wd + t * V * LANES, *r = xr + oh * wp + t * V * LANES;
            vf8 g[2];
            for (int v = 0; v < V; v++) g[v] = load8(d + v * LANES);
            for (int j = 0; j < KW; j++)
                for (int v = 0; v < V; v++) acc[j][v] += g[v] * load8(r + j + v * LANES);
        }
    }
    for (int j = 0; j < KW; j++) {
        vf8 s = acc[j][0];
        for (int v = 1; v < V; v++) s += acc[j][v];
        float total = 0;
        for (int l = 0; l < LANES; l++) total += s[l];
        dw[j] += total;
    }
}

#define WEIGHTS_TAPS(KW, V)                                                                      \
    for (int64_t o = 0; o < out_channels; o++)                                                   \
        for (int64_t c = 0; c < channels; c++)                                                   \
            for (int64_t i = 0; i < kh; i++)                                                     \
                weights_row_taps(dyp + o * out_h * wd, xp + (c * hp + i) * wp,                   \
                                 dw + ((o * channels + c) * kh + i) * kw, out_h, tiles, wd, wp, KW, V);

CPU_KERNEL
void conv2d_backward_weights_direct(const float *x, const float *dy, float *dw, float *scratch, int64_t channels,
                                    int64_t in_h, int64_t in_w, int64_t out_channels, int64_t kh, int64_t kw,
                                    int64_t pad_h, int64_t pad_w, int64_t out_h, int64_t out_w) {
    // The forward's padded layout (so one scratch size serves both), read in tiles of at most
    // two vectors: KW × 2 accumulators, two dy vectors and a loaded input fit in 16 registers.
    int64_t tiles, wp;
    padded_row(out_w, kw, tile_vectors(out_w), &tiles, &wp);
    const int64_t hp = in_h + 2 * pad_h, wd = wp - kw + 1, vectors = tile_vectors(out_w) == 1 ? 1 : 2;
    tiles = wd / (vectors * LANES);
    float *xp = scratch, *dyp = scratch + channels * hp * wp;
    pad_planes(x, xp, channels, in_h, in_w, pad_h, pad_w, wp);
    memset(dyp, 0, (size_t)(out_channels * out_h * wd) * sizeof(float));
    for (int64_t r = 0; r < out_channels * out_h; r++) memcpy(dyp + r * wd, dy + r * out_w, (size_t)out_w * sizeof(float));
    if (vectors == 1) {
        switch (kw) {
        case 1: WEIGHTS_TAPS(1, 1) break;
        case 2: WEIGHTS_TAPS(2, 1) break;
        default: WEIGHTS_TAPS(3, 1) break;
        }
    } else {
        switch (kw) {
        case 1: WEIGHTS_TAPS(1, 2) break;
        case 2: WEIGHTS_TAPS(2, 2) break;
        default: WEIGHTS_TAPS(3, 2) break;
        }
    }
}
