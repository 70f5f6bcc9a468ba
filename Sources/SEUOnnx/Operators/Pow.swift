/// Pow(X, Y) with broadcasting. The result has X's type; Y may be any numeric type (opset 12+
/// allows mixed types, e.g. float32 ** int64 or int32 ** float32).
///
/// As in NumPy (ONNX's reference): integer ** non-negative integer is exact with wrap-around;
/// other integer cases are computed in float64 and truncated toward zero (saturating, NaN → 0).
enum PowOperators {
    static func register(in registry: OperatorRegistry) {
        // `.native` so that a float16/bfloat16 exponent does not turn a float32 result into
        // 16 bits: only a 16-bit *base* goes through the float32 adapter (below).
        registry.register(OperatorSpec("Pow", halfPrecision: .native) { context in
            let base = try context.type(0)
            if HalfPrecisionAdapter.isHalf(base.dataType) {
                return try HalfPrecisionAdapter.build(OperatorSpec("Pow", build: build), context)
            }
            return try build(context)
        })
    }

    static func build(_ context: NodeContext) throws -> KernelBuild {
        let plan = try Elementwise.binary(context, sameType: context.opset < 12)
        try Elementwise.require(context, plan.a.dataType, in: ElementTypes.numeric)
        let exponentType = plan.b.dataType
        guard ElementTypes.numeric.contains(exponentType) || HalfPrecisionAdapter.isHalf(exponentType) else {
            throw context.error("exponent of type \(exponentType) is not supported", kind: .unsupportedDataType)
        }
        let kernel = PowKernel(plan.a.dataType, exponent: plan.b, walk: plan.walk)
        return KernelBuild(kernel: kernel, outputType: ValueType(plan.a.dataType, plan.output))
    }
}

final class PowKernel: NumericTypedKernel {
    let dataType: DataType
    let exponentType: DataType
    let walk: Broadcast.Walk
    /// The exponent converted to the base's float type (float bases) or to float64 (integer
    /// bases) when it has another type; allocated here so that `run` does not allocate.
    private let converted: Tensor?

    init(_ dataType: DataType, exponent: ValueType, walk: Broadcast.Walk) {
        self.dataType = dataType
        self.exponentType = exponent.dataType
        self.walk = walk
        let workType: DataType = dataType.isFloatingPoint ? dataType : .double
        converted = exponent.dataType == workType ? nil : Tensor(dataType: workType, shape: exponent.shape)
    }

    /// Input 1 in `converted`'s type (or input 1 itself).
    private func exponent<E>(_ y: Tensor, as type: E.Type, _ make: (Double) -> E) -> UnsafePointer<E> {
        guard let converted else { return UnsafePointer(y.pointer(as: E.self)) }
        let out = converted.pointer(as: E.self)
        for i in 0..<y.count { out[i] = make(y.doubleValue(at: i)) }
        return UnsafePointer(out)
    }

    func run<T: FloatElement>(float: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let y = inputs[1] else { return }
        let px = x.pointer(as: T.self), po = outputs[0].pointer(as: T.self)
        let py = exponent(y, as: T.self) { T($0) }
        // A scalar exponent of 2 (LayerNorm decompositions) or 0.5 gets an exact fast path.
        // Decided per run: the exponent may be an initializer a fault flips.
        let walk = self.walk
        if y.count == 1 {
            switch py[0] {
            case 1: BroadcastLoops.split(walk, .cheap) { c in BroadcastLoops.binary(walk, c, px, py, po) { a, _ in a } }; return
            case 2: BroadcastLoops.split(walk, .cheap) { c in BroadcastLoops.binary(walk, c, px, py, po) { a, _ in a * a } }; return
            case 0.5:
                BroadcastLoops.split(walk, .cheap) { c in BroadcastLoops.binary(walk, c, px, py, po) { a, _ in a.squareRoot() } }
                return
            default: break
            }
        }
        BroadcastLoops.split(walk, .costly) { c in BroadcastLoops.binary(walk, c, px, py, po) { T.pow($0, $1) } }
    }

    func run<T: IntegerElement>(integer: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let y = inputs[1] else { return }
        let px = x.pointer(as: T.self), po = outputs[0].pointer(as: T.self)
        if exponentType.isInteger {
            // Exact integer power; the exponent keeps its own type.
            switch exponentType {
            case .int8: integerPow(px, y.pointer(as: Int8.self), po)
            case .int16: integerPow(px, y.pointer(as: Int16.self), po)
            case .int32: integerPow(px, y.pointer(as: Int32.self), po)
            case .int64: integerPow(px, y.pointer(as: Int64.self), po)
            case .uint8: integerPow(px, y.pointer(as: UInt8.self), po)
            case .uint16: integerPow(px, y.pointer(as: UInt16.self), po)
            case .uint32: integerPow(px, y.pointer(as: UInt32.self), po)
            default: integerPow(px, y.pointer(as: UInt64.self), po)
            }
            return
        }
        let py = exponent(y, as: Double.self) { $0 }, walk = self.walk
        BroadcastLoops.split(walk, .costly) { c in
            BroadcastLoops.binary(walk, c, px, py, po) { a, e in Self.truncating(Double.pow(Double(a), e)) }
        }
    }

    private func integerPow<T: IntegerElement, E: IntegerElement>(_ px: UnsafeMutablePointer<T>, _ py: UnsafeMutablePointer<E>,
                                                                  _ po: UnsafeMutablePointer<T>) {
        let walk = self.walk
        BroadcastLoops.split(walk, .costly) { c in
            BroadcastLoops.binary(walk, c, px, py, po) { base, e in
                if e >= 0 { return Self.power(base, UInt64(e)) }
                // Negative exponents: the real result truncated toward zero (only ±1 survive).
                return Self.truncating(Double.pow(Double(base), Double(e)))
            }
        }
    }

    /// base ** e by squaring, wrapping on overflow.
    @inline(__always)
    static func power<T: FixedWidthInteger>(_ base: T, _ exponent: UInt64) -> T {
        var result: T = 1, factor = base, e = exponent
        while e != 0 {
            if e & 1 != 0 { result = result &* factor }
            factor = factor &* factor
            e >>= 1
        }
        return result
    }

    /// A float64 result truncated toward zero into T, saturating; NaN gives 0.
    @inline(__always)
    static func truncating<T: FixedWidthInteger>(_ value: Double) -> T {
        if value.isNaN { return 0 }
        if value <= Double(T.min) { return T.min }
        if value >= Double(T.max) { return T.max }
        return T(value.rounded(.towardZero))
    }
}
