import Compute

/// The device memory a model needs, estimated before anything of its size is allocated, so a
/// run too large for its device stops with the sizes named ("needs 3.1 TiB; cpu has 23 GiB")
/// rather than dying in an allocation.
public struct MemoryEstimate: Sendable, Equatable {
    public let parameters: Int
    /// Floats per example over every layer's output (each also has a gradient of its size).
    public let activationsPerExample: Int

    /// Every size of every architecture is affine in the bottleneck width (it appears once as
    /// a layer's input and once as an output), so the sizes at widths 1 and 2, from the real
    /// layers on a tiny model, give them at any width without building it.
    public init(_ spec: ModelSpec) throws {
        if let problem = spec.problem { throw ModelError.shape(problem) }
        let backend = CPUBackend(threads: ThreadBudget(count: 1, source: .option))
        func sizes(hidden: Int) throws -> (Int, Int) {
            var small = spec
            small.hidden = hidden
            let model = try Sequential.build(small, backend: backend, seed: 0)
            let example = spec.exampleShape.reduce(1, *)
            return (model.parameterCount, try model.shapes(batch: 1).reduce(example) { $0 + $1.reduce(1, *) })
        }
        let (p1, a1) = try sizes(hidden: 1), (p2, a2) = try sizes(hidden: 2)
        // Bounded by ModelSpec's maxima, these products stay far below Int.max.
        parameters = p1 + (p2 - p1) * (spec.hidden - 1)
        activationsPerExample = a1 + (a2 - a1) * (spec.hidden - 1)
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
