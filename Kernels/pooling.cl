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

// 2-D average pooling as PyTorch's AvgPool2d (Sources/CPUKernels/avg_pool.c): a window starts
// at o*S - P; its divisor is its extent clipped to the padded input (count_include_pad) or to
// the input itself. Writes the window of output (oy, ox) clipped to the input into y0..x1.
ALWAYS_INLINE float avg_window(const int oy, const int ox, const int H, const int W, const int K, const int S, const int P,
                        const int count_include_pad, int* y0, int* y1, int* x0, int* x1) {
    int a = oy * S - P, c = ox * S - P;
    int b = min(a + K, H + P), d = min(c + K, W + P);
    const int padded = (b - a) * (d - c);
    a = max(a, 0); c = max(c, 0); b = min(b, H); d = min(d, W);
    *y0 = a; *y1 = b; *x0 = c; *x1 = d;
    return (float)(count_include_pad ? padded : (b - a) * (d - c));
}

__kernel void avg_pool2d_forward(const int planes, const int H, const int W, const int OH, const int OW, const int K,
                                 const int S, const int P, const int count_include_pad, __global const float* x,
                                 __global float* y) {
    const int index = get_global_id(0);
    if (index >= planes * OH * OW) return;
    const int ox = index % OW, oy = (index / OW) % OH, plane = index / (OW * OH);
    __global const float* src = x + plane * H * W;
    int y0, y1, x0, x1;
    const float divisor = avg_window(oy, ox, H, W, K, S, P, count_include_pad, &y0, &y1, &x0, &x1);
    float sum = 0.0f;
    for (int iy = y0; iy < y1; ++iy)
        for (int ix = x0; ix < x1; ++ix) sum += src[iy * W + ix];
    y[index] = y0 < y1 && x0 < x1 ? sum / divisor : 0.0f;
}

// One work-item per input pixel, gathering from the windows that cover it (no atomics).
__kernel void avg_pool2d_backward(const int planes, const int H, const int W, const int OH, const int OW, const int K,
                                  const int S, const int P, const int count_include_pad, __global const float* dy,
                                  __global float* dx) {
    const int index = get_global_id(0);
    if (index >= planes * H * W) return;
    const int ix = index % W, iy = (index / W) % H, plane = index / (W * H);
    const int oy_first = iy + P < K ? 0 : (iy + P - K) / S + 1, oy_last = min((iy + P) / S, OH - 1);
    const int ox_first = ix + P < K ? 0 : (ix + P - K) / S + 1, ox_last = min((ix + P) / S, OW - 1);
    float acc = 0.0f;
    for (int oy = oy_first; oy <= oy_last; ++oy) {
        for (int ox = ox_first; ox <= ox_last; ++ox) {
            int y0, y1, x0, x1;
            const float divisor = avg_window(oy, ox, H, W, K, S, P, count_include_pad, &y0, &y1, &x0, &x1);
            acc += dy[(plane * OH + oy) * OW + ox] / divisor;
        }
    }
    dx[index] = acc;
}
