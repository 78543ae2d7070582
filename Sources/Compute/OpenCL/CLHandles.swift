import COpenCL

// Thin owning wrappers: each class holds one OpenCL handle and releases it in deinit, so a
// handle lives exactly as long as the Swift object. They are @unchecked Sendable because
// OpenCL's own objects are thread-safe to retain, release and pass between threads
// (OpenCL 1.2 §A.2) — except cl_kernel's argument setting, which `OpenCLBackend` serialises.

final class CLContext: @unchecked Sendable {
    let handle: cl_context
    let device: cl_device_id

    init(device: cl_device_id) throws {
        var device = Optional(device)
        self.handle = try clCreate("creating a context") { clCreateContext(nil, 1, &device, nil, nil, $0) }
        self.device = device!
    }
    deinit { clReleaseContext(handle) }
}

final class CLQueue: @unchecked Sendable {
    let handle: cl_command_queue

    /// An in-order queue with profiling on: every kernel can be timed from its event.
    init(context: CLContext) throws {
        handle = try clCreate("creating a command queue") {
            clCreateCommandQueue(context.handle, context.device, cl_command_queue_properties(CL_QUEUE_PROFILING_ENABLE), $0)
        }
    }
    deinit { clReleaseCommandQueue(handle) }

    func finish() throws { try checkCL(clFinish(handle), "waiting for the queue to finish") }
}

/// Device memory: the storage behind an OpenCL `Buffer`.
final class CLMemory: @unchecked Sendable {
    let handle: cl_mem
    let bytes: Int
    /// A sub-buffer's buffer, kept alive while the sub-buffer is.
    private let parent: CLMemory?

    init(context: CLContext, bytes: Int) throws {
        // A zero-size buffer is invalid in OpenCL; keep one float so empty tensors still work.
        let size = max(bytes, MemoryLayout<Float>.stride)
        handle = try clCreate("allocating \(size) bytes of device memory") {
            clCreateBuffer(context.handle, cl_mem_flags(CL_MEM_READ_WRITE), size, nil, $0)
        }
        self.bytes = bytes
        parent = nil
    }

    /// `bytes` of `parent` from `origin` (a multiple of the device's base-address alignment):
    /// a sub-buffer, the same memory.
    init(subBufferOf parent: CLMemory, origin: Int, bytes: Int) throws {
        var region = cl_buffer_region(origin: origin, size: bytes)
        handle = try clCreate("making a view of \(bytes) bytes from byte \(origin) of a device buffer") {
            clCreateSubBuffer(parent.handle, cl_mem_flags(CL_MEM_READ_WRITE), cl_buffer_create_type(CL_BUFFER_CREATE_TYPE_REGION),
                              &region, $0)
        }
        self.bytes = bytes
        self.parent = parent
    }
    deinit { clReleaseMemObject(handle) }
}

final class CLProgram: @unchecked Sendable {
    let handle: cl_program
    init(handle: cl_program) { self.handle = handle }
    deinit { clReleaseProgram(handle) }
}

final class CLKernel: @unchecked Sendable {
    let handle: cl_kernel
    let name: String
    /// What the driver says of this kernel on one device.
    struct WorkGroupInfo {
        /// CL_KERNEL_WORK_GROUP_SIZE: the most work-items per work-group for this kernel.
        let maxWorkGroupSize: Int
        /// CL_KERNEL_LOCAL_MEM_SIZE: the local memory it uses.
        let localMemoryBytes: Int
        /// CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE: work-group sizes that fill the hardware
        /// (a warp of 32 on NVIDIA).
        let preferredMultiple: Int
    }

    /// Read on first use (under the device's lock, as every use of a kernel is).
    private var workGroupInfo: WorkGroupInfo?

    func workGroupInfo(on device: cl_device_id) throws -> WorkGroupInfo {
        if let workGroupInfo { return workGroupInfo }
        var size = 0, local: cl_ulong = 0, multiple = 0
        try checkCL(clGetKernelWorkGroupInfo(handle, device, cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE),
                                             MemoryLayout<Int>.size, &size, nil), "reading kernel \(name)'s work-group size")
        try checkCL(clGetKernelWorkGroupInfo(handle, device, cl_kernel_work_group_info(CL_KERNEL_LOCAL_MEM_SIZE),
                                             MemoryLayout<cl_ulong>.size, &local, nil), "reading kernel \(name)'s local memory")
        try checkCL(clGetKernelWorkGroupInfo(handle, device, cl_kernel_work_group_info(CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE),
                                             MemoryLayout<Int>.size, &multiple, nil), "reading kernel \(name)'s preferred multiple")
        let info = WorkGroupInfo(maxWorkGroupSize: size, localMemoryBytes: Int(local), preferredMultiple: max(multiple, 1))
        workGroupInfo = info
        return info
    }

    init(program: CLProgram, name: String) throws {
        handle = try clCreate("creating kernel \(name)") { clCreateKernel(program.handle, name, $0) }
        self.name = name
    }
    deinit { clReleaseKernel(handle) }
}

final class CLEvent: @unchecked Sendable {
    let handle: cl_event
    init(handle: cl_event) { self.handle = handle }
    deinit { clReleaseEvent(handle) }

    /// Seconds between the command's start and end on the device (needs a profiling queue).
    func duration() throws -> Double {
        var start: cl_ulong = 0, end: cl_ulong = 0
        try checkCL(clWaitForEvents(1, [Optional(handle)]), "waiting for a kernel")
        try checkCL(clGetEventProfilingInfo(handle, cl_profiling_info(CL_PROFILING_COMMAND_START),
                                            MemoryLayout<cl_ulong>.size, &start, nil), "reading a kernel's start time")
        try checkCL(clGetEventProfilingInfo(handle, cl_profiling_info(CL_PROFILING_COMMAND_END),
                                            MemoryLayout<cl_ulong>.size, &end, nil), "reading a kernel's end time")
        return Double(end &- start) * 1e-9
    }
}
