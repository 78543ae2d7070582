extension OpenCLBackend {
    /// conv.cl's work-group size for the weight gradient (its CONV_WG default).
    static let convWeightGroup = 128

    private func geometryArguments(_ g: ConvGeometry) -> [Argument] {
        [g.batch, g.inChannels, g.inHeight, g.inWidth, g.outChannels, g.kernelHeight, g.kernelWidth,
         g.strideH, g.strideW, g.padH, g.padW, g.outHeight, g.outWidth].map { .int($0) }
    }

    public func conv2dForward(_ g: ConvGeometry, input: Buffer, weight: Buffer, output: Buffer) throws {
        try checkConv(g, input: input, weight: weight, output: output)
        try launch("conv", "conv2d_forward", global: [g.outputCount],
                   geometryArguments(g) + [.buffer(input), .buffer(weight), .buffer(output)])
    }

    public func conv2dBackwardData(_ g: ConvGeometry, outputGrad: Buffer, weight: Buffer,
                                   inputGrad: Buffer) throws {
        try checkConv(g, input: inputGrad, weight: weight, output: outputGrad)
        try launch("conv", "conv2d_backward_data", global: [g.inputCount],
                   geometryArguments(g) + [.buffer(outputGrad), .buffer(weight), .buffer(inputGrad)])
    }

    public func conv2dBackwardWeights(_ g: ConvGeometry, input: Buffer, outputGrad: Buffer,
                                      weightGrad: Buffer) throws {
        try checkConv(g, input: input, weight: weightGrad, output: outputGrad)
        let group = OpenCLBackend.convWeightGroup
        try launch("conv", "conv2d_backward_weights", global: [g.weightCount * group], local: [group],
                   geometryArguments(g) + [.buffer(input), .buffer(outputGrad), .buffer(weightGrad)])
    }
}
