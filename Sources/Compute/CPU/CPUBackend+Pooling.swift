extension CPUBackend {
    public func maxPool2dForward(_ g: PoolGeometry, input: Buffer, output: Buffer, indices: Buffer) throws {
        try checkPool(g, input: input, output: output, indices: indices)
        let x = try pointer(input), y = try pointer(output), idx = try pointer(indices)
        parallelChunks(g.batch * g.channels, grain: max(1, (1 << 15) / (g.inHeight * g.inWidth))) { planes in
            for plane in planes {
                let src = x + plane * g.inHeight * g.inWidth
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        // Windows are clipped to the input (ceil mode); the first maximum wins and
                        // a NaN always wins, as in PyTorch.
                        var best = -Float.infinity, bestIndex = -1
                        for ih in (oh * g.stride)..<min(oh * g.stride + g.kernel, g.inHeight) {
                            for iw in (ow * g.stride)..<min(ow * g.stride + g.kernel, g.inWidth) {
                                let v = src[ih * g.inWidth + iw]
                                if v > best || bestIndex < 0 || v.isNaN { best = v; bestIndex = ih * g.inWidth + iw }
                            }
                        }
                        let o = (plane * g.outHeight + oh) * g.outWidth + ow
                        y[o] = best
                        idx[o] = Float(bestIndex)
                    }
                }
            }
        }
    }

    public func maxPool2dBackward(_ g: PoolGeometry, outputGrad: Buffer, indices: Buffer,
                                  inputGrad: Buffer) throws {
        try checkPool(g, input: inputGrad, output: outputGrad, indices: indices)
        let dy = try pointer(outputGrad), idx = try pointer(indices), dx = try pointer(inputGrad)
        dx.update(repeating: 0, count: g.inputCount)
        let outPlane = g.outHeight * g.outWidth, inPlane = g.inHeight * g.inWidth
        // Each plane's gradients land in that plane only, so planes can be split across cores.
        parallelChunks(g.batch * g.channels, grain: max(1, (1 << 15) / inPlane)) { planes in
            for plane in planes {
                for o in 0..<outPlane {
                    dx[plane * inPlane + Int(idx[plane * outPlane + o])] += dy[plane * outPlane + o]
                }
            }
        }
    }

    public func upsampleForward(planes: Int, height: Int, width: Int, factor: Int,
                                input: Buffer, output: Buffer) throws {
        try checkUpsample(planes: planes, height: height, width: width, factor: factor, input: input, output: output)
        let x = try pointer(input), y = try pointer(output)
        let outH = height * factor, outW = width * factor
        for plane in 0..<planes {
            for oh in 0..<outH {
                let src = x + (plane * height + oh / factor) * width
                let dst = y + (plane * outH + oh) * outW
                for ow in 0..<outW { dst[ow] = src[ow / factor] }
            }
        }
    }

    public func upsampleBackward(planes: Int, height: Int, width: Int, factor: Int,
                                 outputGrad: Buffer, inputGrad: Buffer) throws {
        try checkUpsample(planes: planes, height: height, width: width, factor: factor,
                          input: inputGrad, output: outputGrad)
        let dy = try pointer(outputGrad), dx = try pointer(inputGrad)
        let outH = height * factor, outW = width * factor
        dx.update(repeating: 0, count: inputGrad.count)
        for plane in 0..<planes {
            for oh in 0..<outH {
                let dst = dx + (plane * height + oh / factor) * width
                let src = dy + (plane * outH + oh) * outW
                for ow in 0..<outW { dst[ow / factor] += src[ow] }
            }
        }
    }
}
