/// Every op of the `Backend` protocol, by the one name it has everywhere: the protocol method
/// (`maxPool2dForward`), the CPU backend's function of the same name, the OpenCL kernel
/// (`max_pool2d_forward` in `Kernels/pooling.cl`), the parity case, and the rows of
/// `aekit bench kernels` and of `aekit bench train --profile`. Adding an op means a case here;
/// the compiler then asks for its parity draw (`ParityCatalog.parityOp`), which makes the op's
/// `OpCase`, the description the benchmark runs too.
public enum Op: String, CaseIterable, Sendable, Codable {
    case gemm
    case gemmBiasActivation = "gemm_bias_activation"
    case conv2dForward = "conv2d_forward"
    case conv2dBiasActivationForward = "conv2d_bias_activation_forward"
    case conv2dBackwardData = "conv2d_backward_data"
    case conv2dBackwardWeights = "conv2d_backward_weights"
    case convTranspose2dForward = "conv_transpose2d_forward"
    case convTranspose2dBackwardData = "conv_transpose2d_backward_data"
    case convTranspose2dBackwardWeights = "conv_transpose2d_backward_weights"
    case maxPool2dForward = "max_pool2d_forward"
    case maxPool2dBackward = "max_pool2d_backward"
    case avgPool2dForward = "avg_pool2d_forward"
    case avgPool2dBackward = "avg_pool2d_backward"
    case upsampleForward = "upsample_forward"
    case upsampleBackward = "upsample_backward"
    case upsampleBilinearForward = "upsample_bilinear_forward"
    case upsampleBilinearBackward = "upsample_bilinear_backward"
    case biasAdd = "bias_add"
    case biasGradient = "bias_gradient"
    case biasActivationForward = "bias_activation_forward"
    case biasActivationBackward = "bias_activation_backward"
    case activationForward = "activation_forward"
    case activationBackward = "activation_backward"
    case batchNormForward = "batch_norm_forward"
    case batchNormBackward = "batch_norm_backward"
    case dropoutForward = "dropout_forward"
    case dropoutBackward = "dropout_backward"
    case saltAndPepper = "salt_and_pepper"
    case reparameterizeForward = "reparameterize_forward"
    case reparameterizeBackward = "reparameterize_backward"
    case gaussianKL = "gaussian_kl"
    case mseLoss = "mse_loss"
    case pixelLoss = "pixel_loss"
    case softmaxCrossEntropy = "softmax_cross_entropy"
    case sum
    case squaredDifferenceSum = "squared_difference_sum"
    case binaryAgreementSum = "binary_agreement_sum"
    case confusionAdd = "confusion_add"
    case gatherRows = "gather_rows"
    case gatherByteRows = "gather_byte_rows"
    case sgdStep = "sgd_step"
    case adamStep = "adam_step"
    case fill, copy, axpy, scale

    /// The name of the op's kernel and of its rows: `max_pool2d_forward`.
    public var name: String { rawValue }

    /// The ops whose names contain `text` (`conv`, `pool`, …); all of them for nil. Throws,
    /// naming every op, where none matches, so a misspelt name cannot pass for a filter.
    public static func matching(_ text: String?) throws -> [Op] {
        guard let text else { return allCases }
        let found = allCases.filter { $0.name.contains(text.lowercased()) }
        guard !found.isEmpty else {
            throw ComputeError.invalidArgument(
                "no op's name contains '\(text)'; the ops are: \(allCases.map(\.name).joined(separator: ", "))")
        }
        return found
    }

    /// The file in `Kernels/` that holds the op's kernel (the transposed convolutions and GEMM
    /// run kernels of their own families under other names).
    public var kernelFile: String {
        switch self {
        case .gemm, .gemmBiasActivation: "gemm"
        case .conv2dForward, .conv2dBiasActivationForward, .conv2dBackwardData, .conv2dBackwardWeights,
             .convTranspose2dForward, .convTranspose2dBackwardData, .convTranspose2dBackwardWeights: "conv"
        case .maxPool2dForward, .maxPool2dBackward, .avgPool2dForward, .avgPool2dBackward: "pooling"
        case .upsampleForward, .upsampleBackward, .upsampleBilinearForward, .upsampleBilinearBackward: "upsample"
        case .biasAdd, .biasGradient: "bias"
        case .biasActivationForward, .biasActivationBackward: "bias_activation"
        case .activationForward, .activationBackward: "activation"
        case .batchNormForward, .batchNormBackward: "batch_norm"
        case .dropoutForward, .dropoutBackward, .saltAndPepper: "dropout"
        case .reparameterizeForward, .reparameterizeBackward, .gaussianKL: "gaussian"
        case .mseLoss, .pixelLoss, .softmaxCrossEntropy: "loss"
        case .sum, .squaredDifferenceSum, .binaryAgreementSum: "reduce"
        case .confusionAdd: "metrics"
        case .gatherRows, .gatherByteRows: "gather"
        case .sgdStep, .adamStep: "optimizer"
        case .fill, .copy, .axpy, .scale: "blas1"
        }
    }
}
