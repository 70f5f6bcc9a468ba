/// Concat and Split: join or cut tensors along one axis by copying contiguous blocks (any
/// element type). Row-major layout makes each (outer index, input) pair one memcpy.
enum ConcatSplitOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Concat", halfPrecision: .native) { context in
            guard context.inputCount > 0 else { throw context.error("Concat needs at least one input") }
            let types = try (0..<context.inputCount).map { try context.type($0) }
            let first = types[0]
            // Opsets 1–3 default to axis 1; later versions require the attribute.
            guard let rawAxis = try context.node.int("axis") ?? (context.opset < 4 ? 1 : nil) else {
                throw context.error("Concat needs an axis", attribute: "axis")
            }
            let axis = try ShapeAxes.normalize(rawAxis, rank: first.rank, node: context.node)
            var shape = first.shape
            shape[axis] = 0
            for type in types {
                guard type.dataType == first.dataType else {
                    throw context.error("inputs mix \(first.dataType) and \(type.dataType)", kind: .unsupportedDataType)
                }
                guard type.rank == first.rank,
                      type.shape.indices.allSatisfy({ $0 == axis || type.shape[$0] == first.shape[$0] }) else {
                    throw context.error("cannot concatenate \(first.shape) and \(type.shape) on axis \(axis)", kind: .shapeMismatch)
                }
                shape[axis] += type.shape[axis]
            }
            let kernel = BlockCopyKernel(outer: shape[..<axis].reduce(1, *),
                                         blocks: types.map { $0.shape[axis...].reduce(1, *) * first.dataType.byteWidth },
                                         concatenating: true)
            return KernelBuild(kernel: kernel, outputType: ValueType(first.dataType, shape))
        })
        registry.register(OperatorSpec("Split", halfPrecision: .native) { context in
            let x = try context.type(0)
            let axis = try ShapeAxes.normalize(try context.node.int("axis", default: 0), rank: x.rank, node: context.node)
            let sizes = try splitSizes(context, dimension: x.shape[axis])
            let inner = x.shape[(axis + 1)...].reduce(1, *) * x.dataType.byteWidth
            let kernel = BlockCopyKernel(outer: x.shape[..<axis].reduce(1, *), blocks: sizes.map { $0 * inner },
                                         concatenating: false)
            let types = sizes.map { size -> ValueType in
                var shape = x.shape
                shape[axis] = size
                return ValueType(x.dataType, shape)
            }
            return KernelBuild(kernel: kernel, outputTypes: types)
        })
    }

    /// The size of every output along the axis, from the `split` input (opset 1 optionally,
    /// 13+), the `split` attribute (before 13), `num_outputs` (18+) or the output count.
    static func splitSizes(_ context: NodeContext, dimension: Int) throws -> [Int] {
        let node = context.node
        let outputCount = node.outputs.count
        var sizes: [Int]?
        if context.opset >= 13 || context.opset == 1 {
            sizes = try context.constantInts(1)
        }
        if sizes == nil && context.opset < 13 {
            sizes = try node.ints("split")
        }
        if let sizes {
            guard sizes.count == outputCount, sizes.allSatisfy({ $0 >= 0 }), try ShapeLimits.sum(sizes, node: node) == dimension else {
                throw context.error("split \(sizes) does not cut a dimension of \(dimension) into \(outputCount) outputs", kind: .shapeMismatch)
            }
            return sizes
        }
        var parts = outputCount
        if context.opset >= 18, let requested = try node.int("num_outputs") {
            guard requested == outputCount else {
                throw context.error("num_outputs \(requested) but the node has \(outputCount) outputs", attribute: "num_outputs")
            }
            parts = requested
        }
        guard parts > 0 else { throw context.error("Split needs at least one output") }
        if dimension % parts == 0 { return [Int](repeating: dimension / parts, count: parts) }
        // Opset 18: chunks of ceil(d / n), the last one smaller.
        guard context.opset >= 18 else {
            throw context.error("cannot split a dimension of \(dimension) into \(parts) equal parts", kind: .shapeMismatch)
        }
        let chunk = (dimension + parts - 1) / parts
        let chunks = (0..<parts).map { max(0, min(chunk, dimension - $0 * chunk)) }
        guard chunks.last.map({ $0 > 0 }) ?? false else {
            throw context.error("cannot split a dimension of \(dimension) into \(parts) parts", kind: .shapeMismatch)
        }
        return chunks
    }
}

/// Copies `outer` rows of byte blocks between one big tensor and several pieces: Concat
/// (pieces are the inputs, the output row is the pieces' blocks side by side) or Split
/// (the reverse).
final class BlockCopyKernel: Kernel {
    let outer: Int
    /// Bytes of each piece per outer row.
    let blocks: [Int]
    let concatenating: Bool
    private let rowBytes: Int

    init(outer: Int, blocks: [Int], concatenating: Bool) {
        self.outer = outer
        self.blocks = blocks
        self.concatenating = concatenating
        rowBytes = blocks.reduce(0, +)
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        let whole = concatenating ? outputs[0] : inputs[0]
        guard let whole else { return }
        var offset = 0
        for (j, block) in blocks.enumerated() {
            guard let piece = concatenating ? inputs[j] : outputs[j] else { continue }
            if block > 0 {
                for o in 0..<outer {
                    let wholeRow = whole.storage.bytes + o * rowBytes + offset
                    let pieceRow = piece.storage.bytes + o * block
                    if concatenating {
                        wholeRow.copyMemory(from: pieceRow, byteCount: block)
                    } else {
                        pieceRow.copyMemory(from: wholeRow, byteCount: block)
                    }
                }
            }
            offset += block
        }
    }
}
