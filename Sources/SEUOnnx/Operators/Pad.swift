import Foundation

/// Pad in all its versions: opset 1 (`paddings`, `value` attributes), 2 (`pads`, `value`),
/// 11 (`pads` and `constant_value` as inputs), 18 (`axes` input), 19 (`wrap` mode).
///
/// Pads list all begins then all ends (ONNX order: [x1_begin, x2_begin, ..., x1_end, ...]);
/// negative pads crop. Modes: constant, reflect (mirror without repeating the edge), edge
/// (repeat the edge) and wrap (periodic). Any element type; the constant value of opset 11+
/// is read when the node runs (it may be a weight).
enum PadOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Pad", halfPrecision: .native) { context in
            let x = try context.type(0)
            let node = context.node
            let mode = try node.string("mode", default: "constant")
            var pads: [Int]
            var axes = Array(0..<x.rank)
            var fill: [UInt8]? = nil
            var fillInput: Int? = nil
            if context.opset >= 11 {
                guard let p = try context.constantInts(1) else { throw context.error("Pad needs a pads input") }
                pads = p
                if context.opset >= 18, let requested = try context.constantInts(3) {
                    axes = try ShapeAxes.normalize(requested, rank: x.rank, node: node)
                }
                if context.hasInput(2) {
                    let valueType = try context.type(2)
                    guard valueType.dataType == x.dataType, valueType.count <= 1 else {
                        throw context.error("constant_value must be one \(x.dataType) value, got \(valueType)")
                    }
                    fillInput = 2
                }
            } else {
                guard let p = try node.ints(context.opset >= 2 ? "pads" : "paddings") else {
                    throw context.error("Pad needs the \(context.opset >= 2 ? "pads" : "paddings") attribute")
                }
                pads = p
                fill = try PadOperators.bytes(of: Double(node.float("value", default: 0)), as: x.dataType, node: node)
            }
            // Bound the pads so that no coordinate arithmetic below can overflow.
            guard pads.allSatisfy({ $0 > -(1 << 40) && $0 < (1 << 40) }) else {
                throw context.error("pads \(pads) out of range", kind: .shapeMismatch)
            }
            guard pads.count == 2 * axes.count else {
                throw context.error("pads has \(pads.count) values, expected \(2 * axes.count)", kind: .shapeMismatch)
            }
            guard ["constant", "reflect", "edge", "wrap"].contains(mode), mode != "wrap" || context.opset >= 19 else {
                throw context.error("unknown pad mode '\(mode)'", attribute: "mode")
            }
            var begins = [Int](repeating: 0, count: x.rank), ends = begins
            for (k, axis) in axes.enumerated() {
                begins[axis] = pads[k]
                ends[axis] = pads[axes.count + k]
            }
            let strides = AxisMap.strides(x.shape)
            var shape: [Int] = []
            var tables: [[Int]] = []
            for axis in 0..<x.rank {
                let d = x.shape[axis]
                let size = try ShapeLimits.sum([d, begins[axis], ends[axis]], node: node)
                guard size >= 0 else {
                    throw context.error("pads \(pads) remove more than the \(d) elements of axis \(axis)", kind: .shapeMismatch)
                }
                guard mode == "constant" || d > 0 || size == 0 else {
                    throw context.error("\(mode) padding of an empty axis \(axis)", kind: .shapeMismatch)
                }
                shape.append(size)
            }
            try ShapeLimits.check(shape, x.dataType, node: node)
            for axis in 0..<x.rank {
                let d = x.shape[axis], size = shape[axis]
                tables.append((0..<size).map { i in
                    let source = sourceIndex(i - begins[axis], size: d, mode: mode)
                    return source == AxisMap.fill ? AxisMap.fill : source * strides[axis]
                })
            }
            let kernel = AxisMapKernel(map: AxisMap(outputShape: shape, tables: tables), dataType: x.dataType,
                                       fill: fill, fillInput: fillInput)
            return KernelBuild(kernel: kernel, outputType: ValueType(x.dataType, shape))
        })
    }

    /// The source coordinate read for coordinate `i` (possibly outside [0, size)), or
    /// `AxisMap.fill` for constant padding.
    static func sourceIndex(_ i: Int, size: Int, mode: String) -> Int {
        if i >= 0 && i < size { return i }
        switch mode {
        case "edge": return i < 0 ? 0 : size - 1
        case "wrap": return ((i % size) + size) % size
        case "reflect":
            guard size > 1 else { return 0 }
            let period = 2 * (size - 1)
            let m = ((i % period) + period) % period
            return m < size ? m : period - m
        default: return AxisMap.fill
        }
    }

    /// One element of `type` holding `value` (the attribute form of the constant), as bytes.
    static func bytes(of value: Double, as type: DataType, node: Node) throws -> [UInt8] {
        let tensor = Tensor(dataType: type, shape: [])
        switch type {
        case .float: tensor.pointer(as: Float.self)[0] = Float(value)
        case .double: tensor.pointer(as: Double.self)[0] = value
        case .float16: tensor.pointer(as: UInt16.self)[0] = HalfPrecision.float16Bits(from: Float(value))
        case .bfloat16: tensor.pointer(as: UInt16.self)[0] = HalfPrecision.bfloat16Bits(from: Float(value))
        case .int8: tensor.pointer(as: Int8.self)[0] = Int8(clamping: Int(exactly: value.rounded(.towardZero)) ?? 0)
        case .uint8, .bool: tensor.pointer(as: UInt8.self)[0] = UInt8(clamping: Int(exactly: value.rounded(.towardZero)) ?? 0)
        case .int16: tensor.pointer(as: Int16.self)[0] = Int16(clamping: Int(exactly: value.rounded(.towardZero)) ?? 0)
        case .uint16: tensor.pointer(as: UInt16.self)[0] = UInt16(clamping: Int(exactly: value.rounded(.towardZero)) ?? 0)
        case .int32: tensor.pointer(as: Int32.self)[0] = Int32(clamping: Int(exactly: value.rounded(.towardZero)) ?? 0)
        case .uint32: tensor.pointer(as: UInt32.self)[0] = UInt32(clamping: Int(exactly: value.rounded(.towardZero)) ?? 0)
        case .int64: tensor.pointer(as: Int64.self)[0] = Int64(exactly: value.rounded(.towardZero)) ?? 0
        case .uint64: tensor.pointer(as: UInt64.self)[0] = UInt64(exactly: max(0, value.rounded(.towardZero))) ?? 0
        default: throw node.error(.unsupportedDataType, "cannot pad \(type) data with a constant")
        }
        return Array(UnsafeRawBufferPointer(start: tensor.storage.bytes, count: type.byteWidth))
    }
}
