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
