import CPUKernels
import Foundation

extension CPUBackend {
    public func fill(_ x: Buffer, with value: Float) throws {
        try pointer(x).update(repeating: value, count: x.count)
    }

    public func copy(_ x: Buffer, to y: Buffer) throws {
        try checkSameCount("copy", x, y)
        try pointer(y).update(from: pointer(x), count: x.count)
    }

    public func axpy(alpha: Float, x: Buffer, y: Buffer) throws {
        try checkSameCount("axpy", x, y)
        let a = try pointer(x), b = try pointer(y)
        parallelChunks(x.count) { r in for i in r { b[i] += alpha * a[i] } }
    }

    public func scale(_ x: Buffer, by alpha: Float) throws {
        let a = try pointer(x)
        parallelChunks(x.count) { r in for i in r { a[i] *= alpha } }
    }

    public func biasAdd(_ x: Buffer, bias: Buffer, channels: Int, inner: Int) throws {
        try checkBias(x, bias: bias, channels: channels, inner: inner)
        let y = try pointer(x), b = try pointer(bias)
        let rows = x.count / (channels * inner), rowLength = channels * inner
        // Rows are independent; within a row each channel is one contiguous run of `inner`
        // (a Linear layer's row is the bias vector itself), which the compiler vectorises.
        parallelChunks(rows, grain: max(1, (1 << 15) / rowLength)) { range in
            for row in range {
                let out = y + row * rowLength
                if inner == 1 {
                    for c in 0..<channels { out[c] += b[c] }
                } else {
                    for c in 0..<channels {
                        let v = b[c], run = out + c * inner
                        for i in 0..<inner { run[i] += v }
                    }
                }
            }
        }
    }

    public func biasGradient(_ outputGrad: Buffer, channels: Int, inner: Int, into biasGrad: Buffer) throws {
        try checkBias(outputGrad, bias: biasGrad, channels: channels, inner: inner)
        let dy = try pointer(outputGrad), db = try pointer(biasGrad)
        let rows = outputGrad.count / (channels * inner)
        if inner == 1 { return addRunSums(dy, rows: rows, channels: channels, into: db) }
        // Each row's run of `inner` summed in float in order (`bias_gradient_rows`; rows split
        // across threads), then the runs of each channel added in row order (`addRunSums`).
        let runSums = UnsafeMutablePointer<Float>.allocate(capacity: rows * channels)
        defer { runSums.deallocate() }
        parallelChunks(rows, grain: max(1, parallelGrain / (channels * inner))) { r in
            bias_gradient_rows(dy + r.lowerBound * channels * inner, runSums + r.lowerBound * channels,
                               Int64(r.count), Int64(channels), Int64(inner))
        }
        addRunSums(runSums, rows: rows, channels: channels, into: db)
    }

    /// `db[c]` = the sum over rows of `runSums[row · channels + c]`, added in row order in
    /// Double: the bias gradient's second stage (a batch of 1000 images adds up 784 000 terms
    /// per channel).
    private func addRunSums(_ runSums: UnsafePointer<Float>, rows: Int, channels: Int, into db: UnsafeMutablePointer<Float>) {
        var sums = [Double](repeating: 0, count: channels)
        for row in 0..<rows { for c in 0..<channels { sums[c] += Double(runSums[row * channels + c]) } }
        for c in 0..<channels { db[c] = Float(sums[c]) }
    }

    public func biasActivationForward(_ x: Buffer, bias: Buffer, channels: Int, inner: Int, activation: ActivationFunction,
                                      dropout: DropoutDraw?, output y: Buffer) throws {
        try checkBiasActivation([x, y], bias: bias, channels: channels, inner: inner, activation: activation, dropout: dropout)
        let source = try pointer(x), b = try pointer(bias), destination = try pointer(y)
        let rowLength = channels * inner, p = dropout?.p ?? 0, key = dropout?.key ?? 0
        parallelChunks(x.count / rowLength, grain: max(1, parallelGrain / rowLength)) { r in
            let first = r.lowerBound * rowLength
            bias_activation_forward(source + first, b, destination + first, Int64(r.count), Int64(channels), Int64(inner),
                                    activation.kind.rawValue, activation.alpha, activation.beta, p, key, Int64(first))
        }
    }

