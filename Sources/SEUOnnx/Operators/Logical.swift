/// Comparisons (Equal, Less, Greater, LessOrEqual, GreaterOrEqual) with bool outputs, the
/// boolean operators And, Or, Xor, Not, and Where — all with NumPy broadcasting.
///
/// Bool tensors hold one byte per element; any non-zero byte reads as true and results are
/// written as 0 or 1. Comparisons with NaN are false (Equal(NaN, NaN) = false), as in IEEE.
enum LogicalOperators {
    static func register(in registry: OperatorRegistry) {
        let comparisons: [(String, Int, ComparisonKernel.Operation)] = [
            ("Equal", 1, .equal), ("Less", 1, .less), ("Greater", 1, .greater),
            ("LessOrEqual", 12, .lessOrEqual), ("GreaterOrEqual", 12, .greaterOrEqual),
        ]
        for (name, since, operation) in comparisons {
            registry.register(OperatorSpec(name, since: since) { context in
                let plan = try Elementwise.binary(context)
                let allowed = operation == .equal ? ElementTypes.numeric.union([.bool]) : ElementTypes.numeric
                try Elementwise.require(context, plan.a.dataType, in: allowed)
                return KernelBuild(kernel: ComparisonKernel(operation, plan.a.dataType, plan.walk),
                                   outputType: ValueType(.bool, plan.output))
            })
        }
        let boolean: [(String, BooleanKernel.Operation)] = [("And", .and), ("Or", .or), ("Xor", .xor)]
        for (name, operation) in boolean {
            registry.register(OperatorSpec(name) { context in
                let plan = try Elementwise.binary(context)
                try Elementwise.require(context, plan.a.dataType, in: [.bool])
                return KernelBuild(kernel: BooleanKernel(operation, plan.walk), outputType: ValueType(.bool, plan.output))
            })
        }
        registry.register(OperatorSpec("Not") { context in
            let x = try context.expect(0, [.bool])
            let kernel = ClosureKernel { inputs, outputs in
                guard let input = inputs[0] else { return }
                let px = input.pointer(as: UInt8.self), py = outputs[0].pointer(as: UInt8.self)
                BroadcastLoops.split(x.count, .cheap) { r in BroadcastLoops.unary(r, px, py) { $0 == 0 ? 1 : 0 } }
            }
            return KernelBuild(kernel: kernel, outputType: x)
        })
        // Where moves elements of any type, so 16-bit floats are handled natively.
        registry.register(OperatorSpec("Where", since: 9, halfPrecision: .native) { context in
            let condition = try context.expect(0, [.bool])
            let x = try context.type(1), y = try context.type(2)
            guard x.dataType == y.dataType else {
                throw context.error("X has type \(x.dataType), Y has \(y.dataType)", kind: .shapeMismatch)
            }
            guard [1, 2, 4, 8].contains(x.dataType.byteWidth) else {
                throw context.error("Where on \(x.dataType) is not supported", kind: .unsupportedDataType)
            }
            let shape = try Elementwise.broadcastShape(context, [condition, x, y])
            let walk = Broadcast.Walk(outputShape: shape, inputShapes: [condition.shape, x.shape, y.shape])
            return KernelBuild(kernel: WhereKernel(width: x.dataType.byteWidth, walk: walk), outputType: ValueType(x.dataType, shape))
        })
    }
}

/// A comparison of two broadcast inputs, writing bools.
final class ComparisonKernel: NumericTypedKernel {
    enum Operation { case equal, less, greater, lessOrEqual, greaterOrEqual }

    let operation: Operation
    let dataType: DataType
    let walk: Broadcast.Walk

    init(_ operation: Operation, _ dataType: DataType, _ walk: Broadcast.Walk) {
        self.operation = operation
        self.dataType = dataType
        self.walk = walk
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard dataType == .bool else { return try dispatch(inputs: inputs, outputs: outputs) }
        guard let a = inputs[0], let b = inputs[1] else { return }
        let pa = a.pointer(as: UInt8.self), pb = b.pointer(as: UInt8.self), po = outputs[0].pointer(as: UInt8.self), walk = self.walk
        BroadcastLoops.split(walk, .cheap) { c in BroadcastLoops.binary(walk, c, pa, pb, po) { ($0 != 0) == ($1 != 0) ? 1 : 0 } }
    }

    func run<T: FloatElement>(float: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws { compare(T.self, inputs, outputs) }
    func run<T: IntegerElement>(integer: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws { compare(T.self, inputs, outputs) }

    @inline(__always)
    private func compare<T: Comparable>(_ type: T.Type, _ inputs: [Tensor?], _ outputs: [Tensor]) {
        guard let a = inputs[0], let b = inputs[1] else { return }
        let pa = a.pointer(as: T.self), pb = b.pointer(as: T.self), po = outputs[0].pointer(as: UInt8.self)
        let walk = self.walk, operation = self.operation
        BroadcastLoops.split(walk, .cheap) { c in
            switch operation {
            case .equal: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 == $1 ? 1 : 0 }
            case .less: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 < $1 ? 1 : 0 }
            case .greater: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 > $1 ? 1 : 0 }
            case .lessOrEqual: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 <= $1 ? 1 : 0 }
            case .greaterOrEqual: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 >= $1 ? 1 : 0 }
            }
        }
    }
}

/// And, Or, Xor on broadcast bool inputs.
final class BooleanKernel: Kernel {
    enum Operation { case and, or, xor }

    let operation: Operation
    let walk: Broadcast.Walk

    init(_ operation: Operation, _ walk: Broadcast.Walk) {
        self.operation = operation
        self.walk = walk
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let a = inputs[0], let b = inputs[1] else { return }
        let pa = a.pointer(as: UInt8.self), pb = b.pointer(as: UInt8.self), po = outputs[0].pointer(as: UInt8.self)
        let walk = self.walk, operation = self.operation
        BroadcastLoops.split(walk, .cheap) { c in
            switch operation {
            case .and: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 != 0 && $1 != 0 ? 1 : 0 }
            case .or: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 != 0 || $1 != 0 ? 1 : 0 }
            case .xor: BroadcastLoops.binary(walk, c, pa, pb, po) { ($0 != 0) != ($1 != 0) ? 1 : 0 }
            }
        }
    }
}

/// Where(condition, X, Y): copies elements by width (1, 2, 4 or 8 bytes), whatever the type.
final class WhereKernel: Kernel {
    let width: Int
    let walk: Broadcast.Walk

    init(width: Int, walk: Broadcast.Walk) {
        self.width = width
        self.walk = walk
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let c = inputs[0], let x = inputs[1], let y = inputs[2] else { return }
        switch width {
        case 1: select(c, x, y, outputs[0], UInt8.self)
        case 2: select(c, x, y, outputs[0], UInt16.self)
        case 4: select(c, x, y, outputs[0], UInt32.self)
        default: select(c, x, y, outputs[0], UInt64.self)
        }
    }

    @inline(__always)
    private func select<E>(_ c: Tensor, _ x: Tensor, _ y: Tensor, _ out: Tensor, _ type: E.Type) {
        let pc = c.pointer(as: UInt8.self), px = x.pointer(as: E.self), py = y.pointer(as: E.self)
        let po = out.pointer(as: E.self), walk = self.walk
        BroadcastLoops.split(walk, .cheap) { chunk in BroadcastLoops.ternary(walk, chunk, pc, px, py, po) { $0 != 0 ? $1 : $2 } }
    }
}
