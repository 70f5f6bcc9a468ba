/// Activation functions: Relu, LeakyRelu, Elu, Selu, Celu, Sigmoid, HardSigmoid, HardSwish,
/// Softplus, Softsign, Mish, Gelu (opset 20, `approximate` none/tanh), ThresholdedRelu, Shrink,
/// Swish, Tanh — and PRelu, whose slope broadcasts to X.
///
/// NaN propagates as in PyTorch (Relu(NaN) = NaN, ThresholdedRelu(NaN) = NaN, the hard
/// clamps keep NaN): fault campaigns must see the NaNs that flipped weights produce.
enum ActivationOperators {
    static func register(in registry: OperatorRegistry) {
        typealias F = ActivationKernel.Function
        let fixed: [(String, Int, F)] = [
            ("Sigmoid", 1, .sigmoid), ("Tanh", 1, .tanh), ("Softplus", 1, .softplus),
            ("Softsign", 1, .softsign), ("HardSwish", 14, .hardSwish), ("Mish", 18, .mish),
        ]
        for (name, since, function) in fixed {
            register(registry, name, since: since) { _ in function }
        }
        // Relu also takes signed integers from opset 14.
        register(registry, "Relu", allowed: ElementTypes.floats.union(ElementTypes.signedIntegers)) { _ in .relu }
        register(registry, "LeakyRelu") { .leakyRelu(alpha: try $0.float("alpha", default: 0.01)) }
        register(registry, "Elu") { .elu(alpha: try $0.float("alpha", default: 1)) }
        register(registry, "Celu", since: 12) { .celu(alpha: try $0.float("alpha", default: 1)) }
        register(registry, "Selu") {
            .selu(alpha: try $0.float("alpha", default: 1.67326319217681884765625),
                  gamma: try $0.float("gamma", default: 1.05070102214813232421875))
        }
        register(registry, "HardSigmoid") {
            .hardSigmoid(alpha: try $0.float("alpha", default: 0.2), beta: try $0.float("beta", default: 0.5))
        }
        register(registry, "ThresholdedRelu", since: 10) { .thresholdedRelu(alpha: try $0.float("alpha", default: 1)) }
        register(registry, "Shrink", since: 9) {
            .shrink(lambda: try $0.float("lambd", default: 0.5), bias: try $0.float("bias", default: 0))
        }
        register(registry, "Swish", since: 24) { .swish(alpha: try $0.float("alpha", default: 1)) }
        register(registry, "Gelu", since: 20) { node in
            switch try node.string("approximate", default: "none") {
            case "none": return .gelu
            case "tanh": return .geluTanh
            case let other: throw node.error(.invalidNode, "approximate must be none or tanh, got '\(other)'", attribute: "approximate")
            }
        }
        registry.register(OperatorSpec("PRelu") { context in
            let x = try context.expect(0, ElementTypes.numeric)
            let slope = try context.type(1)
            guard slope.dataType == x.dataType else {
                throw context.error("slope has type \(slope.dataType), X has \(x.dataType)", kind: .shapeMismatch)
            }
            // The slope broadcasts unidirectionally to X: the output keeps X's shape. Before
            // opset 7 a 1-D slope of C values applies per channel (axis 1), as in Caffe2.
            var slopeShape = slope.shape
            if context.opset < 7, slope.rank == 1, slope.count > 1, x.rank >= 2, slope.count == x.shape[1] {
                slopeShape += [Int](repeating: 1, count: x.rank - 2)
            }
            guard Broadcast.shape([x.shape, slopeShape]) == x.shape else {
                throw context.error("slope shape \(slope.shape) does not broadcast to \(x.shape)", kind: .shapeMismatch)
            }
            let walk = Broadcast.Walk(outputShape: x.shape, inputShapes: [x.shape, slopeShape])
            return KernelBuild(kernel: PReluKernel(x.dataType, walk), outputType: x)
        })
    }

    private static func register(_ registry: OperatorRegistry, _ name: String, since: Int = 1,
                                 allowed: Set<DataType> = ElementTypes.floats,
                                 _ function: @escaping (Node) throws -> ActivationKernel.Function) {
        registry.register(OperatorSpec(name, since: since) { context in
            let x = try context.expect(0, allowed)
            return KernelBuild(kernel: ActivationKernel(try function(context.node), x.dataType, count: x.count), outputType: x)
        })
    }
}

/// One activation function over a contiguous tensor.
final class ActivationKernel: NumericTypedKernel {
    enum Function {
        case relu, sigmoid, tanh, softplus, softsign, hardSwish, mish, gelu, geluTanh
        case leakyRelu(alpha: Float), elu(alpha: Float), celu(alpha: Float), thresholdedRelu(alpha: Float)
        case swish(alpha: Float)
        case selu(alpha: Float, gamma: Float)
        case hardSigmoid(alpha: Float, beta: Float)
        case shrink(lambda: Float, bias: Float)

        var cost: BroadcastLoops.Cost {
            switch self {
            case .relu, .leakyRelu, .thresholdedRelu, .hardSigmoid, .hardSwish, .shrink, .softsign: return .cheap
            default: return .costly
            }
        }
    }

    let function: Function
    let dataType: DataType
    let count: Int

    /// A float32 ReLU (fusable into a preceding Conv or Gemm).
    var isFloat32Relu: Bool {
        if case .relu = function { return dataType == .float }
        return false
    }

    init(_ function: Function, _ dataType: DataType, count: Int) {
        self.function = function
        self.dataType = dataType
        self.count = count
    }

