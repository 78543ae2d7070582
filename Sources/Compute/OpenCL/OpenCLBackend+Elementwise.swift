extension OpenCLBackend {
    public func fill(_ x: Buffer, with value: Float) throws {
        try launch(.fill, global: [x.count], [.int(x.count), .float(value), .buffer(x)])
    }

    public func copy(_ x: Buffer, to y: Buffer) throws {
        try checkSameCount("copy", x, y)
        try launch(.copy, global: [x.count], [.int(x.count), .buffer(x), .buffer(y)])
    }

    public func axpy(alpha: Float, x: Buffer, y: Buffer) throws {
        try checkSameCount("axpy", x, y)
        try launch(.axpy, global: [x.count], [.int(x.count), .float(alpha), .buffer(x), .buffer(y)])
    }

    public func scale(_ x: Buffer, by alpha: Float) throws {
        try launch(.scale, global: [x.count], [.int(x.count), .float(alpha), .buffer(x)])
    }

    public func biasAdd(_ x: Buffer, bias: Buffer, channels: Int, inner: Int) throws {
        try checkBias(x, bias: bias, channels: channels, inner: inner)
        try launch(.biasAdd, global: [x.count],
                   [.int(x.count), .int(channels), .int(inner), .buffer(x), .buffer(bias)])
    }

    public func biasGradient(_ outputGrad: Buffer, channels: Int, inner: Int, into biasGrad: Buffer) throws {
        try checkBias(outputGrad, bias: biasGrad, channels: channels, inner: inner)
        let group = KernelConstants.biasGroup
        try launch(.biasGradient, global: [channels * group], local: [group],
                   [.int(outputGrad.count / (channels * inner)), .int(channels), .int(inner),
                    .buffer(outputGrad), .buffer(biasGrad)])
    }

    public func reluForward(_ x: Buffer, output y: Buffer) throws {
        try checkSameCount("relu", x, y)
        try launch(.reluForward, global: [x.count], [.int(x.count), .buffer(x), .buffer(y)])
    }

    public func reluBackward(output y: Buffer, outputGrad: Buffer, inputGrad: Buffer) throws {
        try checkSameCount("relu backward", y, outputGrad, inputGrad)
        try launch(.reluBackward, global: [y.count],
                   [.int(y.count), .buffer(y), .buffer(outputGrad), .buffer(inputGrad)])
    }

    public func sigmoidForward(_ x: Buffer, output y: Buffer) throws {
        try checkSameCount("sigmoid", x, y)
        try launch(.sigmoidForward, global: [x.count], [.int(x.count), .buffer(x), .buffer(y)])
    }

    public func sigmoidBackward(output y: Buffer, outputGrad: Buffer, inputGrad: Buffer) throws {
        try checkSameCount("sigmoid backward", y, outputGrad, inputGrad)
        try launch(.sigmoidBackward, global: [y.count],
                   [.int(y.count), .buffer(y), .buffer(outputGrad), .buffer(inputGrad)])
    }

    public func dropoutForward(_ x: Buffer, output y: Buffer, p: Float, seed: UInt32, step: UInt32) throws {
        try checkSameCount("dropout", x, y)
        try checkDropout(p)
        try dropout(.dropoutForward, source: x, destination: y, p: p, seed: seed, step: step)
    }

    public func dropoutBackward(outputGrad: Buffer, inputGrad: Buffer, p: Float, seed: UInt32, step: UInt32) throws {
        try checkSameCount("dropout backward", outputGrad, inputGrad)
        try checkDropout(p)
        try dropout(.dropoutBackward, source: outputGrad, destination: inputGrad, p: p, seed: seed, step: step)
    }

    private func dropout(_ op: Op, source: Buffer, destination: Buffer, p: Float, seed: UInt32, step: UInt32) throws {
        try launch(op, global: [source.count],
                   [.int(source.count), .float(p), .uint(DropoutMask.key(seed: seed, step: step)),
                    .float(1 / (1 - p)), .buffer(source), .buffer(destination)])
    }
}
