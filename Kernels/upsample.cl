// Nearest-neighbour upsampling by an integer factor F (Keras' UpSampling2D, PyTorch's
// Upsample(scale_factor=F, mode="nearest")), over planes of H x W.

__kernel void upsample_forward(const int planes, const int H, const int W, const int F,
                               __global const float* x, __global float* y) {
    const int index = get_global_id(0);
    const int OW = W * F, OH = H * F;
    if (index >= planes * OH * OW) return;
    const int ow = index % OW;
    const int oh = (index / OW) % OH;
    const int plane = index / (OW * OH);
    y[index] = x[(plane * H + oh / F) * W + ow / F];
}

// One work-item per input pixel: the sum of its F x F block of output gradients.
__kernel void upsample_backward(const int planes, const int H, const int W, const int F,
                                __global const float* dy, __global float* dx) {
    const int index = get_global_id(0);
    if (index >= planes * H * W) return;
    const int iw = index % W;
    const int ih = (index / W) % H;
    const int plane = index / (W * H);
    const int OW = W * F;
    __global const float* block = dy + ((plane * H + ih) * F) * OW + iw * F;
    float acc = 0.0f;
    for (int i = 0; i < F; ++i)
        for (int j = 0; j < F; ++j) acc += block[i * OW + j];
    dx[index] = acc;
}

// Bilinear upsampling by an integer factor, as PyTorch's upsample_bilinear2d computes it
// (Sources/CPUKernels/upsample_bilinear.c, the same arithmetic): output o reads source
// coordinate scale*o (align_corners) or max(scale*(o + 0.5) - 0.5, 0); i0 is its whole part,
// i1 the next pixel (i0 at the edge), the weights 1 - l and l.
ALWAYS_INLINE void bilinear_source(const int o, const int in, const float scale, const int align_corners, int* i0, int* i1,
                            float* l0, float* l1) {
    float real = align_corners ? scale * (float)o : scale * ((float)o + 0.5f) - 0.5f;
    if (real < 0.0f) real = 0.0f;
    *i0 = (int)real;
    *i1 = *i0 + (*i0 < in - 1 ? 1 : 0);
    *l1 = real - (float)*i0;
    *l0 = 1.0f - *l1;
}

ALWAYS_INLINE float bilinear_scale(const int in, const int out, const int factor, const int align_corners) {
    if (align_corners) return out > 1 ? (float)(in - 1) / (float)(out - 1) : 0.0f;
    return 1.0f / (float)factor;
}

__kernel void upsample_bilinear_forward(const int planes, const int H, const int W, const int F, const int align_corners,
                                        __global const float* x, __global float* y) {
    const int index = get_global_id(0);
    const int OW = W * F, OH = H * F;
    if (index >= planes * OH * OW) return;
    const int ox = index % OW, oy = (index / OW) % OH, plane = index / (OW * OH);
    __global const float* in = x + plane * H * W;
    int y0, y1, x0, x1;
    float a0, a1, b0, b1;
    bilinear_source(oy, H, bilinear_scale(H, OH, F, align_corners), align_corners, &y0, &y1, &a0, &a1);
    bilinear_source(ox, W, bilinear_scale(W, OW, F, align_corners), align_corners, &x0, &x1, &b0, &b1);
    y[index] = a0 * (b0 * in[y0 * W + x0] + b1 * in[y0 * W + x1]) + a1 * (b0 * in[y1 * W + x0] + b1 * in[y1 * W + x1]);
}

// The outputs along an axis that may read input pixel i: those whose source coordinate lies in
// (i - 1, i + 1), o in ((i -+ 1 + h) / scale - h) with h = 1/2 (0 with align_corners), widened
// by one for rounding.
ALWAYS_INLINE void bilinear_candidates(const int i, const int out, const float scale, const int align_corners, int* first,
                                       int* last) {
    const float inverse = scale > 0.0f ? 1.0f / scale : (float)out, h = align_corners ? 0.0f : 0.5f;
    *first = max((int)floor(((float)i - 1.0f + h) * inverse - h) - 1, 0);
    *last = min((int)ceil(((float)i + 1.0f + h) * inverse - h) + 1, out - 1);
}

// One work-item per input pixel, gathering from the outputs that read it (no atomics).
__kernel void upsample_bilinear_backward(const int planes, const int H, const int W, const int F, const int align_corners,
                                         __global const float* dy, __global float* dx) {
    const int index = get_global_id(0);
    if (index >= planes * H * W) return;
    const int OW = W * F, OH = H * F;
    const int ix = index % W, iy = (index / W) % H, plane = index / (W * H);
    const float sh = bilinear_scale(H, OH, F, align_corners), sw = bilinear_scale(W, OW, F, align_corners);
    __global const float* grad = dy + plane * OH * OW;
    int oy_first, oy_last, ox_first, ox_last;
    bilinear_candidates(iy, OH, sh, align_corners, &oy_first, &oy_last);
    bilinear_candidates(ix, OW, sw, align_corners, &ox_first, &ox_last);
    float acc = 0.0f;
    for (int oy = oy_first; oy <= oy_last; ++oy) {
        int y0, y1;
        float a0, a1;
        bilinear_source(oy, H, sh, align_corners, &y0, &y1, &a0, &a1);
        const float row = (y0 == iy ? a0 : 0.0f) + (y1 == iy ? a1 : 0.0f);
        if (row == 0.0f) continue;
        for (int ox = ox_first; ox <= ox_last; ++ox) {
            int x0, x1;
            float b0, b1;
            bilinear_source(ox, W, sw, align_corners, &x0, &x1, &b0, &b1);
            const float column = (x0 == ix ? b0 : 0.0f) + (x1 == ix ? b1 : 0.0f);
            acc += row * column * grad[oy * OW + ox];
        }
    }
    dx[index] = acc;
}
