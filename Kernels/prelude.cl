// Put before every kernel file by the host (OpenCLBackend.program): what several files share.

// The tuning constants come from the host as -D options (Sources/Compute/OpenCL/KernelConstants.swift).
#if !defined(TSM) || !defined(TSN) || !defined(TSK) || !defined(WPTM) || !defined(WPTN) || !defined(VR) || !defined(VW)
#error "build with KernelConstants.buildOptions: a tuning constant is missing"
#endif

// Leaves in partial[0] the sum of every work-item's `value` over a work-group of `size`
// work-items (a power of two), `partial` being a local array of `size` floats: a tree of
// halving steps, a barrier after each, so every work-item must call it.
inline void work_group_sum(__local float* partial, const float value, const int size) {
    const int lid = get_local_id(0);
    partial[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = size / 2; width > 0; width /= 2) {
        if (lid < width) partial[lid] += partial[lid + width];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}
