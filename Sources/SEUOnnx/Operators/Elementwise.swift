/// Plan-time helpers shared by the elementwise operator families (Arithmetic, Pow, Variadic,
/// Activations, UnaryMath, Clip, Logical, Cast, Dropout): input checks and broadcasting,
/// including the legacy broadcasting of opsets before 7.
enum Elementwise {
    /// Two broadcast operands and the walk that combines them.
    struct BinaryPlan {
        let a: ValueType
        let b: ValueType
        let output: [Int]
        let walk: Broadcast.Walk
    }

    /// Inputs 0 and 1 broadcast together (NumPy rules). Before opset 7, operators with the
    /// `broadcast`/`axis` attributes (Add, Sub, Mul, Div, Pow, And, Or, Xor, Equal, Less,
    /// Greater) align B with A starting at `axis`; with `broadcast` = 0 the shapes must match.
    /// `sameType` requires both inputs to have one element type.
    static func binary(_ context: NodeContext, sameType: Bool = true, legacyAttributes: Bool = true) throws -> BinaryPlan {
        let a = try context.type(0), b = try context.type(1)
        if sameType && a.dataType != b.dataType {
            throw context.error("inputs have different types (\(a.dataType), \(b.dataType))", kind: .shapeMismatch)
        }
        var bShape = b.shape
        if legacyAttributes && context.opset < 7 {
            bShape = try legacyShape(context, a: a.shape, b: b.shape)
        }
        guard let shape = Broadcast.shape([a.shape, bShape]) else {
            throw context.error("shapes \(a.shape) and \(b.shape) do not broadcast", kind: .shapeMismatch)
        }
        return BinaryPlan(a: a, b: ValueType(b.dataType, bShape), output: shape,
                          walk: Broadcast.Walk(outputShape: shape, inputShapes: [a.shape, bShape]))
    }

    /// B's shape padded with size-1 axes so that NumPy broadcasting reproduces the opset-1..6
    /// rule: B matches a contiguous run of A's axes starting at `axis` (default: A's suffix).
    static func legacyShape(_ context: NodeContext, a: [Int], b: [Int]) throws -> [Int] {
        let broadcast = try context.node.int("broadcast", default: 0)
        guard broadcast != 0 else {
            guard a == b else {
                throw context.error("shapes \(a) and \(b) differ and broadcast = 0 (opset \(context.opset))", kind: .shapeMismatch)
            }
            return b
        }
        var axis = try context.node.int("axis") ?? (a.count - b.count)
        if axis < 0 { axis += a.count }
        guard axis >= 0, axis + b.count <= a.count else {
            throw context.error("axis \(axis) cannot align shape \(b) with \(a)", attribute: "axis")
        }
        return b + [Int](repeating: 1, count: a.count - axis - b.count)
    }

    /// The broadcast shape of all present inputs (Where, Sum, Max, ...).
    static func broadcastShape(_ context: NodeContext, _ types: [ValueType]) throws -> [Int] {
        guard let shape = Broadcast.shape(types.map(\.shape)) else {
            throw context.error("shapes \(types.map(\.shape)) do not broadcast", kind: .shapeMismatch)
        }
        return shape
    }

    /// Checks an element type for a binary operator.
    static func require(_ context: NodeContext, _ type: DataType, in allowed: Set<DataType>) throws {
        guard allowed.contains(type) else {
            throw context.error("\(context.node.opType) on \(type) is not supported", kind: .unsupportedDataType)
        }
    }

    /// Number of node outputs actually requested (trailing "" omitted), at least 1.
    static func requestedOutputs(_ context: NodeContext, max: Int) -> Int {
        var count = min(context.node.outputs.count, max)
        while count > 1 && context.node.outputs[count - 1].isEmpty { count -= 1 }
        return Swift.max(count, 1)
    }
}
