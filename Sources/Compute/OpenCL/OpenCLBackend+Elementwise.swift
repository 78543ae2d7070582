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
        let group = try fittedGroup(Op.biasGradient.kernelFile, Op.biasGradient.name, preferred: [constants.biasGroup])[0]
        try launch(.biasGradient, global: [channels * group], local: [group],
                   [.int(outputGrad.count / (channels * inner)), .int(channels), .int(inner),
                    .buffer(outputGrad), .buffer(biasGrad), .local(bytes: group * MemoryLayout<Float>.size)])
    }

    public func biasActivationForward(_ x: Buffer, bias: Buffer, channels: Int, inner: Int, activation: ActivationFunction,
                                      dropout: DropoutDraw?, output y: Buffer) throws {
        try checkBiasActivation([x, y], bias: bias, channels: channels, inner: inner, activation: activation, dropout: dropout)
        try launch(.biasActivationForward, global: [x.count],
                   [.int(x.count), .int(channels), .int(inner)] + activationArguments(activation, dropout)
                   + [.buffer(x), .buffer(bias), .buffer(y)])
    }

    public func biasActivationBackward(output y: Buffer, outputGrad: Buffer, channels: Int, inner: Int,
                                       activation: ActivationFunction, dropout: DropoutDraw?, inputGrad: Buffer,
                                       biasGrad: Buffer) throws {
        try checkBiasActivation([y, outputGrad, inputGrad], bias: biasGrad, channels: channels, inner: inner,
                                activation: activation, dropout: dropout, backward: true)
        let op = Op.biasActivationBackward
        let group = try fittedGroup(op.kernelFile, op.name, preferred: [constants.biasGroup])[0]
        try launch(op, global: [channels * group], local: [group],
                   [.int(y.count / (channels * inner)), .int(channels), .int(inner)] + activationArguments(activation, dropout)
                   + [.buffer(y), .buffer(outputGrad), .buffer(inputGrad), .buffer(biasGrad),
                      .local(bytes: group * MemoryLayout<Float>.size)])
    }

    /// bias_activation.cl's `activation, act_alpha, act_beta, p, key, keep_scale` (p = 0: no dropout).
    private func activationArguments(_ activation: ActivationFunction, _ dropout: DropoutDraw?) -> [Argument] {
        let p = dropout?.p ?? 0
        return activation.kernelArguments + [.float(p), .uint(dropout?.key ?? 0), .float(1 / (1 - p))]
    }

    public func activationForward(_ activation: ActivationFunction, _ x: Buffer, output y: Buffer) throws {
        try checkSameCount("activation", x, y)
        try checkActivation(activation)
        try launch(.activationForward, global: [x.count], [.int(x.count)] + activation.kernelArguments + [.buffer(x), .buffer(y)])
    }

    public func activationBackward(_ activation: ActivationFunction, input x: Buffer, output y: Buffer, outputGrad: Buffer,
                                   inputGrad: Buffer) throws {
        try checkSameCount("activation backward", x, y, outputGrad, inputGrad)
        try checkActivation(activation)
        try launch(.activationBackward, global: [y.count],
                   [.int(y.count)] + activation.kernelArguments + [.buffer(x), .buffer(y), .buffer(outputGrad), .buffer(inputGrad)])
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

    public func saltAndPepper(_ x: Buffer, output y: Buffer, amount: Float, seed: UInt32, step: UInt32) throws {
        try checkSameCount("salt and pepper", x, y)
        try checkNoise(amount)
        try launch(.saltAndPepper, global: [x.count],
                   [.int(x.count), .float(amount), .uint(DropoutMask.noiseKey(seed: seed, step: step)), .buffer(x), .buffer(y)])
    }

    private func dropout(_ op: Op, source: Buffer, destination: Buffer, p: Float, seed: UInt32, step: UInt32) throws {
        try launch(op, global: [source.count],
                   [.int(source.count), .float(p), .uint(DropoutMask.key(seed: seed, step: step)),
                    .float(1 / (1 - p)), .buffer(source), .buffer(destination)])
    }
}

extension ActivationFunction {
    /// The kernels' `activation, act_alpha, act_beta` (prelude.cl's `activate`).
    var kernelArguments: [OpenCLBackend.Argument] { [.int(Int(kind.rawValue)), .float(alpha), .float(beta)] }
}
