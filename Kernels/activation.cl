// Every activation on its own (prelude.cl's `activate` and its gradients, one work-item per
// element). The backward kernel reads the forward output y, or where that does not give the
// gradient (GELU, SiLU, a negative LeakyReLU slope or ELU alpha) the input x.

__kernel void activation_forward(const int n, const int activation, const float act_alpha, const float act_beta,
                                 __global const float* x, __global float* y) {
    const int i = get_global_id(0);
    if (i < n) y[i] = activate(activation, act_alpha, act_beta, x[i]);
}

__kernel void activation_backward(const int n, const int activation, const float act_alpha, const float act_beta,
                                  __global const float* x, __global const float* y, __global const float* dy,
                                  __global float* dx) {
    const int i = get_global_id(0);
    if (i >= n) return;
    dx[i] = gradient_needs_input(activation, act_alpha) ? gradient_from_input(activation, act_alpha, dy[i], x[i])
                                             : gradient_from_output(activation, act_alpha, act_beta, dy[i], y[i]);
}
