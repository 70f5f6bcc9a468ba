/// Softmax, LogSoftmax and Hardmax (opsets 1, 11, 13).
///
/// Before opset 13 the input is coerced to 2-D at `axis` (default 1): every row
/// `shape[..<axis]` is normalised over all of `shape[axis...]` flattened. From opset 13 the
/// operation runs along the single axis `axis` (default -1). Rows are computed as
/// exp(x - max) / Σ exp(x - max) for stability; a NaN anywhere in a row makes the row NaN.
enum SoftmaxOperators {
    enum Operation: String, CaseIterable { case softmax = "Softmax", logSoftmax = "LogSoftmax", hardmax = "Hardmax" }

    static func register(in registry: OperatorRegistry) {
        for op in Operation.allCases {
            registry.register(OperatorSpec(op.rawValue) { context in
                let x = try context.expect(0, [.float, .double])
                let coerce = context.opset < 13
                var axis = try context.node.int("axis", default: coerce ? 1 : -1)
                let rank = max(x.rank, 1)
                guard axis >= -rank && axis < rank + (coerce ? 1 : 0) else {
                    throw context.error("axis \(axis) out of range for rank \(x.rank)", attribute: "axis")
                }
                if axis < 0 { axis += rank }
                let shape = x.rank == 0 ? [1] : x.shape
                let outer = shape[..<axis].reduce(1, *)
                let length = coerce ? shape[axis...].reduce(1, *) : shape[axis]
                let inner = coerce ? 1 : shape[(axis + 1)...].reduce(1, *)
                let kernel = SoftmaxKernel(op, outer: outer, length: length, inner: inner, double: x.dataType == .double)
                return KernelBuild(kernel: kernel, outputType: x)
            })
        }
    }
}

/// Normalises `outer × inner` rows of `length` elements (stride `inner` within a row).
final class SoftmaxKernel: Kernel {
    let operation: SoftmaxOperators.Operation
    let outer: Int, length: Int, inner: Int
    let double: Bool

    init(_ operation: SoftmaxOperators.Operation, outer: Int, length: Int, inner: Int, double: Bool) {
        self.operation = operation
        self.outer = outer; self.length = length; self.inner = inner
        self.double = double
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        if double {
            normalise(x.pointer(as: Double.self), outputs[0].pointer(as: Double.self))
        } else {
            normalise(x.floats, outputs[0].floats)
        }
    }

    private func normalise<T: FloatElement>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
        let length = self.length, inner = self.inner, operation = self.operation
        guard length > 0 else { return }
        Parallel.forEach(outer * inner, minimumPerThread: max(1, 16_384 / max(length, 1))) { range in
            for row in range {
                let o = row / inner, i = row % inner
                let source = x + o * length * inner + i
                let target = y + o * length * inner + i
                var m = source[0]
                var argmax = 0
                for k in 1..<length where source[k * inner] > m || (source[k * inner].isNaN && !m.isNaN) {
                    m = source[k * inner]
                    argmax = k
                }
                switch operation {
                case .softmax:
                    var sum: T = 0
                    for k in 0..<length {
                        let e = T.exp(source[k * inner] - m)
                        target[k * inner] = e
                        sum += e
                    }
                    let scale = 1 / sum
                    for k in 0..<length { target[k * inner] *= scale }
                case .logSoftmax:
                    var sum: T = 0
                    for k in 0..<length { sum += T.exp(source[k * inner] - m) }
                    let shift = m + T.log(sum)
                    for k in 0..<length { target[k * inner] = source[k * inner] - shift }
                case .hardmax:
                    for k in 0..<length { target[k * inner] = k == argmax ? 1 : 0 }
                }
            }
        }
    }
}
