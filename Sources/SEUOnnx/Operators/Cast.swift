/// Cast (target type from the `to` attribute: a type name string in opsets 1–5, an enum value
/// from 6) and CastLike (target type of input 1, opset 15), between float32, float64, float16,
/// bfloat16, the eight integer types and bool.
///
/// Conversion rules (NumPy's `astype`, which ONNX's reference uses):
/// - float → float: one rounding to nearest, ties to even (float64 → bfloat16 included).
/// - float → integer: truncation toward zero into int64 (saturating, NaN → 0), then wrapped to
///   the target width — what NumPy does on x86 for in-range values; out-of-range is undefined
///   in ONNX.
/// - integer → integer: two's-complement wrap-around; integer → float: nearest.
/// - anything → bool: non-zero (NaN is true); bool → anything: 0 or 1.
/// The `saturate` attribute only concerns float8 types, which are not supported.
enum CastOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Cast", halfPrecision: .native) { context in
            let x = try context.type(0)
            let target = try targetType(context.node)
            return try build(context, x, target)
        })
        registry.register(OperatorSpec("CastLike", since: 15, halfPrecision: .native) { context in
            let x = try context.type(0)
            return try build(context, x, try context.type(1).dataType)
        })
    }

    static func build(_ context: NodeContext, _ x: ValueType, _ target: DataType) throws -> KernelBuild {
        for type in [x.dataType, target] where !CastKernel.supported.contains(type) {
            throw context.error("Cast from \(x.dataType) to \(target) is not supported", kind: .unsupportedDataType)
        }
        return KernelBuild(kernel: CastKernel(from: x.dataType, to: target, count: x.count), outputType: ValueType(target, x.shape))
    }

    /// The `to` attribute: an int (opset 6+) or a TensorProto type name (opset 1–5).
    static func targetType(_ node: Node) throws -> DataType {
        let raw: Int
        switch node.attributes["to"] {
        case .int(let value)?: raw = value
        case .string(let name)?:
            guard let type = typeNames[name.uppercased()] else {
                throw node.error(.unsupportedDataType, "unknown type name '\(name)'", attribute: "to")
            }
            return type
        case nil: throw node.error(.invalidNode, "missing attribute", attribute: "to")
        case let other?: throw node.error(.invalidNode, "attribute should be int, found \(other.typeName)", attribute: "to")
        }
        guard let value = Int32(exactly: raw), let type = DataType(rawValue: value) else {
            throw node.error(.unsupportedDataType, "target type \(raw) is not supported (float8 and 4-bit types are not)", attribute: "to")
        }
        return type
    }

    static let typeNames: [String: DataType] = [
        "FLOAT": .float, "UINT8": .uint8, "INT8": .int8, "UINT16": .uint16, "INT16": .int16,
        "INT32": .int32, "INT64": .int64, "STRING": .string, "BOOL": .bool, "FLOAT16": .float16,
        "DOUBLE": .double, "UINT32": .uint32, "UINT64": .uint64, "COMPLEX64": .complex64,
        "COMPLEX128": .complex128, "BFLOAT16": .bfloat16,
    ]
}

/// Converts every element from one type to another. Two switches pick a loop specialised
/// for the (source, target) pair.
final class CastKernel: Kernel {
    static let supported: Set<DataType> = ElementTypes.numeric.union([.float16, .bfloat16, .bool])

    let from: DataType
    let to: DataType
    let count: Int

    init(from: DataType, to: DataType, count: Int) {
        self.from = from
        self.to = to
        self.count = count
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let out = outputs[0]
        if from == to {
            if x.storage !== out.storage { out.storage.bytes.copyMemory(from: x.storage.bytes, byteCount: out.byteCount) }
            return
        }
        switch from {
        case .float: cast(x, Float.self, out)
        case .double: cast(x, Double.self, out)
        case .float16: cast(x, Float16.self, out)
        case .bfloat16: cast(x, BFloat16Bits.self, out)
        case .int8: cast(x, Int8.self, out)
        case .int16: cast(x, Int16.self, out)
        case .int32: cast(x, Int32.self, out)
        case .int64: cast(x, Int64.self, out)
        case .uint8: cast(x, UInt8.self, out)
        case .uint16: cast(x, UInt16.self, out)
        case .uint32: cast(x, UInt32.self, out)
        case .uint64: cast(x, UInt64.self, out)
        case .bool: cast(x, BoolByte.self, out)
        default: throw SEUError(.unsupportedDataType, "Cast from \(from)")
        }
    }

    private func cast<S: CastElement>(_ x: Tensor, _ source: S.Type, _ out: Tensor) {
        let px = UnsafePointer(x.pointer(as: S.self))
        switch to {
        case .float: loop(px, out.pointer(as: Float.self))
        case .double: loop(px, out.pointer(as: Double.self))
        case .float16: loop(px, out.pointer(as: Float16.self))
        case .bfloat16: loop(px, out.pointer(as: BFloat16Bits.self))
        case .int8: loop(px, out.pointer(as: Int8.self))
        case .int16: loop(px, out.pointer(as: Int16.self))
        case .int32: loop(px, out.pointer(as: Int32.self))
        case .int64: loop(px, out.pointer(as: Int64.self))
        case .uint8: loop(px, out.pointer(as: UInt8.self))
        case .uint16: loop(px, out.pointer(as: UInt16.self))
        case .uint32: loop(px, out.pointer(as: UInt32.self))
        case .uint64: loop(px, out.pointer(as: UInt64.self))
        case .bool: loop(px, out.pointer(as: BoolByte.self))
        default: break // rejected by the builder
        }
    }

    @inline(__always)
    private func loop<S: CastElement, D: CastElement>(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<D>) {
        BroadcastLoops.split(count, .cheap) { r in BroadcastLoops.unary(r, x, y) { Self.convert($0) } }
    }

    @inline(__always)
    static func convert<S: CastElement, D: CastElement>(_ value: S) -> D {
        switch S.castKind {
        case .float32: return D(castFloat: value.castFloat)
        case .float64: return D(castDouble: value.castDouble)
        case .signed: return D(castInt64: value.castInt64)
        case .unsigned: return D(castUInt64: value.castUInt64)
        case .bool: return D(castInt64: value.castInt64)
        }
    }
}
