/// Transpose: output axis `a` is input axis `perm[a]` (default: the axes reversed). Moves
/// bytes of any element type through an `AxisMap`.
enum TransposeOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Transpose", halfPrecision: .native) { context in
            let x = try context.type(0)
            let perm = try context.node.ints("perm") ?? Array((0..<x.rank).reversed())
            guard perm.count == x.rank, Set(perm) == Set(0..<x.rank) else {
                throw context.error("perm \(perm) is not a permutation of the \(x.rank) input axes", attribute: "perm")
            }
            let strides = AxisMap.strides(x.shape)
            let shape = perm.map { x.shape[$0] }
            let tables = perm.map { axis in (0..<x.shape[axis]).map { $0 * strides[axis] } }
            let kernel = AxisMapKernel(map: AxisMap(outputShape: shape, tables: tables), dataType: x.dataType)
            return KernelBuild(kernel: kernel, outputType: ValueType(x.dataType, shape))
        })
    }
}
