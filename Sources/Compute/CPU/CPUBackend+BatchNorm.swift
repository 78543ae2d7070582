import CPUKernels

extension CPUBackend {
    public func batchNormForward(_ x: Buffer, shape: BatchNormShape, scale: Buffer?, shift: Buffer?, epsilon: Float,
                                 mode: BatchNormMode, runningMean: Buffer?, runningVar: Buffer?, mean: Buffer, invStd: Buffer,
                                 output y: Buffer) throws {
        try checkBatchNorm(shape, [x, y], perChannel: [scale, shift, mean, invStd], epsilon: epsilon, mode: mode,
                           running: [runningMean, runningVar])
        let input = try pointer(x), output = try pointer(y), m = try pointer(mean), r = try pointer(invStd)
        let a = try scale.map { try pointer($0) }, b = try shift.map { try pointer($0) }
        let rm = try runningMean.map { try pointer($0) }, rv = try runningVar.map { try pointer($0) }
        let (useBatch, factor) = mode.kernelFlags
        // A channel a task: each reads and writes only its own planes.
        parallelChunks(shape.channels, grain: max(1, parallelGrain / max(shape.perChannel, 1))) { c in
            batch_norm_forward(input, output, Int64(shape.outer), Int64(shape.channels), Int64(shape.inner),
                               Int64(c.lowerBound), Int64(c.upperBound), a, b, epsilon, useBatch ? 1 : 0, factor, rm, rv, m, r)
        }
    }

    public func batchNormBackward(_ x: Buffer, outputGrad: Buffer, shape: BatchNormShape, scale: Buffer?, mean: Buffer,
                                  invStd: Buffer, inputGrad: Buffer, scaleGrad: Buffer?, shiftGrad: Buffer?) throws {
        try checkBatchNorm(shape, [x, outputGrad, inputGrad], perChannel: [scale, mean, invStd, scaleGrad, shiftGrad])
        let input = try pointer(x), dy = try pointer(outputGrad), dx = try pointer(inputGrad)
        let a = try scale.map { try pointer($0) }, m = try pointer(mean), r = try pointer(invStd)
        let da = try scaleGrad.map { try pointer($0) }, db = try shiftGrad.map { try pointer($0) }
        parallelChunks(shape.channels, grain: max(1, parallelGrain / max(shape.perChannel, 1))) { c in
            batch_norm_backward(input, dy, dx, Int64(shape.outer), Int64(shape.channels), Int64(shape.inner),
                                Int64(c.lowerBound), Int64(c.upperBound), a, m, r, da, db)
        }
    }
}
