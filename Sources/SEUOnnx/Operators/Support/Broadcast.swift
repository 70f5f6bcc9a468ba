/// NumPy-style (multidirectional) broadcasting, as ONNX defines it for elementwise operators.
public enum Broadcast {
    /// The broadcast shape of several shapes, or nil when they are incompatible.
    public static func shape(_ shapes: [[Int]]) -> [Int]? {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int](repeating: 1, count: rank)
        for shape in shapes {
            let offset = rank - shape.count
            for (axis, dim) in shape.enumerated() {
                let current = result[offset + axis]
                if current == dim || dim == 1 { continue }
                if current == 1 { result[offset + axis] = dim } else { return nil }
            }
        }
        return result
    }

    /// Element strides of an input of `shape` when indexed by an output of `outputShape`
    /// (0 along broadcast axes).
    public static func strides(of shape: [Int], in outputShape: [Int]) -> [Int] {
        let rank = outputShape.count
        var strides = [Int](repeating: 0, count: rank)
        var acc = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            let outAxis = rank - shape.count + axis
            strides[outAxis] = shape[axis] == 1 ? 0 : acc
            acc *= shape[axis]
        }
        return strides
    }

    /// A precomputed iteration of an output shape over several broadcast inputs: the output
    /// is walked in rows of `innerCount` contiguous elements; `rowOffsets[row][i]` is input
    /// `i`'s element offset at the start of a row and `innerStrides[i]` its step within a row.
    public struct Walk {
        public let outputCount: Int
        public let innerCount: Int
        public let innerStrides: [Int]
        public let rowOffsets: [[Int]]

        public init(outputShape: [Int], inputShapes: [[Int]]) {
            outputCount = Tensor.elementCount(outputShape)
            // Drop size-1 axes, then merge adjacent axes that are contiguous for every input.
            var dims: [Int] = []
            var strides: [[Int]] = inputShapes.map { _ in [] }
            let full = inputShapes.map { Broadcast.strides(of: $0, in: outputShape) }
            for axis in outputShape.indices where outputShape[axis] != 1 {
                if let last = dims.indices.last,
                   full.indices.allSatisfy({ strides[$0][last] == full[$0][axis] * outputShape[axis] }) {
                    dims[last] *= outputShape[axis]
                    for i in full.indices { strides[i][last] = full[i][axis] }
                } else {
                    dims.append(outputShape[axis])
                    for i in full.indices { strides[i].append(full[i][axis]) }
                }
            }
            guard let innerAxis = dims.indices.last else {
                innerCount = 1
                innerStrides = inputShapes.map { _ in 0 }
                rowOffsets = outputCount == 0 ? [] : [inputShapes.map { _ in 0 }]
                return
            }
            innerCount = dims[innerAxis]
            innerStrides = strides.map { $0[innerAxis] }
            let outer = Array(dims[..<innerAxis])
            let rows = outer.reduce(1, *)
            var offsets: [[Int]] = []
            offsets.reserveCapacity(rows)
            var index = [Int](repeating: 0, count: outer.count)
            for _ in 0..<(outputCount == 0 ? 0 : rows) {
                offsets.append(strides.map { s in
                    var offset = 0
                    for a in outer.indices { offset += index[a] * s[a] }
                    return offset
                })
                var a = outer.count - 1
                while a >= 0 {
                    index[a] += 1
                    if index[a] < outer[a] { break }
                    index[a] = 0
                    a -= 1
                }
            }
            rowOffsets = offsets
        }
    }
}
