import Foundation

/// Wall-clock time of one kind of op call while a `ProfilingBackend` recorded.
public struct OpTiming: Codable, Sendable {
    /// The op and its shape, e.g. `gemm 1000x512x784 NT` or `activation_forward 512000 relu`.
    public var op: String
    public var calls: Int
    public var seconds: Double
    /// Kernels the calls launched, where the backend counts them (`TransferCounters`).
    public var launches: Int?

    public var millisecondsPerCall: Double { calls == 0 ? 0 : seconds * 1e3 / Double(calls) }

    enum CodingKeys: String, CodingKey {
        case op, calls, seconds, launches
    }
}

/// A backend that forwards every op to another and, while `isRecording`, times each call:
/// what `torch.profiler`'s op table is to PyTorch.
///
/// Each timed op is waited for (`synchronize`) before its clock stops, so on a device the
/// figure is the op's real cost rather than the time to enqueue it. That waiting takes away the
/// overlap of host and device work, so a profiled epoch is somewhat slower than a plain one;
/// compare ops with each other, and epochs with `aekit bench train` without `--profile`.
/// Transposed convolutions show as the conv ops they are made of.
public final class ProfilingBackend: Backend, @unchecked Sendable {
    public let base: any Backend
    private let lock = NSLock()
    private var timings: [String: OpTiming] = [:]
    private var recording = false

    public init(_ base: any Backend) { self.base = base }

    /// Starts (or stops) timing; starting clears what was recorded.
    public var isRecording: Bool {
        get { lock.lock(); defer { lock.unlock() }; return recording }
        set { lock.lock(); recording = newValue; if newValue { timings = [:] }; lock.unlock() }
    }

    /// Every op recorded, the most time first.
    public var recorded: [OpTiming] {
        lock.lock(); defer { lock.unlock() }
        return timings.values.sorted { $0.seconds > $1.seconds }
    }

    /// Times `body` under the row `op shape`, e.g. `gemm 1000x512x784 NT`.
    private func timed<T>(_ op: Op, _ shape: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        try timed(row: "\(op.name) \(shape())", body)
    }

    private func timed<T>(row: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        guard isRecording else { return try body() }
        let before = base.transferCounters
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        try base.synchronize()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let launched = base.transferCounters.flatMap { after in before.map { after.launches - $0.launches } }
        let key = row()
        lock.lock()
        timings[key, default: OpTiming(op: key, calls: 0, seconds: 0, launches: launched.map { _ in 0 })].calls += 1
        timings[key]!.seconds += seconds
        if let launched { timings[key]!.launches = (timings[key]!.launches ?? 0) + launched }
        lock.unlock()
        return result
    }

    public var name: String { base.name }
    public var deviceDescription: String { base.deviceDescription }
    public var memoryStatistics: MemoryStatistics { base.memoryStatistics }
    public var memoryCapacity: Int { base.memoryCapacity }
    public var transferCounters: TransferCounters? { base.transferCounters }

