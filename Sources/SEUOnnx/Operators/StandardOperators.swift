/// The built-in operator families. Each family lives in its own file and registers its
/// operators here; `OperatorRegistry.standard` is built from this list.
enum StandardOperators {
    static func register(in registry: OperatorRegistry) {
        ElementwiseOperators.register(in: registry)
        ConvOperators.register(in: registry)
        ConvTransposeOperators.register(in: registry)
        GemmOperators.register(in: registry)
        PoolingOperators.register(in: registry)
        MaxPoolOperators.register(in: registry)
        ReduceOperators.register(in: registry)
        ArgMaxOperators.register(in: registry)
        MatMulOperators.register(in: registry)
        SoftmaxOperators.register(in: registry)
        BatchNormalizationOperators.register(in: registry)
        NormalizationOperators.register(in: registry)
        LayerNormalizationOperators.register(in: registry)
        ResizeOperators.register(in: registry)
        ShapeOperators.register(in: registry)
    }
}
