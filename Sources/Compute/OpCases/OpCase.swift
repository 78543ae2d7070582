/// One op at one shape, described once for both of its users: the host inputs, the sizes of
/// the fresh buffers it writes, how it is called on any backend, which buffers hold its results,
/// and its work. The parity check (`ParityCatalog`) makes cases from random shapes, runs each on
/// two backends and compares the results; `aekit bench kernels` (`BenchWorkloads`) makes them at
/// the reports' shapes, checks every contender's results against the first one's, then times
/// the call. An op's call is written once, in its family's `OpCase+….swift`.
///
/// The inputs are drawn when a backend needs them, from a seed taken at construction: the
/// benchmark's list holds hundreds of megabytes of report-sized tensors, of which a run times a few.
struct OpCase: Sendable {
    let op: Op
    let shape: String
    /// Draws the inputs, uploaded before the call; the call may update them in place (a loss
    /// accumulator, an optimizer's parameters).
    let inputs: @Sendable (inout SeededRandom) -> [[Float]]
    /// The seed `inputs` draws from, so every backend gets the same values.
    let seed: UInt64
    /// Sizes of the buffers the call writes, each first filled with a sentinel so that an op
    /// leaving elements unwritten fails the comparison.
    let outputs: [Int]
    /// Floating-point operations of one call (0 where no fixed count means anything: a tanh, a
    /// copy); the benchmark's GFLOP/s.
    let flops: Double
    /// Bytes one call must read and write at least; the benchmark's GB/s.
    let bytes: Double
    /// The convolution (for a transposed one, the convolution it transposes), for the rows of
    /// forced algorithms and the tuner's threshold between them.
    let convolution: ConvGeometry?
    /// The product, for the benchmark's rows of forced GEMM kernels and CLBlast.
    let product: GEMMShape?
    /// Runs the op on (input buffers, output buffers) and returns the buffers to compare.
    private(set) var call: @Sendable (any Backend, [Buffer], [Buffer]) throws -> [Buffer]

    /// A case whose inputs `inputs` draws from a seed taken from `random`.
    init(op: Op, shape: String, outputs: [Int] = [], flops: Double, bytes: Double, convolution: ConvGeometry? = nil,
         product: GEMMShape? = nil, random: inout SeededRandom,
         inputs: @escaping @Sendable (inout SeededRandom) -> [[Float]],
         call: @escaping @Sendable (any Backend, [Buffer], [Buffer]) throws -> [Buffer]) {
        self.op = op; self.shape = shape; self.outputs = outputs; self.flops = flops; self.bytes = bytes
        self.convolution = convolution; self.product = product; self.inputs = inputs; self.call = call
        seed = random.next()
    }

    /// Its size for `ParitySuite.check`'s `maxWork`: multiply-adds, or floats moved where those
    /// are more (what a simulator such as Oclgrind, thousands of times slower, pays for).
    var work: Int { max(Int(flops / 2), Int(bytes) / MemoryLayout<Float>.size) }

    /// The same case with another call (a forced kernel, CLBlast) computing the same results.
    func calling(_ call: @escaping @Sendable (any Backend, [Buffer], [Buffer]) throws -> [Buffer]) -> OpCase {
        var copy = self
        copy.call = call
        return copy
    }

    /// The inputs uploaded to `backend` and the outputs allocated there, filled with a sentinel.
    func buffers(on backend: any Backend) throws -> (inputs: [Buffer], outputs: [Buffer]) {
        var random = SeededRandom(seed: seed)
        let inBuffers = try inputs(&random).map { values -> Buffer in
            let buffer = try backend.makeBuffer(count: values.count)
            try backend.upload(values, to: buffer)
            return buffer
        }
        let outBuffers = try outputs.map { count -> Buffer in
            let buffer = try backend.makeBuffer(count: count)
            try backend.fill(buffer, with: 12345)
            return buffer
        }
        return (inBuffers, outBuffers)
    }

    /// One call on fresh buffers of `backend`, its results downloaded.
    func results(on backend: any Backend) throws -> [[Float]] {
        let (inBuffers, outBuffers) = try buffers(on: backend)
        return try call(backend, inBuffers, outBuffers).map { try backend.download($0) }
    }

    /// A family's constructor was handed an op of another family: a bug in its caller.
    static func notInFamily(_ op: Op, _ family: String) -> Never {
        preconditionFailure("\(op.name) is not a \(family) op")
    }

    static let floatBytes = Double(MemoryLayout<Float>.size)
}

/// A dropout draw's label in a case's shape: ` p0.2`, or nothing.
func dropoutLabel(_ dropout: DropoutDraw?) -> String { dropout.map { " p\($0.p)" } ?? "" }
