@testable import AEKit
import Compute
import Foundation
import Testing

/// The buffer pool's bound seen from a model: a run trains at one batch size and then
/// evaluates and predicts at others, and the sizes of each phase must not add up.
@Suite struct MemoryTests {
    @Test func evaluatingAtOtherSizesLeavesThePoolWithinItsBound() throws {
        let data = try fashionSubset(train: 400, test: 500)
        let layers: [LayerSpec] = [.flatten, .linear(784, 64), .relu, .linear(64, 784), .sigmoid, .unflatten([1, 28, 28])]
        // 64 MiB of device: 8 MiB may sit idle, less than the sizes below would keep.
        for backend in [CPUBackend(memoryCapacity: 64 << 20) as any Backend,
                        try OpenCLBackend(device: openCL().device, memoryCapacity: 64 << 20)] {
            let model = try Sequential(layers, input: [1, 28, 28], backend: backend, seed: 2)
            _ = try model.fit(data.train, epochs: 1, batchSize: 50)
            for batchSize in [500, 333, 250, 97, 64] {
                _ = try model.evaluate(data.test, batchSize: batchSize)
                _ = try model.predict(data.test, batchSize: batchSize + 1)
            }
            let memory = backend.memoryStatistics
            #expect(memory.bytesIdle <= memory.idleLimit && memory.bytesAllocated == memory.bytesInUse + memory.bytesIdle,
                    "\(backend.name): \(memory)")
            #expect(memory.bytesReleased > 0, "\(backend.name): the bound was reached: \(memory)")
        }
    }
}
