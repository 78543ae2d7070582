import Foundation
import COpenCL

/// One OpenCL device as `aekit devices` lists it.
public struct OpenCLDevice: Sendable, Encodable {
    /// Position in the list across all platforms: the N of `opencl:N`.
    public let index: Int
    public let platform: String
    public let name: String
    /// `gpu`, `cpu`, `accelerator` or `other`.
    public let type: String
    public let computeUnits: Int
    public let globalMemoryBytes: Int
    public let maxWorkGroupSize: Int
    public let localMemoryBytes: Int
    public let maxWorkItemSizes: [Int]
    public let maxAllocationBytes: Int
    /// CL_DEVICE_MEM_BASE_ADDR_ALIGN in bytes: where a sub-buffer may start.
    public let baseAddressAlignmentBytes: Int
    public let driverVersion: String
    public let openCLVersion: String
    let id: UInt

    enum CodingKeys: String, CodingKey {
        case index, platform, name, type, computeUnits, globalMemoryBytes, maxWorkGroupSize,
             localMemoryBytes, maxWorkItemSizes, maxAllocationBytes, baseAddressAlignmentBytes, driverVersion, openCLVersion
    }

    var handle: cl_device_id { cl_device_id(bitPattern: id)! }

    /// GPUs and accelerators are what `auto` picks; an OpenCL CPU device (PoCL) is for parity checks.
    public var isAccelerator: Bool { type == "gpu" || type == "accelerator" }

    /// Every device of every platform the OpenCL loader finds. No platform (no ICD installed)
    /// is an empty list, not an error.
    public static func all() throws -> [OpenCLDevice] {
        // The loader (ocl-icd) reads its ICD files on the first call; two threads making that
        // call at once saw no platform at all in one of them. One enumeration at a time.
        enumeration.lock()
        defer { enumeration.unlock() }
        var platformCount: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &platformCount)
        if status == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || platformCount == 0 { return [] }
        try checkCL(status, "listing OpenCL platforms")
        var platforms = [cl_platform_id?](repeating: nil, count: Int(platformCount))
        try checkCL(clGetPlatformIDs(platformCount, &platforms, nil), "listing OpenCL platforms")

        var devices: [OpenCLDevice] = []
        for case let platform? in platforms {
            let platformName = try platformString(platform, CL_PLATFORM_NAME)
            var count: cl_uint = 0
            let found = clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &count)
            if found == CL_DEVICE_NOT_FOUND || count == 0 { continue }
            try checkCL(found, "listing the devices of \(platformName)")
            var ids = [cl_device_id?](repeating: nil, count: Int(count))
            try checkCL(clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), count, &ids, nil),
                        "listing the devices of \(platformName)")
            for case let id? in ids {
                devices.append(try OpenCLDevice(index: devices.count, platform: platformName, id: id))
            }
        }
        return devices
    }

    private static let enumeration = NSLock()

    private init(index: Int, platform: String, id: cl_device_id) throws {
        self.index = index
        self.platform = platform
        self.id = UInt(bitPattern: id)
        name = try OpenCLDevice.string(id, CL_DEVICE_NAME).trimmingCharacters(in: .whitespaces)
        driverVersion = try OpenCLDevice.string(id, CL_DRIVER_VERSION)
        openCLVersion = try OpenCLDevice.string(id, CL_DEVICE_VERSION)
        let deviceType: cl_device_type = try OpenCLDevice.value(id, CL_DEVICE_TYPE)
        if deviceType & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 { type = "gpu" }
        else if deviceType & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 { type = "accelerator" }
        else if deviceType & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 { type = "cpu" }
        else { type = "other" }
        computeUnits = Int(try OpenCLDevice.value(id, CL_DEVICE_MAX_COMPUTE_UNITS) as cl_uint)
        globalMemoryBytes = Int(try OpenCLDevice.value(id, CL_DEVICE_GLOBAL_MEM_SIZE) as cl_ulong)
        localMemoryBytes = Int(try OpenCLDevice.value(id, CL_DEVICE_LOCAL_MEM_SIZE) as cl_ulong)
        maxWorkGroupSize = Int(try OpenCLDevice.value(id, CL_DEVICE_MAX_WORK_GROUP_SIZE) as Int)
        maxAllocationBytes = Int(try OpenCLDevice.value(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE) as cl_ulong)
        baseAddressAlignmentBytes = max(1, Int(try OpenCLDevice.value(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN) as cl_uint) / 8)
        let dimensions = Int(try OpenCLDevice.value(id, CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS) as cl_uint)
        var sizes = [Int](repeating: 0, count: dimensions)
        try checkCL(clGetDeviceInfo(id, cl_device_info(CL_DEVICE_MAX_WORK_ITEM_SIZES), MemoryLayout<Int>.stride * dimensions,
                                    &sizes, nil), "reading device info")
        maxWorkItemSizes = sizes
    }

    /// The limits the backend checks buffers and launches against.
    public var limits: DeviceLimits {
        DeviceLimits(maxWorkGroupSize: maxWorkGroupSize, maxWorkItemSizes: maxWorkItemSizes,
                     localMemoryBytes: localMemoryBytes, maxAllocationBytes: maxAllocationBytes)
    }

    private static func string(_ id: cl_device_id, _ parameter: Int32) throws -> String {
        try infoString("device info") { clGetDeviceInfo(id, cl_device_info(parameter), $0, $1, $2) }
    }

    private static func value<T: FixedWidthInteger>(_ id: cl_device_id, _ parameter: Int32) throws -> T {
        var value: T = 0
        try checkCL(clGetDeviceInfo(id, cl_device_info(parameter), MemoryLayout<T>.size, &value, nil),
                    "reading device info")
        return value
    }

    private static func platformString(_ id: cl_platform_id, _ parameter: Int32) throws -> String {
        try infoString("platform info") { clGetPlatformInfo(id, cl_platform_info(parameter), $0, $1, $2) }
    }

    /// A string property through `query` (clGetDeviceInfo or clGetPlatformInfo, bound to its
    /// object and parameter): its size first, then its bytes.
    private static func infoString(_ what: String,
                                   _ query: (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int) throws -> String {
        var size = 0
        try checkCL(query(0, nil, &size), "reading \(what)")
        var bytes = [CChar](repeating: 0, count: size + 1)
        try checkCL(bytes.withUnsafeMutableBytes { query(size, $0.baseAddress, nil) }, "reading \(what)")
        return cString(bytes)
    }
}
