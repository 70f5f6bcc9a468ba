/// Elementwise math functions: Exp, Log, Sqrt, Erf, Reciprocal, Floor, Ceil, Round (half to
/// even), Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh, Atanh on floats; Neg, Abs,
/// Sign on floats and integers; and the float predicates IsNaN, IsInf (bool outputs).
///
/// Integer Neg and Abs wrap (Abs(-128 as int8) = -128), as NumPy does.
enum UnaryMathOperators {
    static func register(in registry: OperatorRegistry) {
        typealias F = UnaryMathKernel.Function
        let floatOnly: [(String, Int, F)] = [
            ("Exp", 1, .exp), ("Log", 1, .log), ("Sqrt", 1, .sqrt), ("Erf", 9, .erf),
            ("Reciprocal", 1, .reciprocal), ("Floor", 1, .floor), ("Ceil", 1, .ceil), ("Round", 11, .round),
            ("Sin", 7, .sin), ("Cos", 7, .cos), ("Tan", 7, .tan), ("Asin", 7, .asin), ("Acos", 7, .acos),
            ("Atan", 7, .atan), ("Sinh", 9, .sinh), ("Cosh", 9, .cosh), ("Asinh", 9, .asinh),
            ("Acosh", 9, .acosh), ("Atanh", 9, .atanh),
        ]
        for (name, since, function) in floatOnly {
            register(registry, name, since: since, function, allowed: ElementTypes.floats)
        }
        // Integer inputs: Neg on signed types, Abs and Sign on all (opset 6 / 9 onwards).
        register(registry, "Neg", since: 1, .neg, allowed: ElementTypes.floats.union(ElementTypes.signedIntegers))
        register(registry, "Abs", since: 1, .abs, allowed: ElementTypes.numeric)
        register(registry, "Sign", since: 9, .sign, allowed: ElementTypes.numeric)

        registry.register(OperatorSpec("IsNaN", since: 9) { context in
            let x = try context.expect(0, ElementTypes.floats)
            return KernelBuild(kernel: FloatPredicateKernel(x, .nan), outputType: ValueType(.bool, x.shape))
        })
        registry.register(OperatorSpec("IsInf", since: 10) { context in
            let x = try context.expect(0, ElementTypes.floats)
            let negative = try context.node.int("detect_negative", default: 1) != 0
            let positive = try context.node.int("detect_positive", default: 1) != 0
            return KernelBuild(kernel: FloatPredicateKernel(x, .infinity(negative: negative, positive: positive)),
                               outputType: ValueType(.bool, x.shape))
        })
    }

    private static func register(_ registry: OperatorRegistry, _ name: String, since: Int,
                                 _ function: UnaryMathKernel.Function, allowed: Set<DataType>) {
        registry.register(OperatorSpec(name, since: since) { context in
            let x = try context.expect(0, allowed)
            return KernelBuild(kernel: UnaryMathKernel(function, x.dataType, count: x.count), outputType: x)
        })
    }
}

/// One math function over a contiguous tensor.
final class UnaryMathKernel: NumericTypedKernel {
    enum Function {
        case exp, log, sqrt, erf, reciprocal, floor, ceil, round
        case sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh
        case neg, abs, sign

        var cost: BroadcastLoops.Cost {
            switch self {
            case .neg, .abs, .sign, .floor, .ceil, .round, .sqrt, .reciprocal: return .cheap
            default: return .costly
            }
        }
    }

    let function: Function
    let dataType: DataType
    let count: Int

    init(_ function: Function, _ dataType: DataType, count: Int) {
        self.function = function
        self.dataType = dataType
        self.count = count
    }

