@testable import AEKit
@testable import Reports
import Compute
import Testing

/// Every layer's backward pass against central finite differences of its forward pass, on
/// the CPU backend: for a random weighting r, f = Σ r · layer(x) + the terms the layer adds to
/// the loss (a VAE's β·KL) has gradient backward(r), with respect to the input and to every
/// parameter.
@Suite struct LayerGradientTests {
    static func layers() throws -> [(String, any Layer, [Int])] {
        var random = SeededRandom(seed: 11)
        return [
            ("Linear", try Linear(7, 5, backend: cpu, initialization: .pytorch, random: &random), [3, 7]),
            ("Conv2D same", try Conv2D(2, 3, kernel: 3, padding: .same, backend: cpu, initialization: .pytorch, random: &random), [2, 2, 6, 5]),
            ("Conv2D stride 2", try Conv2D(2, 2, kernel: 3, stride: 2, backend: cpu, initialization: .keras, random: &random), [1, 2, 7, 7]),
            ("ConvTranspose2D", try ConvTranspose2D(3, 2, kernel: 3, stride: 2, outputPadding: 1, backend: cpu,
                                                    initialization: .pytorch, random: &random), [2, 3, 3, 3]),
            ("Linear bias=False", try Linear(7, 5, bias: false, backend: cpu, initialization: .pytorch, random: &random), [3, 7]),
            ("Conv2D bias=False", try Conv2D(2, 3, kernel: 3, padding: .same, bias: false, backend: cpu, initialization: .pytorch,
                                             random: &random), [2, 2, 6, 5]),
            ("ConvTranspose2D bias=False", try ConvTranspose2D(3, 2, kernel: 3, stride: 2, bias: false, backend: cpu,
                                                               initialization: .pytorch, random: &random), [2, 3, 3, 3]),
            ("MaxPool2D", MaxPool2D(kernel: 2), [2, 2, 6, 6]),
            ("MaxPool2D ceil", MaxPool2D(kernel: 2, ceilMode: true), [1, 3, 7, 5]),
            ("UpSample2D", UpSample2D(factor: 2), [2, 2, 3, 4]),
            ("UpSample2D bilinear", UpSample2D(factor: 2, mode: .bilinear(alignCorners: false)), [2, 2, 3, 4]),
            ("UpSample2D bilinear align_corners", UpSample2D(factor: 3, mode: .bilinear(alignCorners: true)), [1, 2, 3, 2]),
            ("AvgPool2D padded ceil", AvgPool2D(kernel: 3, stride: 2, padding: 1, ceilMode: true), [2, 2, 6, 5]),
            ("AvgPool2D exclude pad", AvgPool2D(kernel: 2, stride: 1, padding: 1, countIncludePad: false), [1, 2, 4, 4]),
            ("Dropout", Dropout(p: 0.3, salt: 1), [4, 9]),
            ("BatchNorm1d", try BatchNorm(9, dimensions: 1, backend: cpu), [4, 9]),
            ("BatchNorm2d no affine", try BatchNorm(2, dimensions: 2, affine: false, backend: cpu), [3, 2, 2, 3]),
            ("Flatten", Flatten(), [2, 3, 2, 2]),
            ("Reshape", Reshape([2, 3]), [4, 6]),
            ("Reparameterize", Reparameterize(features: 3, beta: 0.7), [4, 6]),
        ] + ActivationFunction.examples.map { ("\(LayerSpec.activation($0))", Activation($0), [4, 9]) }
    }

    @Test(arguments: try layers().map(\.0))
    func backwardMatchesFiniteDifferences(_ name: String) throws {
        let (_, layer, shape) = try #require(try Self.layers().first { $0.0 == name })
        var random = SeededRandom(seed: 12)
        // Spread inputs apart so no ±ε step crosses a ReLU kink or changes a pool's maximum.
        let count = shape.reduce(1, *)
        var x = (0..<count).map { Float($0) * 0.07 - Float(count) * 0.035 }.shuffled(using: &random)
        for i in x.indices where abs(x[i]) < 0.02 { x[i] += 0.05 }
        let context = ForwardContext(backend: cpu, training: true, seed: 4, step: 2)
        let outputShape = try layer.outputShape(for: shape)
        let r = random.uniforms(outputShape.reduce(1, *))

        func f() throws -> Double {
            var counted = context
            counted.lossTerms = try cpu.tensor([1], filledWith: 0)
            let y = try layer.forward(try cpu.tensor(shape, values: x), counted)
            return zip(try cpu.download(y.buffer), r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
                + Double(try cpu.scalar(counted.lossTerms!.buffer))
        }
        _ = try f()
        let dx = try #require(try layer.backward(try cpu.tensor(outputShape, values: r), needsInputGradient: true, context))
        let analyticX = try cpu.download(dx.buffer)
        let analyticParameters = try layer.parameters.map { try cpu.download($0.gradient.buffer) }

        let epsilon: Float = 1e-2
        func numeric(_ perturb: (Float) throws -> Void) throws -> Double {
            try perturb(epsilon); let plus = try f()
            try perturb(-2 * epsilon); let minus = try f()
            try perturb(epsilon)
            return (plus - minus) / Double(2 * epsilon)
        }
        func check(_ numeric: Double, _ analytic: Float, _ what: String) {
            #expect(abs(numeric - Double(analytic)) <= 2e-3 + 1e-2 * abs(numeric),
                    "\(name) \(what): finite difference \(numeric), backward \(analytic)")
        }
        for i in x.indices {
            check(try numeric { x[i] += $0 }, analyticX[i], "d/dx[\(i)]")
        }
        for (p, parameter) in layer.parameters.enumerated() {
            var values = try cpu.download(parameter.value.buffer)
            for i in values.indices.prefix(40) {
                check(try numeric { values[i] += $0; try parameter.load(values, on: cpu) }, analyticParameters[p][i],
                      "d/d\(parameter.name)[\(i)]")
            }
        }
    }

    @Test func firstLayerSkipsItsInputGradient() throws {
        var random = SeededRandom(seed: 1)
        let linear = try Linear(4, 3, backend: cpu, initialization: .pytorch, random: &random)
        let context = ForwardContext(backend: cpu, training: true)
        _ = try linear.forward(try cpu.tensor([2, 4], filledWith: 1), context)
        #expect(try linear.backward(try cpu.tensor([2, 3], filledWith: 1), needsInputGradient: false, context) == nil)
        #expect(try cpu.download(try #require(linear.bias).gradient.buffer) == [2, 2, 2])
    }

    @Test func dropoutIsIdentityInEvaluation() throws {
        let dropout = Dropout(p: 0.5, salt: 1)
        let x = try cpu.tensor([100], values: (0..<100).map(Float.init))
        let y = try dropout.forward(x, ForwardContext(backend: cpu, training: false))
        #expect(try cpu.download(y.buffer) == (0..<100).map(Float.init))
        let dropped = try dropout.forward(x, ForwardContext(backend: cpu, training: true, seed: 1, step: 1))
        #expect(try cpu.download(dropped.buffer).filter { $0 == 0 }.count > 30)
    }
}
