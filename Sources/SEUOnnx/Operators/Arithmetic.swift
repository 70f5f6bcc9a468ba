/// Binary arithmetic with NumPy broadcasting: Add, Sub, Mul, Div, Mod, and the integer-only
/// BitShift, BitwiseAnd, BitwiseOr, BitwiseXor.
///
/// Integer semantics follow NumPy, which ONNX's reference uses: Add/Sub/Mul wrap around,
/// Div truncates toward zero, Mod with `fmod` = 0 takes the divisor's sign (Python `%`) and
/// with `fmod` = 1 the dividend's (C `fmod`). Integer division by zero is an execution error.
enum ArithmeticOperators {
    static func register(in registry: OperatorRegistry) {
        let basic: [(String, ArithmeticKernel.Operation)] = [("Add", .add), ("Sub", .sub), ("Mul", .mul), ("Div", .div)]
        for (name, operation) in basic {
            registry.register(OperatorSpec(name) { context in
                try build(context, operation, allowed: ElementTypes.numeric)
            })
        }
        registry.register(OperatorSpec("Mod", since: 10) { context in
            let fmod = try context.node.int("fmod", default: 0) != 0
            return try build(context, fmod ? .fmod : .mod, allowed: ElementTypes.numeric)
        })
        registry.register(OperatorSpec("BitShift", since: 11) { context in
            let direction = try context.node.string("direction") ?? ""
            guard direction == "LEFT" || direction == "RIGHT" else {
                throw context.error("direction must be LEFT or RIGHT, got '\(direction)'", attribute: "direction")
            }
            return try build(context, direction == "LEFT" ? .shiftLeft : .shiftRight, allowed: ElementTypes.integers)
        })
        let bitwise: [(String, ArithmeticKernel.Operation)] = [("BitwiseAnd", .bitAnd), ("BitwiseOr", .bitOr), ("BitwiseXor", .bitXor)]
        for (name, operation) in bitwise {
            registry.register(OperatorSpec(name, since: 18) { context in
                try build(context, operation, allowed: ElementTypes.integers)
            })
        }
        registry.register(OperatorSpec("BitwiseNot", since: 18) { context in
            let x = try context.expect(0, ElementTypes.integers)
            return KernelBuild(kernel: BitwiseNotKernel(x.dataType, count: x.count), outputType: x)
        })
    }

    static func build(_ context: NodeContext, _ operation: ArithmeticKernel.Operation,
                      allowed: Set<DataType>) throws -> KernelBuild {
        let plan = try Elementwise.binary(context)
        try Elementwise.require(context, plan.a.dataType, in: allowed)
        return KernelBuild(kernel: ArithmeticKernel(operation, plan.a.dataType, plan.walk),
                           outputType: ValueType(plan.a.dataType, plan.output))
    }
}

/// One broadcasting binary arithmetic operation on one element type.
final class ArithmeticKernel: NumericTypedKernel {
    enum Operation {
        case add, sub, mul, div
        /// Python-style modulo (result has the divisor's sign).
        case mod
        /// C-style remainder (result has the dividend's sign).
        case fmod
        case shiftLeft, shiftRight, bitAnd, bitOr, bitXor

        /// Operations whose integer form divides by the second operand.
        var divides: Bool { self == .div || self == .mod || self == .fmod }
        var bitwise: Bool { [.shiftLeft, .shiftRight, .bitAnd, .bitOr, .bitXor].contains(self) }
        var cost: BroadcastLoops.Cost { divides ? .costly : .cheap }
    }

    let operation: Operation
    let dataType: DataType
    let walk: Broadcast.Walk

    init(_ operation: Operation, _ dataType: DataType, _ walk: Broadcast.Walk) {
        self.operation = operation
        self.dataType = dataType
        self.walk = walk
    }

    func run<T: FloatElement>(float: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let a = inputs[0], let b = inputs[1] else { return }
        guard !operation.bitwise else { throw SEUError(.unsupportedDataType, "bitwise operation on \(dataType)") }
        let pa = a.pointer(as: T.self), pb = b.pointer(as: T.self), po = outputs[0].pointer(as: T.self)
        BroadcastLoops.split(walk, operation.cost) { c in apply(pa, pb, po, c) }
    }

    /// out = a op b over one chunk of the walk.
    @inline(__always)
    func apply<T: FloatElement>(_ pa: UnsafePointer<T>, _ pb: UnsafePointer<T>, _ po: UnsafeMutablePointer<T>,
                                _ c: BroadcastLoops.Chunk) {
        let walk = self.walk
        switch operation {
        case .add: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 + $1 }
        case .sub: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 - $1 }
        case .mul: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 * $1 }
        case .div: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 / $1 }
        case .fmod: BroadcastLoops.binary(walk, c, pa, pb, po) { T.fmod($0, $1) }
        case .mod:
            // ONNX requires fmod = 1 for floats; NumPy's float `mod` is the lenient reading.
            BroadcastLoops.binary(walk, c, pa, pb, po) { x, y in
                let r = T.fmod(x, y)
                return r != 0 && (r < 0) != (y < 0) ? r + y : r
            }
        case .shiftLeft, .shiftRight, .bitAnd, .bitOr, .bitXor: break
        }
    }

    func run<T: IntegerElement>(integer: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let a = inputs[0], let b = inputs[1] else { return }
        let pa = a.pointer(as: T.self), pb = b.pointer(as: T.self), po = outputs[0].pointer(as: T.self)
        if operation.divides {
            // Checked up front so the loops below stay branch-free and never trap.
            for i in 0..<b.count where pb[i] == 0 {
                throw SEUError(.execution, "integer division by zero (divisor element \(i))")
            }
        }
        let walk = self.walk, operation = self.operation
        BroadcastLoops.split(walk, operation.cost) { c in
            switch operation {
            case .add: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 &+ $1 }
            case .sub: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 &- $1 }
            case .mul: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 &* $1 }
            case .div: BroadcastLoops.binary(walk, c, pa, pb, po) { $0.dividedReportingOverflow(by: $1).partialValue }
            case .fmod: BroadcastLoops.binary(walk, c, pa, pb, po) { $0.remainderReportingOverflow(dividingBy: $1).partialValue }
            case .mod:
                BroadcastLoops.binary(walk, c, pa, pb, po) { x, y in
                    let r = x.remainderReportingOverflow(dividingBy: y).partialValue
                    return r != 0 && (r < 0) != (y < 0) ? r &+ y : r
                }
            // Shifts by the bit width or more give 0 (Swift's smart shift), not C's undefined result.
            case .shiftLeft: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 << $1 }
            case .shiftRight: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 >> $1 }
            case .bitAnd: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 & $1 }
            case .bitOr: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 | $1 }
            case .bitXor: BroadcastLoops.binary(walk, c, pa, pb, po) { $0 ^ $1 }
            }
        }
    }
}

/// BitwiseNot on integers.
final class BitwiseNotKernel: NumericTypedKernel {
    let dataType: DataType
    let count: Int

    init(_ dataType: DataType, count: Int) {
        self.dataType = dataType
        self.count = count
    }

    func run<T: FloatElement>(float: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        throw SEUError(.unsupportedDataType, "BitwiseNot on \(dataType)")
    }

    func run<T: IntegerElement>(integer: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let px = x.pointer(as: T.self), py = outputs[0].pointer(as: T.self)
        BroadcastLoops.split(count, .cheap) { r in BroadcastLoops.unary(r, px, py) { ~$0 } }
    }
}
