import Compute
import Foundation

/// How weights start. `pytorch`: PyTorch's defaults for Linear, Conv2d and ConvTranspose2d —
/// weight and bias uniform in ±1/√fan_in (kaiming_uniform with a = √5), fan_in from the weight's
/// second dimension times the kernel area. `keras`: Keras' defaults — Glorot-uniform weights
/// in ±√(6 / (fan_in + fan_out)) and zero biases, for models that come from Keras.
public enum Initialization: String, Codable, Sendable, CaseIterable {
    case pytorch, keras

    /// Draws a weight of `shape` ([out, in, kh, kw] or [in, out, kh, kw] for a transposed
    /// convolution, whose PyTorch fan_in is dimension 1 too) and a bias of `biasCount`.
    func draw(shape: [Int], biasCount: Int, random: inout SeededRandom) -> (weight: [Float], bias: [Float]) {
        let receptive = shape.dropFirst(2).reduce(1, *)
        let fanIn = shape[1] * receptive, fanOut = shape[0] * receptive
        let count = shape.reduce(1, *)
        switch self {
        case .pytorch:
            let bound = 1 / Float(fanIn).squareRoot()
            return (random.uniforms(count, -bound, bound), random.uniforms(biasCount, -bound, bound))
        case .keras:
            let bound = (6 / Float(fanIn + fanOut)).squareRoot()
            return (random.uniforms(count, -bound, bound), [Float](repeating: 0, count: biasCount))
        }
    }
}
