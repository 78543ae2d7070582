extension OpenCLBackend {
    private func poolArguments(_ g: PoolGeometry) -> [Argument] {
        [g.batch * g.channels, g.inHeight, g.inWidth, g.outHeight, g.outWidth, g.kernel, g.stride].map { .int($0) }
    }

    public func maxPool2dForward(_ g: PoolGeometry, input: Buffer, output: Buffer, indices: Buffer) throws {
        try checkPool(g, input: input, output: output, indices: indices)
        try launch(.maxPool2dForward, global: [g.outputCount],
                   poolArguments(g) + [.buffer(input), .buffer(output), .buffer(indices)])
    }

    public func maxPool2dBackward(_ g: PoolGeometry, outputGrad: Buffer, indices: Buffer,
                                  inputGrad: Buffer) throws {
        try checkPool(g, input: inputGrad, output: outputGrad, indices: indices)
        try launch(.maxPool2dBackward, global: [g.inputCount],
                   poolArguments(g) + [.buffer(outputGrad), .buffer(indices), .buffer(inputGrad)])
    }

    public func avgPool2dForward(_ g: PoolGeometry, countIncludePad: Bool, input: Buffer, output: Buffer) throws {
        try checkAvgPool(g, input: input, output: output)
        try launch(.avgPool2dForward, global: [g.outputCount],
                   poolArguments(g) + [.int(g.padding), .int(countIncludePad ? 1 : 0), .buffer(input), .buffer(output)])
    }

    public func avgPool2dBackward(_ g: PoolGeometry, countIncludePad: Bool, outputGrad: Buffer, inputGrad: Buffer) throws {
        try checkAvgPool(g, input: inputGrad, output: outputGrad)
        try launch(.avgPool2dBackward, global: [g.inputCount],
                   poolArguments(g) + [.int(g.padding), .int(countIncludePad ? 1 : 0), .buffer(outputGrad), .buffer(inputGrad)])
    }

    public func upsampleBilinearForward(planes: Int, height: Int, width: Int, factor: Int, alignCorners: Bool,
                                        input: Buffer, output: Buffer) throws {
        try checkUpsample(planes: planes, height: height, width: width, factor: factor, input: input, output: output)
        try launch(.upsampleBilinearForward, global: [output.count],
                   [.int(planes), .int(height), .int(width), .int(factor), .int(alignCorners ? 1 : 0), .buffer(input), .buffer(output)])
    }

    public func upsampleBilinearBackward(planes: Int, height: Int, width: Int, factor: Int, alignCorners: Bool,
                                         outputGrad: Buffer, inputGrad: Buffer) throws {
        try checkUpsample(planes: planes, height: height, width: width, factor: factor, input: inputGrad, output: outputGrad)
        try launch(.upsampleBilinearBackward, global: [inputGrad.count],
                   [.int(planes), .int(height), .int(width), .int(factor), .int(alignCorners ? 1 : 0), .buffer(outputGrad),
                    .buffer(inputGrad)])
    }

    public func upsampleForward(planes: Int, height: Int, width: Int, factor: Int,
                                input: Buffer, output: Buffer) throws {
        try checkUpsample(planes: planes, height: height, width: width, factor: factor, input: input, output: output)
        try launch(.upsampleForward, global: [output.count],
                   [.int(planes), .int(height), .int(width), .int(factor), .buffer(input), .buffer(output)])
    }

    public func upsampleBackward(planes: Int, height: Int, width: Int, factor: Int,
                                 outputGrad: Buffer, inputGrad: Buffer) throws {
        try checkUpsample(planes: planes, height: height, width: width, factor: factor,
                          input: inputGrad, output: outputGrad)
        try launch(.upsampleBackward, global: [inputGrad.count],
                   [.int(planes), .int(height), .int(width), .int(factor), .buffer(outputGrad), .buffer(inputGrad)])
    }
}
