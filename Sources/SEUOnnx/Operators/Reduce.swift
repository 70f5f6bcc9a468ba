/// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceLogSum,
/// ReduceLogSumExp and ReduceSumSquare, all opsets.
///
/// Version differences: `axes` is an attribute before the opset where it became an optional
/// input (ReduceSum 13, the others 18); `noop_with_empty_axes` exists from then on (without it,
/// or with 0, empty axes reduce over every axis; with 1 they make the op an identity);
/// ReduceMax/ReduceMin accept int8/uint8 from 12 and bool from 20. Reducing over an empty set
/// gives the operation's identity (0, 1, -inf for Max and LogSum/LogSumExp, +inf for Min;
/// NaN for Mean).
///
/// Max and Min propagate NaN (as PyTorch does), so faults stay visible.
enum ReduceOperators {
    enum Operation: String, CaseIterable {
        case sum = "ReduceSum", mean = "ReduceMean", max = "ReduceMax", min = "ReduceMin"
        case prod = "ReduceProd", l1 = "ReduceL1", l2 = "ReduceL2", logSum = "ReduceLogSum"
        case logSumExp = "ReduceLogSumExp", sumSquare = "ReduceSumSquare"

        /// First opset where `axes` is an input instead of an attribute.
        var axesInputSince: Int { self == .sum ? 13 : 18 }
    }

    static let numericTypes: Set<DataType> = [.float, .double, .int32, .int64, .uint32, .uint64]

    static func register(in registry: OperatorRegistry) {
        for op in Operation.allCases {
            registry.register(OperatorSpec(op.rawValue) { context in
                var allowed = numericTypes
                if op == .max || op == .min { allowed.formUnion([.int8, .uint8, .bool]) }
                let x = try context.expect(0, allowed)
                let keepDims = try context.node.int("keepdims", default: 1) != 0
                let axesInput = context.opset >= op.axesInputSince
                let noop = try axesInput && context.node.int("noop_with_empty_axes", default: 0) != 0
                let requested = axesInput ? try context.constantInts(1) : try context.node.ints("axes")
                var axes = Set<Int>()
                for axis in requested ?? [] {
                    guard axis >= -x.rank && axis < max(x.rank, 1) else {
                        throw context.error("axis \(axis) out of range for rank \(x.rank)", attribute: "axes")
                    }
                    axes.insert(axis < 0 ? axis + x.rank : axis)
                }
                if axes.isEmpty {
                    if noop { return KernelBuild(kernel: ReduceCopyKernel(), outputType: x) }
                    axes = Set(0..<x.rank)
                }
                let plan = ReductionPlan(shape: x.shape, axes: axes, keepDims: keepDims)
                return KernelBuild(kernel: ReduceKernel(op, x.dataType, plan),
                                   outputType: ValueType(x.dataType, plan.outputShape))
            })
        }
    }
}

/// Identity for `noop_with_empty_axes`: copies the input bytes.
final class ReduceCopyKernel: Kernel {
    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        outputs[0].assign(from: x)
    }
}

/// Which input elements each output element of a reduction combines.
///
/// Output element `o` reduces `x[outputBase[o] + reducedOffsets[r]]` for every `r` (in
/// row-major order of the reduced axes). When the reduced axes are the trailing ones,
/// `reducedOffsets` is `0..<groupSize` and `contiguous` is true.
struct ReductionPlan {
    let outputShape: [Int]
    let outputBase: [Int]
    let reducedOffsets: [Int]
    let contiguous: Bool
    var groupSize: Int { reducedOffsets.count }
    var outputCount: Int { outputBase.count }

    init(shape: [Int], axes: Set<Int>, keepDims: Bool) {
        outputShape = shape.enumerated().compactMap { axis, dim in
            axes.contains(axis) ? (keepDims ? 1 : nil) : dim
        }
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = acc
            acc *= shape[axis]
        }
        /// Offsets of every index combination over `selected` axes, row-major.
        func offsets(_ selected: [Int]) -> [Int] {
            var result = [0]
            for axis in selected {
                var next: [Int] = []
                next.reserveCapacity(result.count * shape[axis])
                for base in result {
                    for i in 0..<shape[axis] { next.append(base + i * strides[axis]) }
                }
                result = next
            }
            return result
        }
        let reduced = (0..<shape.count).filter { axes.contains($0) }
        outputBase = offsets((0..<shape.count).filter { !axes.contains($0) })
        reducedOffsets = offsets(reduced)
        contiguous = reducedOffsets.enumerated().allSatisfy { $0.offset == $0.element }
    }
}
