import Foundation

/// The activation functions ONNX's RNN, GRU and LSTM accept in their `activations` attribute.
///
/// Names are case-insensitive. `activation_alpha` / `activation_beta` values are consumed in
/// list order by the functions that take them; when the lists run out, the defaults are those
/// of onnxruntime (LeakyRelu α 0.01, HardSigmoid α 0.2 β 0.5, Elu α 1, all others 0).
enum RecurrentActivation: Equatable {
    case relu, tanh, sigmoid, softsign, softplus
    case affine(Float, Float)
    case leakyRelu(Float)
    case thresholdedRelu(Float)
    case scaledTanh(Float, Float)
    case hardSigmoid(Float, Float)
    case elu(Float)

    /// Parses `names`, consuming alphas and betas in order.
    static func parse(_ names: [String], alphas: [Float], betas: [Float], node: Node) throws -> [RecurrentActivation] {
        var nextAlpha = 0, nextBeta = 0
        func alpha(_ fallback: Float) -> Float {
            defer { nextAlpha += 1 }
            return nextAlpha < alphas.count ? alphas[nextAlpha] : fallback
        }
        func beta(_ fallback: Float) -> Float {
            defer { nextBeta += 1 }
            return nextBeta < betas.count ? betas[nextBeta] : fallback
        }
        return try names.map { name in
            switch name.lowercased() {
            case "relu": return .relu
            case "tanh": return .tanh
            case "sigmoid": return .sigmoid
            case "softsign": return .softsign
            case "softplus": return .softplus
            case "affine": let a = alpha(0); return .affine(a, beta(0))
            case "leakyrelu": return .leakyRelu(alpha(0.01))
            case "thresholdedrelu": return .thresholdedRelu(alpha(0))
            case "scaledtanh": let a = alpha(0); return .scaledTanh(a, beta(0))
            case "hardsigmoid": let a = alpha(0.2); return .hardSigmoid(a, beta(0.5))
            case "elu": return .elu(alpha(1))
            default:
                throw node.error(.invalidNode, "unknown activation '\(name)'", attribute: "activations")
            }
        }
    }

    /// Applies the function in place to `count` values, after clipping them to
    /// [-clip, clip] when `clip` is set (ONNX clips the activations' inputs).
    func apply(_ x: UnsafeMutablePointer<Float>, _ count: Int, clip: Float?) {
        if let clip {
            for i in 0..<count { x[i] = min(max(x[i], -clip), clip) }
        }
        switch self {
        case .relu: for i in 0..<count { x[i] = x[i] > 0 ? x[i] : (x[i].isNaN ? x[i] : 0) }
        case .tanh: for i in 0..<count { x[i] = Foundation.tanh(x[i]) }
        case .sigmoid: for i in 0..<count { x[i] = 1 / (1 + Foundation.exp(-x[i])) }
        case .softsign: for i in 0..<count { x[i] = x[i] / (1 + abs(x[i])) }
        case .softplus:
            // log(1 + e^x) without overflow for large x.
            for i in 0..<count { let v = x[i]; x[i] = v > 0 ? v + Foundation.log1p(Foundation.exp(-v)) : Foundation.log1p(Foundation.exp(v)) }
        case .affine(let a, let b): for i in 0..<count { x[i] = a * x[i] + b }
        case .leakyRelu(let a): for i in 0..<count { x[i] = x[i] >= 0 ? x[i] : a * x[i] }
        case .thresholdedRelu(let a): for i in 0..<count { x[i] = x[i] > a ? x[i] : (x[i].isNaN ? x[i] : 0) }
        case .scaledTanh(let a, let b): for i in 0..<count { x[i] = a * Foundation.tanh(b * x[i]) }
        case .hardSigmoid(let a, let b): for i in 0..<count { x[i] = min(max(a * x[i] + b, 0), 1) }
        case .elu(let a): for i in 0..<count { x[i] = x[i] >= 0 ? x[i] : a * (Foundation.exp(x[i]) - 1) }
        }
    }
}
