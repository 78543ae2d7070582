import ArgumentParser
import Compute
import Foundation

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the CPU backend and every OpenCL device, with the names --device accepts.")

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @Flag(help: ArgumentHelp("List the GPU vendors' OpenCL drivers on disk instead, one a line: vendor, library, "
                             + "registered or unregistered (tab-separated).",
                             discussion: "scripts/gpu-host-check registers the unregistered ones for its run."))
    var drivers = false

    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        if drivers {
            for driver in OpenCLDrivers.scan() {
                print([driver.vendor, driver.library, driver.isRegistered ? "registered" : "unregistered"].joined(separator: "\t"))
            }
            return
        }
        let threads = try threadOptions.budget()
        let devices = try OpenCLDevice.all()
        if json {
            struct Entry: Encodable {
                let name: String, backend: String, platform: String, device: String, type: String
                let computeUnits: Int, memoryBytes: Int, driver: String
                // The CPU backend's threads and where the count came from.
                var threads: Int? = nil, threadSource: ThreadBudget.Source? = nil, blas: BLASInfo? = nil
                // An OpenCL device's limits, which the backend checks buffers and launches against.
                var limits: DeviceLimits? = nil
            }
            var entries = [Entry(name: "cpu", backend: "cpu", platform: "OpenBLAS", device: "host CPU",
                                 type: "cpu", computeUnits: ProcessInfo.processInfo.activeProcessorCount,
                                 memoryBytes: Int(ProcessInfo.processInfo.physicalMemory), driver: "",
                                 threads: threads.count, threadSource: threads.source, blas: BLASInfo.current)]
            entries += devices.map {
                Entry(name: "opencl:\($0.index)", backend: "opencl", platform: $0.platform, device: $0.name, type: $0.type,
                      computeUnits: $0.computeUnits, memoryBytes: $0.globalMemoryBytes, driver: $0.driverVersion,
                      limits: $0.limits)
            }
            print(try jsonString(entries))
            return
        }
        var rows = [["name", "platform", "device", "type", "units", "memory", "driver", "max alloc", "work-group", "local mem"]]
        let blas = BLASInfo.current
        rows.append(["cpu", "\(blas.library) \(blas.version)", "host CPU (\(blas.cpuVectors)), \(threads), \(blas.core) kernels", "cpu",
                     "\(ProcessInfo.processInfo.activeProcessorCount)",
                     formatBytes(Int(ProcessInfo.processInfo.physicalMemory)), "-", "-", "-", "-"])
        for d in devices {
            rows.append(["opencl:\(d.index)", d.platform, d.name, d.type, "\(d.computeUnits)",
                         formatBytes(d.globalMemoryBytes), d.driverVersion, formatBytes(d.maxAllocationBytes),
                         "\(d.maxWorkGroupSize) (\(d.maxWorkItemSizes.map(String.init).joined(separator: "x")))",
                         formatBytes(d.localMemoryBytes)])
        }
        print(table(rows))
        if !devices.contains(where: \.isAccelerator) { printDriverHint(noDevice: devices.isEmpty) }
        printBLASWarning()
        let choice = try DeviceSelection.select("auto", threads: threads)
        print("\n--device auto selects \(choice.backend.name): \(choice.reason)")
    }
}

/// Where no OpenCL GPU is listed: a GPU vendor's driver that is on disk but that the loader
/// does not know (NVIDIA's container runtime mounts the library without its ICD file), and the
/// command that makes it visible; or, where none is on disk, what to install.
func printDriverHint(noDevice: Bool) {
    let drivers = OpenCLDrivers.scan()
    let unregistered = drivers.filter { !$0.isRegistered }, registered = drivers.filter(\.isRegistered)
    let vendors = OpenCLDrivers.vendorsFolder()
    if !unregistered.isEmpty {
        print("\nNo OpenCL GPU is listed, but a GPU driver is here that no ICD file in \(vendors) names:")
        for driver in unregistered { print("  \(driver.vendor): \(driver.library)") }
        print("The OpenCL loader finds a driver only through an ICD file. Make it visible with ocl-icd's OCL_ICD_VENDORS:\n  "
              + OpenCLDrivers.registrationCommand(for: unregistered))
    }
    for driver in registered {
        print("\n\(driver.vendor)'s OpenCL driver \(driver.library) is registered in \(vendors), but no OpenCL GPU is "
              + "listed: if this machine has one, its driver failed to start (nvidia-smi or rocm-smi tells whether "
              + "this process can see the GPU)")
    }
    if drivers.isEmpty && noDevice {
        print("\nNo OpenCL device found. Install an ICD (pocl-opencl-icd for the CPU, or a GPU vendor's driver).")
    }
}
