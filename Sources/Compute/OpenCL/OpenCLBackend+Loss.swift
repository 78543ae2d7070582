extension OpenCLBackend {
    /// The most partial sums a reduction's first pass writes: enough work-groups to fill a
    /// large GPU, few enough for one work-group to add up.
    static let reduceMaxGroups = 256

    public func mseLoss(prediction: Buffer, target: Buffer, gradient: Buffer, lossAccumulator: Buffer) throws {
        try checkSameCount("mse", prediction, target, gradient)
        try launch(.mseLoss, global: [prediction.count],
                   [.int(prediction.count), .float(2 / Float(prediction.count)),
                    .buffer(prediction), .buffer(target), .buffer(gradient)])
        try squaredDifferenceSum(prediction, target, scale: 1 / Float(prediction.count), into: lossAccumulator)
    }

    public func softmaxCrossEntropy(logits: Buffer, target: Buffer, rows: Int, classes: Int,
                                    gradient: Buffer, lossAccumulator: Buffer) throws {
        try checkSoftmaxCrossEntropy(logits: logits, target: target, gradient: gradient, rows: rows, classes: classes)
        let rowLoss = try makeBuffer(count: rows)
        try launch(.softmaxCrossEntropy, global: [rows],
                   [.int(rows), .int(classes), .buffer(logits), .buffer(target), .buffer(gradient), .buffer(rowLoss)])
        try sum(rowLoss, scale: 1 / Float(rows), into: lossAccumulator)
    }

    public func sum(_ x: Buffer, scale: Float, into accumulator: Buffer) throws {
        try reduce(.sum, x, x, scale: scale, into: accumulator)
    }

    public func squaredDifferenceSum(_ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws {
        try checkSameCount("squared difference", a, b)
        try reduce(.squaredDifferenceSum, a, b, scale: scale, into: accumulator)
    }

    public func binaryAgreementSum(_ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws {
        try checkSameCount("binary agreement", a, b)
        try reduce(.binaryAgreementSum, a, b, scale: scale, into: accumulator)
    }

    /// `op`'s kernel writes one partial sum per work-group; `reduce_finish` adds them up.
    private func reduce(_ op: Op, _ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws {
        try require(accumulator.count >= 1, "a reduction needs a one-element accumulator")
        let group = try fittedGroup(op.kernelFile, op.name, preferred: [constants.reduceGroup])[0]
        let finish = try fittedGroup("reduce", "reduce_finish", preferred: [constants.reduceGroup])[0]
        let groups = max(1, min(OpenCLBackend.reduceMaxGroups, (a.count + group - 1) / group))
        let partials = try makeBuffer(count: groups)
        try launch(op, global: [groups * group], local: [group],
                   [.int(a.count), .buffer(a), .buffer(b), .buffer(partials), .local(bytes: group * MemoryLayout<Float>.size)])
        try launch("reduce", "reduce_finish", global: [finish], local: [finish],
                   [.int(groups), .float(scale), .buffer(partials), .buffer(accumulator),
                    .local(bytes: finish * MemoryLayout<Float>.size)])
    }
}
