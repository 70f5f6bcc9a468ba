/// Einsum (opset 12): Einstein summation over any number of operands (`EinsumEquation` for the
/// equation syntax). float32 contractions run as batched OpenBLAS sgemm; float64 and the
/// integer types use the plain loop of `EinsumPlan.Product` (integers wrap on overflow).
/// `EinsumReference` is the direct definition the fast path is tested against.
enum EinsumOperators {
    static let types: Set<DataType> = [.float, .double, .int32, .int64, .uint32, .uint64]

    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Einsum", since: 12) { context in
            guard let equation = try context.node.string("equation") else {
                throw context.error("missing attribute 'equation'", attribute: "equation")
            }
            guard !context.node.inputs.isEmpty else { throw context.error("Einsum needs at least one input") }
            let inputs = try context.node.inputs.indices.map { try context.expect($0, types) }
            guard let dataType = inputs.first?.dataType, inputs.allSatisfy({ $0.dataType == dataType }) else {
                throw context.error("inputs have different types (\(inputs.map(\.dataType.name)))", kind: .shapeMismatch)
            }
            let parsed: EinsumEquation
            do {
                parsed = try EinsumEquation(equation, shapes: inputs.map(\.shape))
            } catch let error as EinsumError {
                throw context.error("equation '\(equation)': \(error.message)", kind: .shapeMismatch, attribute: "equation")
            }
            let plan = EinsumPlan(parsed, shapes: inputs.map(\.shape))
            for size in plan.scratchSizes + [plan.sumPositions] {
                try WindowLimits.check(context.node, elements: [size], what: "Einsum scratch")
            }
            return KernelBuild(kernel: EinsumKernel(plan, dataType), outputType: ValueType(dataType, parsed.outputShape))
        })
    }
}

final class EinsumKernel: Kernel {
    let plan: EinsumPlan
    let dataType: DataType
    private let scratch: [UnsafeMutableRawPointer]

    init(_ plan: EinsumPlan, _ dataType: DataType) {
        self.plan = plan
        self.dataType = dataType
        scratch = plan.scratchSizes.map {
            UnsafeMutableRawPointer.allocate(byteCount: max($0, 1) * dataType.byteWidth, alignment: 64)
        }
    }

    deinit { for buffer in scratch { buffer.deallocate() } }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        let sources = inputs.map { $0?.storage.bytes }
        guard sources.allSatisfy({ $0 != nil }) else { return }
        let buffers = EinsumBuffers(inputs: sources.compactMap { $0.map(UnsafeRawPointer.init) }, scratch: scratch,
                                    output: outputs[0].storage.bytes)
        switch dataType {
        case .float: plan.execute(Float.self, buffers, gemm: Self.sgemm)
        case .double: plan.execute(Double.self, buffers, gemm: EinsumPlan.Product.loop)
        case .int32: plan.execute(Int32.self, buffers, gemm: EinsumPlan.Product.loop)
        case .int64: plan.execute(Int64.self, buffers, gemm: EinsumPlan.Product.loop)
        case .uint32: plan.execute(UInt32.self, buffers, gemm: EinsumPlan.Product.loop)
        default: plan.execute(UInt64.self, buffers, gemm: EinsumPlan.Product.loop)
        }
    }

    /// One matrix product of a batch on OpenBLAS.
    static func sgemm(_ p: EinsumPlan.Product, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
        BLAS.sgemm(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                   a: a, lda: p.transposeA ? p.m : p.k, b: b, ldb: p.transposeB ? p.k : p.n, c: c, ldc: p.n)
    }
}

/// The memory an `EinsumPlan` runs on.
struct EinsumBuffers {
    let inputs: [UnsafeRawPointer]
    let scratch: [UnsafeMutableRawPointer]
    let output: UnsafeMutableRawPointer

    func read(_ buffer: EinsumPlan.Buffer) -> UnsafeRawPointer {
        switch buffer {
        case .input(let i): return inputs[i]
        case .scratch(let i): return UnsafeRawPointer(scratch[i])
        case .output: return UnsafeRawPointer(output)
        }
    }

    func write(_ target: EinsumPlan.Target) -> UnsafeMutableRawPointer {
        switch target {
        case .scratch(let i): return scratch[i]
        case .output: return output
        }
    }
}

/// y[o] = Σ x[offset(o) + s] over the summed positions s: a strided copy that transposes,
/// takes diagonals (a repeated label's axes share one index, so their strides add up),
/// broadcasts (stride 0) and sums out axes, in one pass.
struct StridedSum {
    /// Output sizes (row-major, contiguous output) and the source stride of each output axis.
    let sizes: [Int], strides: [Int]
    /// Source offsets of every combination of the summed axes ([0] when nothing is summed;
    /// empty when a summed axis has size 0, which makes every output 0).
    let sumOffsets: [Int]

    init(sizes: [Int], strides: [Int], sumSizes: [Int], sumStrides: [Int]) {
        self.sizes = sizes
        self.strides = strides
        var offsets = [0]
        for (size, stride) in zip(sumSizes, sumStrides) {
            offsets = offsets.flatMap { base in (0..<size).map { base + $0 * stride } }
        }
        sumOffsets = offsets
    }

    func run<T: Numeric>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
        let count = sizes.reduce(1, *)
        guard count > 0 else { return }
        let rank = sizes.count
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        let single = sumOffsets.count == 1 ? sumOffsets[0] : nil
        for o in 0..<count {
            if let single {
                y[o] = x[offset + single]
            } else {
                var sum: T = 0
                for s in sumOffsets { sum += x[offset + s] }
                y[o] = sum
            }
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < sizes[axis] { break }
                offset -= strides[axis] * sizes[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
