/// Expand (broadcast to a shape) and Tile (repeat along axes): output shapes come from
/// plan-time constants, data is moved through an `AxisMap` (any element type).
enum ExpandTileOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Expand", since: 8, halfPrecision: .native) { context in
            let x = try context.type(0)
            guard let target = try context.constantInts(1) else { throw context.error("Expand needs a shape input") }
            // Bidirectional broadcasting, aligned on the last axis.
            let rank = max(x.rank, target.count)
            let xShape = [Int](repeating: 1, count: rank - x.rank) + x.shape
            let tShape = [Int](repeating: 1, count: rank - target.count) + target
            var shape: [Int] = []
            for (a, b) in zip(xShape, tShape) {
                guard a == b || a == 1 || b == 1, b >= 0 else {
                    throw context.error("cannot expand \(x.shape) to \(target)", kind: .shapeMismatch)
                }
                shape.append(a == 1 ? b : a)
            }
            try ShapeLimits.check(shape, x.dataType, node: context.node)
            let strides = AxisMap.strides(xShape)
            let tables = shape.indices.map { axis in
                (0..<shape[axis]).map { xShape[axis] == 1 ? 0 : $0 * strides[axis] }
            }
            let kernel = AxisMapKernel(map: AxisMap(outputShape: shape, tables: tables), dataType: x.dataType)
            return KernelBuild(kernel: kernel, outputType: ValueType(x.dataType, shape))
        })
        registry.register(OperatorSpec("Tile", halfPrecision: .native) { context in
            let x = try context.type(0)
            var repeats: [Int]
            if context.opset >= 6 {
                guard let r = try context.constantInts(1) else { throw context.error("Tile needs a repeats input") }
                repeats = r
            } else {
                // Tile-1: a scalar count of tiles along one axis.
                guard let tiles = try context.constantInts(1)?.first, let rawAxis = try context.constantInts(2)?.first else {
                    throw context.error("Tile-1 needs tiles and axis inputs")
                }
                let axis = try ShapeAxes.normalize(rawAxis, rank: x.rank, node: context.node)
                repeats = [Int](repeating: 1, count: x.rank)
                repeats[axis] = tiles
            }
            guard repeats.count == x.rank, repeats.allSatisfy({ $0 >= 0 }) else {
                throw context.error("repeats \(repeats) must be \(x.rank) non-negative values", kind: .shapeMismatch)
            }
            let strides = AxisMap.strides(x.shape)
            var shape: [Int] = []
            for (d, r) in zip(x.shape, repeats) {
                let (size, overflow) = d.multipliedReportingOverflow(by: r)
                guard !overflow else { throw context.error("repeats \(repeats) overflow", kind: .shapeMismatch) }
                shape.append(size)
            }
            try ShapeLimits.check(shape, x.dataType, node: context.node)
            let tables = shape.indices.map { axis in
                (0..<shape[axis]).map { ($0 % x.shape[axis]) * strides[axis] }
            }
            let kernel = AxisMapKernel(map: AxisMap(outputShape: shape, tables: tables), dataType: x.dataType)
            return KernelBuild(kernel: kernel, outputType: ValueType(x.dataType, shape))
        })
    }
}
