// 2-D max-pooling, NCHW. Windows of K x K with stride S; in ceil mode the last window may run
// past the edge and only looks at the pixels inside (PyTorch's ceil_mode, Keras' "same").
// `indices` holds, per output, the position of the maximum within its input plane (ih*W + iw)
// as a float; the first maximum wins and a NaN always wins, as in PyTorch.

__kernel void max_pool2d_forward(const int planes, const int H, const int W, const int OH, const int OW,
                              const int K, const int S, __global const float* x,
                              __global float* y, __global float* indices) {
    const int index = get_global_id(0);
    if (index >= planes * OH * OW) return;
    const int ow = index % OW;
    const int oh = (index / OW) % OH;
    const int plane = index / (OW * OH);
    __global const float* src = x + plane * H * W;
    float best = -INFINITY;
    int best_index = -1;
    for (int ih = oh * S; ih < min(oh * S + K, H); ++ih) {
        for (int iw = ow * S; iw < min(ow * S + K, W); ++iw) {
            const float v = src[ih * W + iw];
            if (best_index < 0 || v > best || isnan(v)) { best = v; best_index = ih * W + iw; }
        }
    }
    y[index] = best;
    indices[index] = (float)best_index;
}

// One work-item per input pixel: it sums the gradients of the windows whose maximum it was,
// so overlapping windows (S < K) need no atomics.
__kernel void max_pool2d_backward(const int planes, const int H, const int W, const int OH, const int OW,
                               const int K, const int S, __global const float* dy,
                               __global const float* indices, __global float* dx) {
    const int index = get_global_id(0);
    if (index >= planes * H * W) return;
    const int iw = index % W;
    const int ih = (index / W) % H;
    const int plane = index / (W * H);
    const float here = (float)(ih * W + iw);
    // Windows starting at oh*S cover ih when oh*S <= ih < oh*S + K.
    const int oh_first = ih < K ? 0 : (ih - K) / S + 1;
    const int ow_first = iw < K ? 0 : (iw - K) / S + 1;
    const int oh_last = min(ih / S, OH - 1);
    const int ow_last = min(iw / S, OW - 1);
    float acc = 0.0f;
    for (int oh = oh_first; oh <= oh_last; ++oh) {
        for (int ow = ow_first; ow <= ow_last; ++ow) {
            const int o = (plane * OH + oh) * OW + ow;
            if (indices[o] == here) acc += dy[o];
        }
    }
    dx[index] = acc;
}