    public func makeBuffer(count: Int) throws -> Buffer { try base.makeBuffer(count: count) }
    public var viewAlignment: Int { base.viewAlignment }
    public func view(_ buffer: Buffer, offset: Int, count: Int) throws -> Buffer {
        try base.view(buffer, offset: offset, count: count)
    }
    public func upload(bytes: UnsafeRawBufferPointer, to buffer: Buffer) throws {
        try timed(row: "upload \(bytes.count / 4)") { try base.upload(bytes: bytes, to: buffer) }
    }
    public func download(_ buffer: Buffer) throws -> [Float] {
        try timed(row: "download \(buffer.count)") { try base.download(buffer) }
    }
    public func synchronize() throws { try base.synchronize() }

    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float, a: Buffer, b: Buffer, beta: Float, c: Buffer) throws {
        try timed(.gemm, "\(m)x\(n)x\(k) \(transA ? "T" : "N")\(transB ? "T" : "N")") {
            try base.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c)
        }
    }
    public func gemmBiasActivation(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: Buffer, b: Buffer, bias: Buffer,
                                   activation: ActivationFunction, dropout: DropoutDraw?, c: Buffer) throws {
        try timed(.gemmBiasActivation, "\(m)x\(n)x\(k) \(transA ? "T" : "N")\(transB ? "T" : "N") \(activation)\(dropout == nil ? "" : " dropout")") {
            try base.gemmBiasActivation(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, bias: bias,
                                        activation: activation, dropout: dropout, c: c)
        }
    }
    public func fill(_ x: Buffer, with value: Float) throws {
        try timed(.fill, "\(x.count)") { try base.fill(x, with: value) }
    }
    public func copy(_ x: Buffer, to y: Buffer) throws {
        try timed(.copy, "\(x.count)") { try base.copy(x, to: y) }
    }
    public func axpy(alpha: Float, x: Buffer, y: Buffer) throws {
        try timed(.axpy, "\(x.count)") { try base.axpy(alpha: alpha, x: x, y: y) }
    }
    public func scale(_ x: Buffer, by alpha: Float) throws {
        try timed(.scale, "\(x.count)") { try base.scale(x, by: alpha) }
    }

    public func conv2dForward(_ g: ConvGeometry, input: Buffer, weight: Buffer, output: Buffer) throws {
        try timed(.conv2dForward, "\(g)") { try base.conv2dForward(g, input: input, weight: weight, output: output) }
    }
    public func conv2dBiasActivationForward(_ g: ConvGeometry, input: Buffer, weight: Buffer, bias: Buffer,
                                            activation: ActivationFunction, dropout: DropoutDraw?, output: Buffer) throws {
        try timed(.conv2dBiasActivationForward, "\(g) \(activation)\(dropout == nil ? "" : " dropout")") {
            try base.conv2dBiasActivationForward(g, input: input, weight: weight, bias: bias, activation: activation,
                                                 dropout: dropout, output: output)
        }
    }
    public func conv2dBackwardData(_ g: ConvGeometry, outputGrad: Buffer, weight: Buffer, inputGrad: Buffer) throws {
        try timed(.conv2dBackwardData, "\(g)") {
            try base.conv2dBackwardData(g, outputGrad: outputGrad, weight: weight, inputGrad: inputGrad)
        }
    }
    public func conv2dBackwardWeights(_ g: ConvGeometry, input: Buffer, outputGrad: Buffer, weightGrad: Buffer) throws {
        try timed(.conv2dBackwardWeights, "\(g)") {
            try base.conv2dBackwardWeights(g, input: input, outputGrad: outputGrad, weightGrad: weightGrad)
        }
    }

    public func maxPool2dForward(_ g: PoolGeometry, input: Buffer, output: Buffer, indices: Buffer) throws {
        try timed(.maxPool2dForward, "\(g)") { try base.maxPool2dForward(g, input: input, output: output, indices: indices) }
    }
    public func maxPool2dBackward(_ g: PoolGeometry, outputGrad: Buffer, indices: Buffer, inputGrad: Buffer) throws {
        try timed(.maxPool2dBackward, "\(g)") {
            try base.maxPool2dBackward(g, outputGrad: outputGrad, indices: indices, inputGrad: inputGrad)
        }
    }
    public func upsampleForward(planes: Int, height: Int, width: Int, factor: Int, input: Buffer, output: Buffer) throws {
        try timed(.upsampleForward, "\(planes)x\(height)x\(width) x\(factor)") {
            try base.upsampleForward(planes: planes, height: height, width: width, factor: factor, input: input, output: output)
        }
    }
    public func upsampleBilinearForward(planes: Int, height: Int, width: Int, factor: Int, alignCorners: Bool,
                                        input: Buffer, output: Buffer) throws {
        try timed(.upsampleBilinearForward, "\(planes)x\(height)x\(width) x\(factor)\(alignCorners ? " align_corners" : "")") {
            try base.upsampleBilinearForward(planes: planes, height: height, width: width, factor: factor, alignCorners: alignCorners,
                                             input: input, output: output)
        }
    }
    public func upsampleBilinearBackward(planes: Int, height: Int, width: Int, factor: Int, alignCorners: Bool,
                                         outputGrad: Buffer, inputGrad: Buffer) throws {
        try timed(.upsampleBilinearBackward, "\(planes)x\(height)x\(width) x\(factor)\(alignCorners ? " align_corners" : "")") {
            try base.upsampleBilinearBackward(planes: planes, height: height, width: width, factor: factor, alignCorners: alignCorners,
                                              outputGrad: outputGrad, inputGrad: inputGrad)
        }
    }
    public func upsampleBackward(planes: Int, height: Int, width: Int, factor: Int,
                                 outputGrad: Buffer, inputGrad: Buffer) throws {
        try timed(.upsampleBackward, "\(planes)x\(height)x\(width) x\(factor)") {
            try base.upsampleBackward(planes: planes, height: height, width: width, factor: factor,
                                      outputGrad: outputGrad, inputGrad: inputGrad)
        }
    }

    public func biasAdd(_ x: Buffer, bias: Buffer, channels: Int, inner: Int) throws {
        try timed(.biasAdd, "\(x.count / (channels * inner))x\(channels)x\(inner)") {
            try base.biasAdd(x, bias: bias, channels: channels, inner: inner)
        }
    }
    public func biasGradient(_ outputGrad: Buffer, channels: Int, inner: Int, into biasGrad: Buffer) throws {
        try timed(.biasGradient, "\(outputGrad.count / (channels * inner))x\(channels)x\(inner)") {
            try base.biasGradient(outputGrad, channels: channels, inner: inner, into: biasGrad)
        }
    }

    public func biasActivationForward(_ x: Buffer, bias: Buffer, channels: Int, inner: Int, activation: ActivationFunction,
                                      dropout: DropoutDraw?, output y: Buffer) throws {
        try timed(.biasActivationForward, "\(x.count / (channels * inner))x\(channels)x\(inner) \(activation)\(dropout == nil ? "" : " dropout")") {
            try base.biasActivationForward(x, bias: bias, channels: channels, inner: inner, activation: activation,
                                           dropout: dropout, output: y)
        }
    }
    public func biasActivationBackward(output y: Buffer, outputGrad: Buffer, channels: Int, inner: Int,
                                       activation: ActivationFunction, dropout: DropoutDraw?, inputGrad: Buffer,
                                       biasGrad: Buffer) throws {
        try timed(.biasActivationBackward, "\(y.count / (channels * inner))x\(channels)x\(inner) \(activation)\(dropout == nil ? "" : " dropout")") {
            try base.biasActivationBackward(output: y, outputGrad: outputGrad, channels: channels, inner: inner,
                                            activation: activation, dropout: dropout, inputGrad: inputGrad, biasGrad: biasGrad)
        }
    }
    public func activationForward(_ activation: ActivationFunction, _ x: Buffer, output y: Buffer) throws {
        try timed(.activationForward, "\(x.count) \(activation)") { try base.activationForward(activation, x, output: y) }
    }
    public func activationBackward(_ activation: ActivationFunction, input x: Buffer, output y: Buffer, outputGrad: Buffer,
                                   inputGrad: Buffer) throws {
        try timed(.activationBackward, "\(y.count) \(activation)") {
            try base.activationBackward(activation, input: x, output: y, outputGrad: outputGrad, inputGrad: inputGrad)
        }
    }

    public func batchNormForward(_ x: Buffer, shape: BatchNormShape, scale: Buffer?, shift: Buffer?, epsilon: Float,
                                 mode: BatchNormMode, runningMean: Buffer?, runningVar: Buffer?, mean: Buffer, invStd: Buffer,
                                 output y: Buffer) throws {
        try timed(.batchNormForward, "\(shape) \(mode == .running ? "running" : "batch")") {
            try base.batchNormForward(x, shape: shape, scale: scale, shift: shift, epsilon: epsilon, mode: mode,
                                      runningMean: runningMean, runningVar: runningVar, mean: mean, invStd: invStd, output: y)
        }
    }
    public func batchNormBackward(_ x: Buffer, outputGrad: Buffer, shape: BatchNormShape, scale: Buffer?, mean: Buffer,
                                  invStd: Buffer, inputGrad: Buffer, scaleGrad: Buffer?, shiftGrad: Buffer?) throws {
        try timed(.batchNormBackward, "\(shape)") {
            try base.batchNormBackward(x, outputGrad: outputGrad, shape: shape, scale: scale, mean: mean, invStd: invStd,
                                       inputGrad: inputGrad, scaleGrad: scaleGrad, shiftGrad: shiftGrad)
        }
    }

    public func avgPool2dForward(_ g: PoolGeometry, countIncludePad: Bool, input: Buffer, output: Buffer) throws {
        try timed(.avgPool2dForward, "\(g)") {
            try base.avgPool2dForward(g, countIncludePad: countIncludePad, input: input, output: output)
        }
    }
    public func avgPool2dBackward(_ g: PoolGeometry, countIncludePad: Bool, outputGrad: Buffer, inputGrad: Buffer) throws {
        try timed(.avgPool2dBackward, "\(g)") {
            try base.avgPool2dBackward(g, countIncludePad: countIncludePad, outputGrad: outputGrad, inputGrad: inputGrad)
        }
    }

    public func dropoutForward(_ x: Buffer, output y: Buffer, p: Float, seed: UInt32, step: UInt32) throws {
        try timed(.dropoutForward, "\(x.count)") { try base.dropoutForward(x, output: y, p: p, seed: seed, step: step) }
    }
    public func saltAndPepper(_ x: Buffer, output y: Buffer, amount: Float, seed: UInt32, step: UInt32) throws {
        try timed(.saltAndPepper, "\(x.count)") { try base.saltAndPepper(x, output: y, amount: amount, seed: seed, step: step) }
    }
    public func reparameterizeForward(_ stats: Buffer, rows: Int, features: Int, noise: GaussianDraw?, output z: Buffer) throws {
        try timed(.reparameterizeForward, "\(rows)x\(features)\(noise == nil ? " mean" : "")") {
            try base.reparameterizeForward(stats, rows: rows, features: features, noise: noise, output: z)
        }
    }
    public func reparameterizeBackward(_ stats: Buffer, outputGrad: Buffer, rows: Int, features: Int, noise: GaussianDraw,
                                       inputGrad: Buffer) throws {
        try timed(.reparameterizeBackward, "\(rows)x\(features)") {
            try base.reparameterizeBackward(stats, outputGrad: outputGrad, rows: rows, features: features, noise: noise,
                                            inputGrad: inputGrad)
        }
    }
    public func gaussianKL(_ stats: Buffer, rows: Int, features: Int, scale: Float, gradient: Buffer?,
                           lossAccumulator: Buffer) throws {
        try timed(.gaussianKL, "\(rows)x\(features)") {
            try base.gaussianKL(stats, rows: rows, features: features, scale: scale, gradient: gradient,
                                lossAccumulator: lossAccumulator)
        }
    }
    public func dropoutBackward(outputGrad: Buffer, inputGrad: Buffer, p: Float, seed: UInt32, step: UInt32) throws {
        try timed(.dropoutBackward, "\(inputGrad.count)") {
            try base.dropoutBackward(outputGrad: outputGrad, inputGrad: inputGrad, p: p, seed: seed, step: step)
        }
    }

    public func mseLoss(prediction: Buffer, target: Buffer, gradient: Buffer, lossAccumulator: Buffer) throws {
        try timed(.mseLoss, "\(prediction.count)") {
            try base.mseLoss(prediction: prediction, target: target, gradient: gradient, lossAccumulator: lossAccumulator)
        }
    }
    public func pixelLoss(_ loss: PixelLoss, prediction: Buffer, target: Buffer, gradient: Buffer,
                          lossAccumulator: Buffer) throws {
        try timed(.pixelLoss, "\(prediction.count) \(loss)") {
            try base.pixelLoss(loss, prediction: prediction, target: target, gradient: gradient, lossAccumulator: lossAccumulator)
        }
    }
    public func softmaxCrossEntropy(logits: Buffer, target: Buffer, rows: Int, classes: Int,
                                    gradient: Buffer, lossAccumulator: Buffer) throws {
        try timed(.softmaxCrossEntropy, "\(rows)x\(classes)") {
            try base.softmaxCrossEntropy(logits: logits, target: target, rows: rows, classes: classes,
                                         gradient: gradient, lossAccumulator: lossAccumulator)
        }
    }

    public func sum(_ x: Buffer, scale: Float, into accumulator: Buffer) throws {
        try timed(.sum, "\(x.count)") { try base.sum(x, scale: scale, into: accumulator) }
    }
    public func squaredDifferenceSum(_ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws {
        try timed(.squaredDifferenceSum, "\(a.count)") { try base.squaredDifferenceSum(a, b, scale: scale, into: accumulator) }
    }
    public func confusionAdd(logits: Buffer, target: Buffer, rows: Int, classes: Int, confusion: Buffer) throws {
        try timed(.confusionAdd, "\(rows)x\(classes)") {
            try base.confusionAdd(logits: logits, target: target, rows: rows, classes: classes, confusion: confusion)
        }
    }
    public func gatherByteRows(_ source: Buffer, rows: Int, rowLength: Int, indices: Buffer, first: Int, count: Int,
                               output: Buffer) throws {
        try timed(.gatherByteRows, "\(count)x\(rowLength)") {
            try base.gatherByteRows(source, rows: rows, rowLength: rowLength, indices: indices, first: first, count: count,
                                    output: output)
        }
    }

    public func gatherRows(_ source: Buffer, rowLength: Int, indices: Buffer, first: Int, count: Int, output: Buffer) throws {
        try timed(.gatherRows, "\(count)x\(rowLength)") {
            try base.gatherRows(source, rowLength: rowLength, indices: indices, first: first, count: count, output: output)
        }
    }
    public func binaryAgreementSum(_ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws {
        try timed(.binaryAgreementSum, "\(a.count)") { try base.binaryAgreementSum(a, b, scale: scale, into: accumulator) }
    }

    public func sgdStep(parameter: Buffer, gradient: Buffer, velocity: Buffer?, learningRate: Float,
                        momentum: Float, nesterov: Bool, weightDecay: Float) throws {
        try timed(.sgdStep, "\(parameter.count)") {
            try base.sgdStep(parameter: parameter, gradient: gradient, velocity: velocity, learningRate: learningRate,
                             momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
        }
    }
    public func adamStep(parameter: Buffer, gradient: Buffer, firstMoment: Buffer, secondMoment: Buffer,
                         learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
                         weightDecay: Float, step: Int) throws {
        try timed(.adamStep, "\(parameter.count)") {
            try base.adamStep(parameter: parameter, gradient: gradient, firstMoment: firstMoment, secondMoment: secondMoment,
                              learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                              weightDecay: weightDecay, step: step)
        }
    }
}
