/// Elementwise arithmetic with broadcasting (Add, Sub, Mul, Div) and Relu.
enum ElementwiseOperators {
    static func register(in registry: OperatorRegistry) {
        for op in ArithmeticKernel.Operation.allCases {
            registry.register(OperatorSpec(op.rawValue) { context in
                let a = try context.type(0), b = try context.type(1)
                guard a.dataType == b.dataType else {
                    throw context.error("inputs have different types (\(a.dataType), \(b.dataType))", kind: .shapeMismatch)
                }
                guard ArithmeticKernel.supported.contains(a.dataType) else {
                    throw context.error("\(op.rawValue) on \(a.dataType) is not supported", kind: .unsupportedDataType)
                }
                guard let shape = Broadcast.shape([a.shape, b.shape]) else {
                    throw context.error("shapes \(a.shape) and \(b.shape) do not broadcast", kind: .shapeMismatch)
                }
                let walk = Broadcast.Walk(outputShape: shape, inputShapes: [a.shape, b.shape])
                return KernelBuild(kernel: ArithmeticKernel(op, a.dataType, walk), outputType: ValueType(a.dataType, shape))
            })
        }
        registry.register(OperatorSpec("Relu") { context in
            let x = try context.expect(0, [.float, .double])
            let kernel = ClosureKernel { inputs, outputs in
                guard let input = inputs[0] else { return }
                if x.dataType == .float {
                    ElementwiseLoops.unary(x.count, input.floats, outputs[0].floats) { $0 > 0 ? $0 : ($0.isNaN ? $0 : 0) }
                } else {
                    ElementwiseLoops.unary(x.count, input.pointer(as: Double.self), outputs[0].pointer(as: Double.self)) {
                        $0 > 0 ? $0 : ($0.isNaN ? $0 : 0)
                    }
                }
            }
            return KernelBuild(kernel: kernel, outputType: x)
        })
    }
}

/// Add, Sub, Mul, Div on float32, float64, int32 and int64 with broadcasting.
final class ArithmeticKernel: Kernel {
    enum Operation: String, CaseIterable { case add = "Add", sub = "Sub", mul = "Mul", div = "Div" }
    static let supported: Set<DataType> = [.float, .double, .int32, .int64]

    let operation: Operation
    let dataType: DataType
    let walk: Broadcast.Walk

    init(_ operation: Operation, _ dataType: DataType, _ walk: Broadcast.Walk) {
        self.operation = operation
        self.dataType = dataType
        self.walk = walk
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let a = inputs[0], let b = inputs[1] else { return }
        switch dataType {
        case .float: apply(a.floats, b.floats, outputs[0].floats)
        case .double: apply(a.pointer(as: Double.self), b.pointer(as: Double.self), outputs[0].pointer(as: Double.self))
        case .int32: try applyInteger(a.pointer(as: Int32.self), b.pointer(as: Int32.self), outputs[0].pointer(as: Int32.self))
        default: try applyInteger(a.pointer(as: Int64.self), b.pointer(as: Int64.self), outputs[0].pointer(as: Int64.self))
        }
    }

    @inline(__always)
    private func apply<T: FloatingPoint>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>) {
        switch operation {
        case .add: ElementwiseLoops.binary(walk, a, b, out) { $0 + $1 }
        case .sub: ElementwiseLoops.binary(walk, a, b, out) { $0 - $1 }
        case .mul: ElementwiseLoops.binary(walk, a, b, out) { $0 * $1 }
        case .div: ElementwiseLoops.binary(walk, a, b, out) { $0 / $1 }
        }
    }

    @inline(__always)
    private func applyInteger<T: FixedWidthInteger>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                                    _ out: UnsafeMutablePointer<T>) throws {
        switch operation {
        case .add: ElementwiseLoops.binary(walk, a, b, out) { $0 &+ $1 }
        case .sub: ElementwiseLoops.binary(walk, a, b, out) { $0 &- $1 }
        case .mul: ElementwiseLoops.binary(walk, a, b, out) { $0 &* $1 }
        case .div:
            var divideByZero = false
            ElementwiseLoops.binary(walk, a, b, out) { x, y in
                if y == 0 { divideByZero = true; return 0 }
                return x.dividedReportingOverflow(by: y).partialValue
            }
            if divideByZero { throw SEUError(.execution, "integer division by zero") }
        }
    }
}
