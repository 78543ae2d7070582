// A transposed convolution needs no kernels of its own: its forward pass is the backward-data
// pass of the convolution it transposes, its backward-data pass is that convolution's forward
// pass, and its weight gradient is that convolution's weight gradient with the roles of
// input and output gradient swapped.
extension Backend {
    private func checkTransposed(_ g: ConvTransposeGeometry) throws {
        try require(g.isValid, "invalid transposed convolution \(g) (output_padding must be below stride)")
    }

    public func convTranspose2dForward(_ g: ConvTransposeGeometry, input: Buffer, weight: Buffer,
                                       output: Buffer) throws {
        try checkTransposed(g)
        try conv2dBackwardData(g.convolution, outputGrad: input, weight: weight, inputGrad: output)
    }

    public func convTranspose2dBackwardData(_ g: ConvTransposeGeometry, outputGrad: Buffer, weight: Buffer,
                                            inputGrad: Buffer) throws {
        try checkTransposed(g)
        try conv2dForward(g.convolution, input: outputGrad, weight: weight, output: inputGrad)
    }

    public func convTranspose2dBackwardWeights(_ g: ConvTransposeGeometry, input: Buffer, outputGrad: Buffer,
                                               weightGrad: Buffer) throws {
        try checkTransposed(g)
        try conv2dBackwardWeights(g.convolution, input: outputGrad, outputGrad: input, weightGrad: weightGrad)
    }
}