    func run<T: FloatElement>(float: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let input = inputs[0] else { return }
        let x = UnsafePointer(input.pointer(as: T.self)), y = outputs[0].pointer(as: T.self), function = self.function
        BroadcastLoops.split(count, function.cost) { r in
            switch function {
            case .exp: BroadcastLoops.unary(r, x, y) { T.exp($0) }
            case .log: BroadcastLoops.unary(r, x, y) { T.log($0) }
            case .sqrt: BroadcastLoops.unary(r, x, y) { $0.squareRoot() }
            case .erf: BroadcastLoops.unary(r, x, y) { T.erf($0) }
            case .reciprocal: BroadcastLoops.unary(r, x, y) { 1 / $0 }
            case .floor: BroadcastLoops.unary(r, x, y) { $0.rounded(.down) }
            case .ceil: BroadcastLoops.unary(r, x, y) { $0.rounded(.up) }
            case .round: BroadcastLoops.unary(r, x, y) { $0.rounded(.toNearestOrEven) }
            case .sin: BroadcastLoops.unary(r, x, y) { T.sin($0) }
            case .cos: BroadcastLoops.unary(r, x, y) { T.cos($0) }
            case .tan: BroadcastLoops.unary(r, x, y) { T.tan($0) }
            case .asin: BroadcastLoops.unary(r, x, y) { T.asin($0) }
            case .acos: BroadcastLoops.unary(r, x, y) { T.acos($0) }
            case .atan: BroadcastLoops.unary(r, x, y) { T.atan($0) }
            case .sinh: BroadcastLoops.unary(r, x, y) { T.sinh($0) }
            case .cosh: BroadcastLoops.unary(r, x, y) { T.cosh($0) }
            case .asinh: BroadcastLoops.unary(r, x, y) { T.asinh($0) }
            case .acosh: BroadcastLoops.unary(r, x, y) { T.acosh($0) }
            case .atanh: BroadcastLoops.unary(r, x, y) { T.atanh($0) }
            case .neg: BroadcastLoops.unary(r, x, y) { -$0 }
            case .abs: BroadcastLoops.unary(r, x, y) { $0.magnitude }
            // Sign(NaN) = NaN, Sign(±0) = 0.
            case .sign: BroadcastLoops.unary(r, x, y) { $0 > 0 ? 1 : ($0 < 0 ? -1 : ($0 != $0 ? $0 : 0)) }
            }
        }
    }

    func run<T: IntegerElement>(integer: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let input = inputs[0] else { return }
        let x = UnsafePointer(input.pointer(as: T.self)), y = outputs[0].pointer(as: T.self), function = self.function
        guard [.neg, .abs, .sign].contains(function) else { throw SEUError(.unsupportedDataType, "math function on \(dataType)") }
        BroadcastLoops.split(count, .cheap) { r in
            switch function {
            case .neg: BroadcastLoops.unary(r, x, y) { 0 &- $0 }
            case .abs: BroadcastLoops.unary(r, x, y) { $0 < 0 ? 0 &- $0 : $0 }
            default: BroadcastLoops.unary(r, x, y) { $0 > 0 ? 1 : ($0 < 0 ? 0 &- 1 : 0) }
            }
        }
    }
}

/// IsNaN / IsInf: float input, bool output.
final class FloatPredicateKernel: NumericTypedKernel {
    enum Predicate { case nan, infinity(negative: Bool, positive: Bool) }

    let predicate: Predicate
    let dataType: DataType
    let count: Int

    init(_ input: ValueType, _ predicate: Predicate) {
        self.predicate = predicate
        self.dataType = input.dataType
        self.count = input.count
    }

    func run<T: FloatElement>(float: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let input = inputs[0] else { return }
        let x = UnsafePointer(input.pointer(as: T.self)), y = outputs[0].pointer(as: UInt8.self)
        switch predicate {
        case .nan:
            BroadcastLoops.split(count, .cheap) { r in BroadcastLoops.unary(r, x, y) { $0 != $0 ? 1 : 0 } }
        case .infinity(let negative, let positive):
            // NaN never compares equal, so it stands in for a direction that is not detected.
            let low: T = negative ? -.infinity : .nan, high: T = positive ? .infinity : .nan
            BroadcastLoops.split(count, .cheap) { r in BroadcastLoops.unary(r, x, y) { $0 == low || $0 == high ? 1 : 0 } }
        }
    }

    func run<T: IntegerElement>(integer: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        throw SEUError(.unsupportedDataType, "IsNaN/IsInf on \(dataType)")
    }
}
