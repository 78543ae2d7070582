extension OpenCLBackend {
    public func batchNormForward(_ x: Buffer, shape: BatchNormShape, scale: Buffer?, shift: Buffer?, epsilon: Float,
                                 mode: BatchNormMode, runningMean: Buffer?, runningVar: Buffer?, mean: Buffer, invStd: Buffer,
                                 output y: Buffer) throws {
        try checkBatchNorm(shape, [x, y], perChannel: [scale, shift, mean, invStd], epsilon: epsilon, mode: mode,
                           running: [runningMean, runningVar])
        let (useBatch, factor) = mode.kernelFlags
        let op = Op.batchNormForward
        let group = try fittedGroup(op.kernelFile, op.name, preferred: [constants.biasGroup])[0]
        // Absent buffers are passed as `mean`, which the kernel then never reads for them.
        try launch(op, global: [shape.channels * group], local: [group],
                   [.int(shape.outer), .int(shape.channels), .int(shape.inner), .float(epsilon), .int(useBatch ? 1 : 0), .float(factor),
                    .int(scale == nil ? 0 : 1), .buffer(x), .buffer(y), .buffer(scale ?? mean), .buffer(shift ?? mean),
                    .buffer(runningMean ?? mean), .buffer(runningVar ?? invStd), .buffer(mean), .buffer(invStd),
                    .local(bytes: group * MemoryLayout<Float>.size)])
    }

    public func batchNormBackward(_ x: Buffer, outputGrad: Buffer, shape: BatchNormShape, scale: Buffer?, mean: Buffer,
                                  invStd: Buffer, inputGrad: Buffer, scaleGrad: Buffer?, shiftGrad: Buffer?) throws {
        try checkBatchNorm(shape, [x, outputGrad, inputGrad], perChannel: [scale, mean, invStd, scaleGrad, shiftGrad])
        try require((scale == nil) == (scaleGrad == nil) && (scaleGrad == nil) == (shiftGrad == nil),
                    "batch_norm_backward: scale, its gradient and the shift's gradient come together (affine) or not at all")
        let op = Op.batchNormBackward
        let group = try fittedGroup(op.kernelFile, op.name, preferred: [constants.biasGroup])[0]
        try launch(op, global: [shape.channels * group], local: [group],
                   [.int(shape.outer), .int(shape.channels), .int(shape.inner), .int(scale == nil ? 0 : 1), .buffer(x),
                    .buffer(outputGrad), .buffer(inputGrad), .buffer(scale ?? mean), .buffer(mean), .buffer(invStd),
                    .buffer(scaleGrad ?? inputGrad), .buffer(shiftGrad ?? inputGrad),
                    .local(bytes: group * MemoryLayout<Float>.size)])
    }
}
