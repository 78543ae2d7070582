@testable import Compute
import Foundation
import Testing

/// `aekit tune` on PoCL, kept small: a few candidates at two shapes, each checked against the
/// CPU; the best set is stored for the device and driver, and a new backend uses it.
@Suite struct TuneTests {
    @Test func bestCandidateIsStoredAndUsed() throws {
        let device = try openCL().device
        var tuner = KernelTuner(device: device, policy: .auto, cpu: sharedCPU)
        tuner.shapes = ["100x64x784 NT", "7x13x31 TN"]
        tuner.candidateLimit = 3
        tuner.tuneConvolution = false
        tuner.repeats = 1
        let result = try tuner.run(seconds: 600)
        #expect(result.tried == 3 && result.rejected.isEmpty)
        #expect(result.timings.map(\.shape) == ["100x64x784 NT", "7x13x31 TN"])
        #expect(tuner.candidates().first == .defaults && tuner.candidates().count > 3)

        let folder = FileManager.default.temporaryDirectory.appending(path: "aekit-tune-\(UUID().uuidString)")
        #expect(TunedConstants.load(for: device, directory: folder.path) == nil)
        try TunedConstants.save(result.best, for: device, directory: folder.path)
        #expect(TunedConstants.load(for: device, directory: folder.path) == result.best)
        let tuned = try OpenCLBackend(device: device, cacheDirectory: folder.path)
        #expect(tuned.isTuned && tuned.constants == result.best)
    }

    /// Under the GPU policy the tiled kernel is tuned; its candidates fit the device's limits
    /// and the preferred work-group multiple, and pass the check against the CPU.
    @Test func tiledCandidatesFitTheDevice() throws {
        let device = try openCL().device
        var tuner = KernelTuner(device: device, policy: .gpu, cpu: sharedCPU)
        #expect(tuner.kernel == "tiled")
        let limits = device.limits
        for c in tuner.candidates(preferredMultiple: 8).dropFirst() {
            let workItems = (c.gemmTile.m / c.gemmTile.wptm) * (c.gemmTile.n / c.gemmTile.wptn)
            #expect(workItems % 8 == 0 && workItems <= limits.maxWorkGroupSize, "\(c)")
            #expect(c.gemmTile.k * (c.gemmTile.m + c.gemmTile.n) * 4 <= limits.localMemoryBytes, "\(c)")
        }
        tuner.shapes = ["65x63x31 NN", "100x64x784 NT"]
        tuner.candidateLimit = 2
        tuner.tuneConvolution = false
        tuner.repeats = 1
        let result = try tuner.run(seconds: 600)
        #expect(result.kernel == "tiled" && result.tried == 2 && result.rejected.isEmpty)
    }

    @Test func anotherDriversTuningIsIgnored() throws {
        let device = try openCL().device
        let folder = FileManager.default.temporaryDirectory.appending(path: "aekit-tune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var other = KernelConstants.defaults
        other.vectorBlock.rows = 2
        let record = TunedConstants.Record(device: device.name, platform: device.platform, driver: "another driver",
                                           constants: other)
        try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: TunedConstants.file(for: device, directory: folder.path)))
        #expect(TunedConstants.load(for: device, directory: folder.path) == nil)
        try Data("not json".utf8).write(to: URL(fileURLWithPath: TunedConstants.file(for: device, directory: folder.path)))
        #expect(try OpenCLBackend(device: device, cacheDirectory: folder.path).constants == .defaults)
    }
}
