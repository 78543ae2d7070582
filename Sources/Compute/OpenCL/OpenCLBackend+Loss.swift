extension OpenCLBackend {
    /// The most partial sums a reduction's first pass writes: enough work-groups to fill a
    /// large GPU, few enough for one work-group to add up.
    static let reduceMaxGroups = 256
    /// Up to this many terms a sum runs as one work-group, in one launch: a training batch's
    /// loss (100 × 784 terms for a batch of 100 MNIST images) costs a work-group a few hundred terms per work-item, less
    /// than the second launch a spread-out sum needs (3–10 µs on a GPU).
    static let singleGroupTerms = 1 << 17

    public func mseLoss(prediction: Buffer, target: Buffer, gradient: Buffer, lossAccumulator: Buffer) throws {
        try checkSameCount("mse", prediction, target, gradient)
        let n = prediction.count
        try summing(.mseLoss, terms: n, scale: 1 / Float(n), into: lossAccumulator) { scale, out, partial in
            [.int(n), scale, .float(2 / Float(n)), .buffer(prediction), .buffer(target), .buffer(gradient), out, partial]
        }
    }

    public func pixelLoss(_ loss: PixelLoss, prediction: Buffer, target: Buffer, gradient: Buffer,
                          lossAccumulator: Buffer) throws {
        try checkSameCount("pixel loss", prediction, target, gradient)
        let n = prediction.count
        try summing(.pixelLoss, terms: n, scale: 1 / Float(n), into: lossAccumulator) { scale, out, partial in
            [.int(n), .int(Int(loss.rawValue)), scale, .float(1 / Float(n)), .buffer(prediction), .buffer(target),
             .buffer(gradient), out, partial]
        }
    }

    public func softmaxCrossEntropy(logits: Buffer, target: Buffer, rows: Int, classes: Int,
                                    gradient: Buffer, lossAccumulator: Buffer) throws {
        try checkSoftmaxCrossEntropy(logits: logits, target: target, gradient: gradient, rows: rows, classes: classes)
        try summing(.softmaxCrossEntropy, terms: rows * classes, items: rows, scale: 1 / Float(rows),
                    into: lossAccumulator) { scale, out, partial in
            [.int(rows), .int(classes), scale, .buffer(logits), .buffer(target), .buffer(gradient), out, partial]
        }
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

    private func reduce(_ op: Op, _ a: Buffer, _ b: Buffer, scale: Float, into accumulator: Buffer) throws {
        try summing(op, terms: a.count, scale: scale, into: accumulator) { scale, out, partial in
            [.int(a.count), scale, .buffer(a), .buffer(b), out, partial]
        }
    }

    /// Launches `op`, a kernel that ends in prelude.cl's `store_sum`, over `items` work-items'
    /// worth of work (`terms` in all, what decides the launch), adding scale × its sum to
    /// `accumulator[0]`: as one work-group where the sum is small, else as up to
    /// `reduceMaxGroups` writing partial sums that `reduce_finish` adds. `arguments` gets the
    /// kernel's scale, output and local-memory arguments to place.
    func summing(_ op: Op, terms: Int, items: Int? = nil, scale: Float, into accumulator: Buffer,
                         _ arguments: (_ scale: Argument, _ out: Argument, _ partial: Argument) -> [Argument]) throws {
        try require(accumulator.count >= 1, "a reduction needs a one-element accumulator")
        let group = try fittedGroup(op.kernelFile, op.name, preferred: [constants.reduceGroup])[0]
        let partial = Argument.local(bytes: group * MemoryLayout<Float>.size)
        let groups = terms <= OpenCLBackend.singleGroupTerms ? 1
            : max(1, min(OpenCLBackend.reduceMaxGroups, ((items ?? terms) + group - 1) / group))
        if groups == 1 {
            try launch(op, global: [group], local: [group], arguments(.float(scale), .buffer(accumulator), partial))
            return
        }
        let finish = try fittedGroup("reduce", "reduce_finish", preferred: [constants.reduceGroup])[0]
        let partials = try makeBuffer(count: groups)
        try launch(op, global: [groups * group], local: [group], arguments(.float(1), .buffer(partials), partial))
        try launch("reduce", "reduce_finish", global: [finish], local: [finish],
                   [.int(groups), .float(scale), .buffer(partials), .buffer(accumulator),
                    .local(bytes: finish * MemoryLayout<Float>.size)])
    }
}