    func run<T: FloatElement>(float: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let input = inputs[0] else { return }
        let x = UnsafePointer(input.pointer(as: T.self)), y = outputs[0].pointer(as: T.self)
        BroadcastLoops.split(count, function.cost) { r in apply(x, y, r) }
    }

    /// y[r] = f(x[r]).
    @inline(__always)
    func apply<T: FloatElement>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ r: Range<Int>) {
        let function = self.function
        switch function {
        case .relu: BroadcastLoops.unary(r, x, y) { $0 < 0 ? 0 : $0 }
        case .sigmoid: BroadcastLoops.unary(r, x, y) { T.sigmoid($0) }
        case .tanh: BroadcastLoops.unary(r, x, y) { T.fastTanh($0) }
        case .softplus: BroadcastLoops.unary(r, x, y) { Self.softplus($0) }
        case .softsign: BroadcastLoops.unary(r, x, y) { $0 / (1 + $0.magnitude) }
        case .hardSwish: BroadcastLoops.unary(r, x, y) { $0 * Self.clamp01($0 / 6 + 0.5) }
        case .mish: BroadcastLoops.unary(r, x, y) { $0 * T.fastTanh(Self.softplus($0)) }
        case .gelu:
            let invSqrt2 = T(0.70710678118654752440)
            BroadcastLoops.unary(r, x, y) { 0.5 * $0 * (1 + T.erf($0 * invSqrt2)) }
        case .geluTanh:
            let c = T(0.79788456080286535588) // sqrt(2 / pi)
            BroadcastLoops.unary(r, x, y) { 0.5 * $0 * (1 + T.fastTanh(c * ($0 + T(0.044715) * $0 * $0 * $0))) }
        case .leakyRelu(let alpha):
            let a = T(alpha)
            BroadcastLoops.unary(r, x, y) { $0 < 0 ? a * $0 : $0 }
        case .elu(let alpha):
            let a = T(alpha)
            BroadcastLoops.unary(r, x, y) { $0 < 0 ? a * T.expm1($0) : $0 }
        case .celu(let alpha):
            let a = T(alpha)
            BroadcastLoops.unary(r, x, y) { $0 < 0 ? a * T.expm1($0 / a) : $0 }
        case .selu(let alpha, let gamma):
            let a = T(alpha), g = T(gamma)
            BroadcastLoops.unary(r, x, y) { $0 <= 0 ? g * a * T.expm1($0) : g * $0 }
        case .thresholdedRelu(let alpha):
            // PyTorch's threshold: `x <= alpha ? 0 : x`, so NaN passes through.
            let a = T(alpha)
            BroadcastLoops.unary(r, x, y) { $0 <= a ? 0 : $0 }
        case .swish(let alpha):
            let a = T(alpha)
            BroadcastLoops.unary(r, x, y) { $0 * T.sigmoid(a * $0) }
        case .hardSigmoid(let alpha, let beta):
            let a = T(alpha), b = T(beta)
            BroadcastLoops.unary(r, x, y) { Self.clamp01(a * $0 + b) }
        case .shrink(let lambda, let bias):
            let l = T(lambda), b = T(bias)
            BroadcastLoops.unary(r, x, y) { $0 < -l ? $0 + b : ($0 > l ? $0 - b : ($0 != $0 ? $0 : 0)) }
        }
    }

    func run<T: IntegerElement>(integer: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let input = inputs[0] else { return }
        guard case .relu = function else { throw SEUError(.unsupportedDataType, "activation on \(dataType)") }
        let x = input.pointer(as: T.self), y = outputs[0].pointer(as: T.self)
        BroadcastLoops.split(count, .cheap) { r in BroadcastLoops.unary(r, x, y) { $0 < 0 ? 0 : $0 } }
    }

    /// log(1 + e^x) computed without overflow: max(x, 0) + log1p(e^-|x|).
    @inline(__always)
    static func softplus<T: FloatElement>(_ x: T) -> T { (x > 0 ? x : 0) + T.log1p(T.exp(-x.magnitude)) }

    /// Clamps to [0, 1], keeping NaN.
    @inline(__always)
    static func clamp01<T: FloatElement>(_ v: T) -> T { v < 0 ? 0 : (v > 1 ? 1 : v) }
}

/// PRelu: y = x < 0 ? slope * x : x, with the slope broadcast to X's shape.
final class PReluKernel: NumericTypedKernel {
    let dataType: DataType
    let walk: Broadcast.Walk

    init(_ dataType: DataType, _ walk: Broadcast.Walk) {
        self.dataType = dataType
        self.walk = walk
    }

    func run<T: FloatElement>(float: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let slope = inputs[1] else { return }
        let px = x.pointer(as: T.self), ps = slope.pointer(as: T.self), py = outputs[0].pointer(as: T.self), walk = self.walk
        BroadcastLoops.split(walk, .cheap) { c in BroadcastLoops.binary(walk, c, px, ps, py) { $0 < 0 ? $1 * $0 : $0 } }
    }

    func run<T: IntegerElement>(integer: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let slope = inputs[1] else { return }
        let px = x.pointer(as: T.self), ps = slope.pointer(as: T.self), py = outputs[0].pointer(as: T.self), walk = self.walk
        BroadcastLoops.split(walk, .cheap) { c in BroadcastLoops.binary(walk, c, px, ps, py) { $0 < 0 ? $1 &* $0 : $0 } }
    }
}
