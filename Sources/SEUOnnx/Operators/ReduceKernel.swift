import Foundation

/// Runs one reduction (`ReduceOperators.Operation`) over a `ReductionPlan` for float32,
/// float64, the integer types and bool. Floating-point sums accumulate in the element type, in
/// the row-major order of the reduced axes.
final class ReduceKernel: Kernel {
    typealias Operation = ReduceOperators.Operation
    let operation: Operation
    let dataType: DataType
    let plan: ReductionPlan

    init(_ operation: Operation, _ dataType: DataType, _ plan: ReductionPlan) {
        self.operation = operation
        self.dataType = dataType
        self.plan = plan
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let y = outputs[0]
        switch dataType {
        case .float: real(x.pointer(as: Float.self), y.pointer(as: Float.self))
        case .double: real(x.pointer(as: Double.self), y.pointer(as: Double.self))
        case .int32: integer(x.pointer(as: Int32.self), y.pointer(as: Int32.self))
        case .int64: integer(x.pointer(as: Int64.self), y.pointer(as: Int64.self))
        case .uint32: integer(x.pointer(as: UInt32.self), y.pointer(as: UInt32.self))
        case .uint64: integer(x.pointer(as: UInt64.self), y.pointer(as: UInt64.self))
        case .int8: integer(x.pointer(as: Int8.self), y.pointer(as: Int8.self))
        case .uint8: integer(x.pointer(as: UInt8.self), y.pointer(as: UInt8.self))
        case .bool: boolean(x.pointer(as: UInt8.self), y.pointer(as: UInt8.self))
        default: throw SEUError(.unsupportedDataType, "\(operation.rawValue) on \(dataType) is not supported")
        }
    }

    /// out[o] = finish(fold of step over the group of o).
    @inline(__always)
    private func fold<T, A>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ initial: A,
                            _ step: (A, T) -> A, _ finish: (A) -> T) {
        let plan = self.plan
        let count = plan.groupSize
        plan.reducedOffsets.withUnsafeBufferPointer { offsets in
            plan.outputBase.withUnsafeBufferPointer { bases in
                for o in 0..<bases.count {
                    let base = x + bases[o]
                    var acc = initial
                    if plan.contiguous {
                        for r in 0..<count { acc = step(acc, base[r]) }
                    } else {
                        for r in 0..<count { acc = step(acc, base[offsets[r]]) }
                    }
                    out[o] = finish(acc)
                }
            }
        }
    }

    private func real<T: FloatElement>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>) {
        let count = T(plan.groupSize)
        switch operation {
        case .sum: fold(x, out, T(0), { $0 + $1 }, { $0 })
        case .mean: fold(x, out, T(0), { $0 + $1 }, { $0 / count })
        case .max: fold(x, out, -T.infinity, { a, v in a.isNaN || !(v > a || v.isNaN) ? a : v }, { $0 })
        case .min: fold(x, out, T.infinity, { a, v in a.isNaN || !(v < a || v.isNaN) ? a : v }, { $0 })
        case .prod: fold(x, out, T(1), { $0 * $1 }, { $0 })
        case .l1: fold(x, out, T(0), { $0 + abs($1) }, { $0 })
        case .l2: fold(x, out, T(0), { $0 + $1 * $1 }, { $0.squareRoot() })
        case .logSum: fold(x, out, T(0), { $0 + $1 }, { T.log($0) })
        case .sumSquare: fold(x, out, T(0), { $0 + $1 * $1 }, { $0 })
        case .logSumExp:
            // log Σ exp(v) = m + log Σ exp(v - m) with m the group maximum, for stability.
            let plan = self.plan
            plan.reducedOffsets.withUnsafeBufferPointer { offsets in
                for (o, offset) in plan.outputBase.enumerated() {
                    let base = x + offset
                    var m = -T.infinity
                    for r in offsets where !m.isNaN && !(base[r] <= m) { m = base[r] }
                    guard m.isFinite else { out[o] = m; continue }
                    var sum: T = 0
                    for r in offsets { sum += T.exp(base[r] - m) }
                    out[o] = m + T.log(sum)
                }
            }
        }
    }

    private func integer<T: FixedWidthInteger>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>) {
        let count = plan.groupSize
        /// Rounds toward zero into T (saturating), for results computed in Double.
        func narrow(_ d: Double) -> T {
            guard d.isFinite else { return d > 0 ? T.max : (d < 0 ? T.min : 0) }
            return T(exactly: d.rounded(.towardZero)) ?? (d > 0 ? T.max : T.min)
        }
        switch operation {
        case .sum: fold(x, out, T(0), { $0 &+ $1 }, { $0 })
        case .mean: fold(x, out, T(0), { $0 &+ $1 }, { count == 0 ? 0 : $0 / T(clamping: count) })
        case .max: fold(x, out, T.min, { Swift.max($0, $1) }, { $0 })
        case .min: fold(x, out, T.max, { Swift.min($0, $1) }, { $0 })
        case .prod: fold(x, out, T(1), { $0 &* $1 }, { $0 })
        case .l1: fold(x, out, T(0), { $0 &+ T(truncatingIfNeeded: $1.magnitude) }, { $0 })
        case .sumSquare: fold(x, out, T(0), { $0 &+ $1 &* $1 }, { $0 })
        case .l2: fold(x, out, 0.0, { $0 + Double($1) * Double($1) }, { narrow($0.squareRoot()) })
        case .logSum: fold(x, out, 0.0, { $0 + Double($1) }, { narrow(Foundation.log($0)) })
        case .logSumExp: fold(x, out, 0.0, { $0 + Foundation.exp(Double($1)) }, { narrow(Foundation.log($0)) })
        }
    }

    /// Bool (stored as one byte, 0 or 1): Max is "any", Min is "all".
    private func boolean(_ x: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>) {
        if operation == .max {
            fold(x, out, false, { $0 || $1 != 0 }, { $0 ? 1 : 0 })
        } else {
            fold(x, out, true, { $0 && $1 != 0 }, { $0 ? 1 : 0 })
        }
    }
}
