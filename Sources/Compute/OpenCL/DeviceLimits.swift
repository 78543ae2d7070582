
/// What an OpenCL device allows, as its driver reports it: the backend checks every buffer and
/// every launch against these before the driver sees them, so a kernel that does not fit a
/// device fails with a message naming the limit rather than an OpenCL error code.
public struct DeviceLimits: Sendable, Codable, Equatable {
    /// CL_DEVICE_MAX_WORK_GROUP_SIZE: work-items in one work-group.
    public var maxWorkGroupSize: Int
    /// CL_DEVICE_MAX_WORK_ITEM_SIZES: work-items along each dimension of a work-group.
    public var maxWorkItemSizes: [Int]
    /// CL_DEVICE_LOCAL_MEM_SIZE: local memory a work-group may use.
    public var localMemoryBytes: Int
    /// CL_DEVICE_MAX_MEM_ALLOC_SIZE: the largest single buffer.
    public var maxAllocationBytes: Int

    public init(maxWorkGroupSize: Int, maxWorkItemSizes: [Int], localMemoryBytes: Int, maxAllocationBytes: Int) {
        self.maxWorkGroupSize = maxWorkGroupSize; self.maxWorkItemSizes = maxWorkItemSizes
        self.localMemoryBytes = localMemoryBytes; self.maxAllocationBytes = maxAllocationBytes
    }

    /// Throws unless a buffer of `bytes` fits one allocation on `device`.
    func checkAllocation(_ bytes: Int, device: String) throws {
        guard bytes <= maxAllocationBytes else {
            throw ComputeError.deviceLimit("a buffer of \(formatBytes(bytes)) is over \(device)'s largest allocation, "
                                           + "\(formatBytes(maxAllocationBytes)) (CL_DEVICE_MAX_MEM_ALLOC_SIZE); "
                                           + "use a smaller batch, or --device cpu")
        }
    }

    /// Throws unless kernel `name` may run in work-groups of `local` using `localBytes` of local
    /// memory; `kernelMaximum` is the driver's CL_KERNEL_WORK_GROUP_SIZE for that kernel.
    func checkLaunch(_ name: String, local: [Int], localBytes: Int, kernelMaximum: Int, device: String) throws {
        let size = local.reduce(1, *), allowed = min(maxWorkGroupSize, kernelMaximum)
        guard size <= allowed else {
            throw ComputeError.deviceLimit("kernel \(name) runs in work-groups of \(size) work-items \(local); \(device) "
                                           + "allows at most \(allowed) (CL_DEVICE_MAX_WORK_GROUP_SIZE "
                                           + "\(maxWorkGroupSize), CL_KERNEL_WORK_GROUP_SIZE \(kernelMaximum)). "
                                           + "Its size is set in KernelConstants.swift, or by `aekit tune`")
        }
        for (d, extent) in local.enumerated() where d < maxWorkItemSizes.count && extent > maxWorkItemSizes[d] {
            throw ComputeError.deviceLimit("kernel \(name)'s work-groups are \(extent) wide in dimension \(d); \(device) "
                                           + "allows \(maxWorkItemSizes[d]) (CL_DEVICE_MAX_WORK_ITEM_SIZES)")
        }
        guard localBytes <= localMemoryBytes else {
            throw ComputeError.deviceLimit("kernel \(name) needs \(formatBytes(localBytes)) of local memory; \(device) "
                                           + "has \(formatBytes(localMemoryBytes)) (CL_DEVICE_LOCAL_MEM_SIZE)")
        }
    }
}
