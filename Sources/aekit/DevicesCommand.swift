import ArgumentParser
import Compute
import Foundation

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the CPU backend and every OpenCL device, with the names --device accepts.")

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
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
        if devices.isEmpty {
            print("\nNo OpenCL device found. Install an ICD (pocl-opencl-icd for the CPU, or a GPU vendor's driver).")
        }
        printBLASWarning()
        let choice = try DeviceSelection.select("auto", threads: threads)
        print("\n--device auto selects \(choice.backend.name): \(choice.reason)")
    }
}
