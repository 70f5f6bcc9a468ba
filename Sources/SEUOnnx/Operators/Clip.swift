/// Clip(x, min, max): y = min(max(x, min), max).
///
/// Before opset 11 the bounds are float attributes; from 11 they are optional scalar inputs of
/// X's type (integer types from opset 12), read in `run` because they may be initializers a
/// fault flips. An absent bound is unbounded. NaN in X stays NaN (PyTorch's clamp); when
/// min > max every element becomes max, as in NumPy.
enum ClipOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Clip") { context in
            let x = try context.expect(0, ElementTypes.numeric)
            var bounds: ClipKernel.Bounds
            if context.opset < 11 {
                let low = try context.node.float("min").map(Double.init)
                let high = try context.node.float("max").map(Double.init)
                bounds = .attributes(low: low, high: high)
            } else {
                for i in 1...2 where context.hasInput(i) {
                    let bound = try context.type(i)
                    guard bound.dataType == x.dataType else {
                        throw context.error("bound \(i) has type \(bound.dataType), X has \(x.dataType)", kind: .shapeMismatch)
                    }
                    guard bound.count == 1 else {
                        throw context.error("bound \(i) must be a scalar, has shape \(bound.shape)", kind: .shapeMismatch)
                    }
                }
                bounds = .inputs
            }
            return KernelBuild(kernel: ClipKernel(x.dataType, count: x.count, bounds: bounds), outputType: x)
        })
    }
}

final class ClipKernel: NumericTypedKernel {
    enum Bounds {
        /// Opset < 11: attribute values (nil = unbounded).
        case attributes(low: Double?, high: Double?)
        /// Opset ≥ 11: optional inputs 1 and 2.
        case inputs
    }

    let dataType: DataType
    let count: Int
    let bounds: Bounds

    init(_ dataType: DataType, count: Int, bounds: Bounds) {
        self.dataType = dataType
        self.count = count
        self.bounds = bounds
    }

    func run<T: FloatElement>(float: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        var low = -T.infinity, high = T.infinity
        switch bounds {
        case .attributes(let l, let h):
            if let l { low = T(l) }
            if let h { high = T(h) }
        case .inputs:
            if inputs.count > 1, let l = inputs[1] { low = l.pointer(as: T.self)[0] }
            if inputs.count > 2, let h = inputs[2] { high = h.pointer(as: T.self)[0] }
        }
        clip(x.pointer(as: T.self), outputs[0].pointer(as: T.self), low, high)
    }

    func run<T: IntegerElement>(integer: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        var low = T.min, high = T.max
        switch bounds {
        case .attributes(let l, let h):
            // Float attributes on an integer tensor (not valid ONNX before opset 12; lenient).
            if let l { low = PowKernel.truncating(l.rounded(.up)) }
            if let h { high = PowKernel.truncating(h.rounded(.down)) }
        case .inputs:
            if inputs.count > 1, let l = inputs[1] { low = l.pointer(as: T.self)[0] }
            if inputs.count > 2, let h = inputs[2] { high = h.pointer(as: T.self)[0] }
        }
        clip(x.pointer(as: T.self), outputs[0].pointer(as: T.self), low, high)
    }

    /// `v < low ? low : v`, then `> high ? high : _`: NaN fails both tests and passes through.
    @inline(__always)
    private func clip<T: Comparable>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ low: T, _ high: T) {
        BroadcastLoops.split(count, .cheap) { r in
            BroadcastLoops.unary(r, x, y) { v in
                let lifted = v < low ? low : v
                return lifted > high ? high : lifted
            }
        }
    }
}
