import Compute

/// The device memory a model needs, estimated before anything of its size is allocated, so a
/// run too large for its device stops with the sizes named ("needs 3.1 TiB; cpu has 23 GiB")
/// rather than dying in an allocation.
public struct MemoryEstimate: Sendable, Equatable {
    public let parameters: Int
    /// Floats per example over every layer's output (each also has a gradient of its size).
    public let activationsPerExample: Int

    /// From the layer list alone, without allocating anything of the model's size.
    public init(_ spec: ModelSpec) throws {
        if let problem = spec.problem { throw ModelError.shape(problem) }
        // Bounded by LayerSpec's and ModelSpec's maxima, these sums stay far below Int.max.
        parameters = spec.layers.reduce(0) { $0 + $1.parameterCount }
        activationsPerExample = try spec.shapes(batch: 1).reduce(spec.input.reduce(1, *)) { $0 + $1.reduce(1, *) }
    }

    /// Bytes for training with `batch` examples a step and `optimizerSlots` buffers per
    /// parameter (Adam 2, SGD with momentum 1): parameters, their gradients and slots, and
    /// every activation with its gradient.
    public func trainingBytes(batch: Int, optimizerSlots: Int) -> Int {
        4 * (parameters * (2 + optimizerSlots) + 2 * activationsPerExample * batch)
    }

    /// Throws unless `bytes` fit `backend`'s memory; `what` says what needs them.
    public static func check(_ bytes: Int, on backend: any Backend, for what: String, advice: String) throws {
        guard bytes <= backend.memoryCapacity else {
            throw TrainingError.configuration("\(what) needs \(formatBytes(bytes)); \(backend.name) has "
                                              + "\(formatBytes(backend.memoryCapacity)). \(advice)")
        }
    }
}

extension OptimizerSpec {
    /// State buffers per parameter: Adam's two moments, SGD's momentum buffer.
    var slots: Int {
        switch kind {
        case .adam: return 2
        case .sgd: return momentum > 0 ? 1 : 0
        }
    }
}