    public func biasActivationBackward(output y: Buffer, outputGrad: Buffer, channels: Int, inner: Int,
                                       activation: ActivationFunction, dropout: DropoutDraw?, inputGrad: Buffer,
                                       biasGrad: Buffer) throws {
        try checkBiasActivation([y, outputGrad, inputGrad], bias: biasGrad, channels: channels, inner: inner,
                                activation: activation, dropout: dropout, backward: true)
        let out = try pointer(y), dy = try pointer(outputGrad), dx = try pointer(inputGrad), db = try pointer(biasGrad)
        let rowLength = channels * inner, rows = y.count / rowLength, p = dropout?.p ?? 0, key = dropout?.key ?? 0
        let runSums = UnsafeMutablePointer<Float>.allocate(capacity: rows * channels)
        defer { runSums.deallocate() }
        parallelChunks(rows, grain: max(1, parallelGrain / rowLength)) { r in
            let first = r.lowerBound * rowLength
            bias_activation_backward_rows(out + first, dy + first, dx + first, runSums + r.lowerBound * channels,
                                          Int64(r.count), Int64(channels), Int64(inner), activation.kind.rawValue,
                                          activation.alpha, activation.beta, p, key, Int64(first))
        }
        addRunSums(runSums, rows: rows, channels: channels, into: db)
    }

    public func activationForward(_ activation: ActivationFunction, _ x: Buffer, output y: Buffer) throws {
        try checkSameCount("activation", x, y)
        try checkActivation(activation)
        let a = try pointer(x), b = try pointer(y), kind = activation.kind.rawValue
        parallelChunks(x.count) { r in
            activation_forward(a + r.lowerBound, b + r.lowerBound, Int64(r.count), kind, activation.alpha, activation.beta)
        }
    }

    public func activationBackward(_ activation: ActivationFunction, input x: Buffer, output y: Buffer, outputGrad: Buffer,
                                   inputGrad: Buffer) throws {
        try checkSameCount("activation backward", x, y, outputGrad, inputGrad)
        try checkActivation(activation)
        let input = try pointer(x), out = try pointer(y), dy = try pointer(outputGrad), dx = try pointer(inputGrad)
        let kind = activation.kind.rawValue
        parallelChunks(y.count) { r in
            let i = r.lowerBound
            activation_backward(input + i, out + i, dy + i, dx + i, Int64(r.count), kind, activation.alpha, activation.beta)
        }
    }

    public func dropoutForward(_ x: Buffer, output y: Buffer, p: Float, seed: UInt32, step: UInt32) throws {
        try checkSameCount("dropout", x, y)
        try checkDropout(p)
        try applyDropoutMask(source: pointer(x), destination: pointer(y), count: x.count, p: p, seed: seed, step: step)
    }

    public func dropoutBackward(outputGrad: Buffer, inputGrad: Buffer, p: Float, seed: UInt32, step: UInt32) throws {
        try checkSameCount("dropout backward", outputGrad, inputGrad)
        try checkDropout(p)
        try applyDropoutMask(source: pointer(outputGrad), destination: pointer(inputGrad),
                             count: inputGrad.count, p: p, seed: seed, step: step)
    }

    public func saltAndPepper(_ x: Buffer, output y: Buffer, amount: Float, seed: UInt32, step: UInt32) throws {
        try checkSameCount("salt and pepper", x, y)
        try checkNoise(amount)
        let source = try pointer(x), destination = try pointer(y), key = DropoutMask.noiseKey(seed: seed, step: step)
        parallelChunks(x.count) { r in
            salt_and_pepper(source + r.lowerBound, destination + r.lowerBound, Int64(r.lowerBound), Int64(r.count), amount, key)
        }
    }

    /// Forward and backward are the same map: keep and scale, or zero (`dropout_apply`).
    private func applyDropoutMask(source: UnsafeMutablePointer<Float>, destination: UnsafeMutablePointer<Float>,
                                  count: Int, p: Float, seed: UInt32, step: UInt32) {
        let key = DropoutMask.key(seed: seed, step: step)
        parallelChunks(count) { r in
            dropout_apply(source + r.lowerBound, destination + r.lowerBound, Int64(r.lowerBound), Int64(r.count), p, key)
        }
    }
}
