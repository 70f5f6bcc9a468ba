/// The built-in operator families. Each family lives in its own file and registers its
/// operators here; `OperatorRegistry.standard` is built from this list.
enum StandardOperators {
    static func register(in registry: OperatorRegistry) {
        ArithmeticOperators.register(in: registry)
        PowOperators.register(in: registry)
        VariadicOperators.register(in: registry)
        ActivationOperators.register(in: registry)
        UnaryMathOperators.register(in: registry)
        ClipOperators.register(in: registry)
        LogicalOperators.register(in: registry)
        CastOperators.register(in: registry)
        DropoutOperators.register(in: registry)
        ConvOperators.register(in: registry)
        GemmOperators.register(in: registry)
        PoolingOperators.register(in: registry)
        ReduceOperators.register(in: registry)
        ShapeOperators.register(in: registry)
        TransposeOperators.register(in: registry)
        ConcatSplitOperators.register(in: registry)
        SliceOperators.register(in: registry)
        GatherOperators.register(in: registry)
        ExpandTileOperators.register(in: registry)
        PadOperators.register(in: registry)
        GeneratorOperators.register(in: registry)
        RecurrentOperators.register(in: registry)
        QuantizationOperators.register(in: registry)
        QLinearConvOperators.register(in: registry)
        QLinearMatMulOperators.register(in: registry)
    }
}
