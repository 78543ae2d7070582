// 2-D convolution (cross-correlation, as PyTorch's Conv2d), NCHW, two ways:
//  - direct kernels (conv2d_forward, conv2d_backward_data, conv2d_backward_weights), one
//    work-item per output element or one work-group per weight: no scratch memory, best with
//    few channels (the reports' convolutions have 1 to 32, with 3x3 kernels);
//  - im2col + GEMM (the kernels after the line below, with gemm.cl): patches unrolled into a
//    matrix, best where there are enough output channels to feed a GEMM.
// The host picks by shape (OpenCLBackend.ConvAlgorithm) and `aekit bench kernels` times both.
// Geometry: input [N, C, H, W], weight [OC, C, KH, KW], output [N, OC, OH, OW],
// stride (SH, SW), zero padding (PH, PW).

#define CONV_GEOMETRY const int N, const int C, const int H, const int W, const int OC,   \
                      const int KH, const int KW, const int SH, const int SW,             \
                      const int PH, const int PW, const int OH, const int OW

// The epilogue of a fused forward pass (conv2d_bias_activation_forward), as gemm.cl's: a
// bias per output channel where has_bias, then prelude.cl's activation, then dropout (p > 0)
// indexed by the output element.
#define CONV_EPILOGUE __global const float* bias, const int has_bias, const int activation, const float act_alpha, \
                      const float act_beta, const float p, const uint key, const float keep_scale

// One work-item per output element.
__kernel void conv2d_forward(CONV_GEOMETRY, __global const float* x, __global const float* w,
                             __global float* y, CONV_EPILOGUE) {
    const int index = get_global_id(0);
    if (index >= N * OC * OH * OW) return;
    const int ow = index % OW;
    const int oh = (index / OW) % OH;
    const int oc = (index / (OW * OH)) % OC;
    const int n = index / (OW * OH * OC);
    float acc = 0.0f;
    for (int c = 0; c < C; ++c) {
        __global const float* plane = x + (n * C + c) * H * W;
        __global const float* kernel_ = w + (oc * C + c) * KH * KW;
        for (int kh = 0; kh < KH; ++kh) {
            const int ih = oh * SH - PH + kh;
            if (ih < 0 || ih >= H) continue;
            for (int kw = 0; kw < KW; ++kw) {
                const int iw = ow * SW - PW + kw;
                if (iw < 0 || iw >= W) continue;
                acc = fma(plane[ih * W + iw], kernel_[kh * KW + kw], acc);
            }
        }
    }
    if (has_bias) acc += bias[oc];
    acc = activate(activation, act_alpha, act_beta, acc);
    if (p > 0.0f) acc = uniform(key, (uint)index) >= p ? acc * keep_scale : 0.0f;
    y[index] = acc;
}

// One work-item per input element: it gathers every output position whose window covered it,
// so no two work-items write the same address (no atomics).
__kernel void conv2d_backward_data(CONV_GEOMETRY, __global const float* dy, __global const float* w,
                                   __global float* dx) {
    const int index = get_global_id(0);
    if (index >= N * C * H * W) return;
    const int iw = index % W;
    const int ih = (index / W) % H;
    const int c = (index / (W * H)) % C;
    const int n = index / (W * H * C);
    float acc = 0.0f;
    for (int oc = 0; oc < OC; ++oc) {
        __global const float* grad = dy + (n * OC + oc) * OH * OW;
        __global const float* kernel_ = w + (oc * C + c) * KH * KW;
        for (int kh = 0; kh < KH; ++kh) {
            const int th = ih + PH - kh;
            if (th < 0 || th % SH != 0) continue;
            const int oh = th / SH;
            if (oh >= OH) continue;
            for (int kw = 0; kw < KW; ++kw) {
                const int tw = iw + PW - kw;
                if (tw < 0 || tw % SW != 0) continue;
                const int ow = tw / SW;
                if (ow >= OW) continue;
                acc = fma(grad[oh * OW + ow], kernel_[kh * KW + kw], acc);
            }
        }
    }
    dx[index] = acc;
}

// One work-group per weight element: its work-items stride over the N*OH*OW output positions
// that weight touched, then add their partial sums in local memory (`partial`, one float per
// work-item; the host picks the group's size, a power of two).
__kernel void conv2d_backward_weights(CONV_GEOMETRY, __global const float* x, __global const float* dy,
                                      __global float* dw, __local float* partial) {
    const int weight = get_group_id(0);
    const int kw = weight % KW;
    const int kh = (weight / KW) % KH;
    const int c = (weight / (KW * KH)) % C;
    const int oc = weight / (KW * KH * C);
    const int lid = get_local_id(0), size = get_local_size(0);
    float acc = 0.0f;
    for (int p = lid; p < N * OH * OW; p += size) {
        const int ow = p % OW;
        const int oh = (p / OW) % OH;
        const int n = p / (OW * OH);
        const int ih = oh * SH - PH + kh;
        const int iw = ow * SW - PW + kw;
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        acc = fma(dy[((n * OC + oc) * OH + oh) * OW + ow], x[((n * C + c) * H + ih) * W + iw], acc);
    }
    work_group_sum(partial, acc, size);
    if (lid == 0) dw[weight] = partial[0];
}

// ---------------------------------------------------------------------------------------
// The im2col path: a chunk of S samples starting at sample n0 becomes S matrices of patches,
// [S][C*KH*KW][OH*OW] (im2col), so forward is gemm.cl's strided batch W x col_s written
// straight into the NCHW output, the weight gradient the batch dy_s x col_s^T summed over s,
// and backward-data the batch W^T x dy_s folded back (col2im). dy_s and y_s are read and
// written in place in NCHW: no regrouping pass.

__kernel void conv2d_im2col(CONV_GEOMETRY, const int n0, const int S, __global const float* x,
                            __global float* col) {
    const int index = get_global_id(0);
    const int P = OH * OW, R = C * KH * KW;
    if (index >= S * R * P) return;
    const int column = index % P, row = (index / P) % R, s = index / (P * R);
    const int ow = column % OW, oh = column / OW;
    const int kw = row % KW, kh = (row / KW) % KH, c = row / (KW * KH);
    const int ih = oh * SH - PH + kh, iw = ow * SW - PW + kw;
    col[index] = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? x[(((n0 + s) * C + c) * H + ih) * W + iw] : 0.0f;
}

// The adjoint of im2col, as a gather: each input pixel of the chunk sums the column entries
// that came from it, so no two work-items write one address.
__kernel void conv2d_col2im(CONV_GEOMETRY, const int n0, const int S, __global const float* col,
                            __global float* dx) {
    const int index = get_global_id(0);
    if (index >= S * C * H * W) return;
    const int iw = index % W, ih = (index / W) % H, c = (index / (W * H)) % C, s = index / (W * H * C);
    const int P = OH * OW;
    __global const float* sample = col + s * C * KH * KW * P;
    float acc = 0.0f;
    for (int kh = 0; kh < KH; ++kh) {
        const int th = ih + PH - kh;
        if (th < 0 || th % SH != 0 || th / SH >= OH) continue;
        for (int kw = 0; kw < KW; ++kw) {
            const int tw = iw + PW - kw;
            if (tw < 0 || tw % SW != 0 || tw / SW >= OW) continue;
            acc += sample[((c * KH + kh) * KW + kw) * P + (th / SH) * OW + tw / SW];
        }
    }
    dx[((n0 + s) * C + c) * H * W + ih * W + iw] = acc;
}
