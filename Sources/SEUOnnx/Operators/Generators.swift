import Foundation

/// Operators that create tensors: Constant (every `value*` attribute), ConstantOfShape and
/// Range. Constant and ConstantOfShape are plan-time constants; Range's length is fixed at
/// plan time (it decides the output shape) and its values are computed when the node runs.
enum GeneratorOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Constant", halfPrecision: .native) { context in
            let node = context.node
            if let tensor = try node.tensor("value") { return KernelBuild(constants: [tensor]) }
            if let tensor = try node.tensor("sparse_value") { return KernelBuild(constants: [tensor]) }
            if let v = try node.float("value_float") { return KernelBuild(constants: [Tensor(scalar: v)]) }
            if let v = try node.floats("value_floats") { return KernelBuild(constants: [Tensor(shape: [v.count], floats: v)]) }
            if let v = try node.int("value_int") { return KernelBuild(constants: [Tensor(scalar: Int64(v))]) }
            if let v = try node.ints("value_ints") {
                return KernelBuild(constants: [Tensor(shape: [v.count], elements: v.map { Int64($0) })])
            }
            if node.hasAttribute("value_string") || node.hasAttribute("value_strings") {
                throw context.error("string constants are not supported", kind: .unsupportedDataType)
            }
            throw context.error("Constant needs a value attribute")
        })
        registry.register(OperatorSpec("ConstantOfShape", since: 9, halfPrecision: .native) { context in
            guard let shape = try context.constantInts(0) else { throw context.error("missing shape input") }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw context.error("negative dimension in shape \(shape)", kind: .shapeMismatch)
            }
            let value = try context.node.tensor("value") ?? Tensor(scalar: Float(0))
            guard value.count == 1 else { throw context.error("value must hold one element", attribute: "value") }
            try ShapeLimits.check(shape, value.dataType, node: context.node)
            let result = Tensor(dataType: value.dataType, shape: shape)
            let width = value.dataType.byteWidth
            let zero = (0..<width).allSatisfy { value.storage.bytes.load(fromByteOffset: $0, as: UInt8.self) == 0 }
            if !zero {
                for i in 0..<result.count {
                    (result.storage.bytes + i * width).copyMemory(from: value.storage.bytes, byteCount: width)
                }
            }
            return KernelBuild(constants: [result])
        })
        registry.register(OperatorSpec("Range", since: 11, halfPrecision: .native) { context in
            let allowed: Set<DataType> = [.float, .double, .int16, .int32, .int64, .float16, .bfloat16]
            let type = try context.expect(0, allowed)
            for i in 1...2 {
                guard try context.type(i).dataType == type.dataType else {
                    throw context.error("start, limit and delta must have the same type", kind: .unsupportedDataType)
                }
            }
            let start = try context.requireConstant(0), limit = try context.requireConstant(1)
            let delta = try context.requireConstant(2)
            guard start.count == 1, limit.count == 1, delta.count == 1 else {
                throw context.error("start, limit and delta must be scalars", kind: .shapeMismatch)
            }
            let count: Int
            if type.dataType.isInteger {
                let s = start.int64Value(at: 0), l = limit.int64Value(at: 0), d = delta.int64Value(at: 0)
                guard d != 0 else { throw context.error("delta cannot be 0") }
                // ceil((l - s) / d) in exact integer arithmetic.
                let span = l.subtractingReportingOverflow(s)
                let q = span.partialValue.dividedReportingOverflow(by: d)
                guard !span.overflow, !q.overflow else { throw context.error("range too large", kind: .shapeMismatch) }
                let r = span.partialValue % d
                let n = max(0, q.partialValue + (r != 0 && (r > 0) == (d > 0) ? 1 : 0))
                count = Int(n)
            } else {
                let s = start.doubleValue(at: 0), l = limit.doubleValue(at: 0), d = delta.doubleValue(at: 0)
                guard d != 0, s.isFinite, l.isFinite, d.isFinite else {
                    throw context.error("start, limit and delta must be finite and delta non-zero")
                }
                let n = ((l - s) / d).rounded(.up)
                guard n < Double(1 << 40) else { throw context.error("range too large", kind: .shapeMismatch) }
                count = max(0, Int(n))
            }
            try ShapeLimits.check([count], type.dataType, node: context.node)
            // Opset 27 `stash_type`: 16-bit ranges may be computed in float32 instead of double.
            let stashFloat = try context.node.int("stash_type").map { $0 == Int(DataType.float.rawValue) } ?? false
            return KernelBuild(kernel: RangeKernel(stashFloat: stashFloat), outputType: ValueType(type.dataType, [count]))
        })
    }
}

/// out[i] = start + i · delta, for the planned length. Integers wrap like the C reference;
/// floating types compute in Double (float32 when `stashFloat`) and round once.
final class RangeKernel: Kernel {
    let stashFloat: Bool

    init(stashFloat: Bool) { self.stashFloat = stashFloat }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let start = inputs[0], let delta = inputs[2] else { return }
        let out = outputs[0]
        let n = out.count
        switch out.dataType {
        case .int64:
            let s = start.int64Value(at: 0), d = delta.int64Value(at: 0), o = out.pointer(as: Int64.self)
            for i in 0..<n { o[i] = s &+ Int64(i) &* d }
        case .int32:
            let s = Int32(truncatingIfNeeded: start.int64Value(at: 0)), d = Int32(truncatingIfNeeded: delta.int64Value(at: 0))
            let o = out.pointer(as: Int32.self)
            for i in 0..<n { o[i] = s &+ Int32(truncatingIfNeeded: i) &* d }
        case .int16:
            let s = Int16(truncatingIfNeeded: start.int64Value(at: 0)), d = Int16(truncatingIfNeeded: delta.int64Value(at: 0))
            let o = out.pointer(as: Int16.self)
            for i in 0..<n { o[i] = s &+ Int16(truncatingIfNeeded: i) &* d }
        case .float:
            let s = start.doubleValue(at: 0), d = delta.doubleValue(at: 0), o = out.floats
            for i in 0..<n { o[i] = Float(s + Double(i) * d) }
        case .double:
            let s = start.doubleValue(at: 0), d = delta.doubleValue(at: 0), o = out.pointer(as: Double.self)
            for i in 0..<n { o[i] = s + Double(i) * d }
        case .float16, .bfloat16:
            let s = start.doubleValue(at: 0), d = delta.doubleValue(at: 0), o = out.pointer(as: UInt16.self)
            for i in 0..<n {
                if stashFloat {
                    let value = Float(s) + Float(i) * Float(d)
                    o[i] = out.dataType == .float16 ? HalfPrecision.float16Bits(from: value) : HalfPrecision.bfloat16Bits(from: value)
                } else {
                    // Round the double once (no detour through float32) for float16.
                    let value = s + Double(i) * d
                    o[i] = out.dataType == .float16 ? Float16(value).bitPattern : HalfPrecision.bfloat16Bits(from: Float(value))
                }
            }
        default:
            throw SEUError(.unsupportedDataType, "Range of \(out.dataType)")
        }
    }
}
