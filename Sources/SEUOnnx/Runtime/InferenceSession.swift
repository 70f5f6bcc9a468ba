/// Runs a model on the CPU.
///
/// The session prepares the graph once (function inlining, checks that every operator is
/// supported — one error lists all that are not), then compiles an `ExecutionPlan` for each
/// distinct set of input shapes it sees (any batch size for a symbolic batch dimension).
///
/// ```swift
/// let model = try Model(path: "digits_cnn.onnx")
/// let session = try InferenceSession(model: model)
/// let logits = try session.run([images])[0]
/// ```
public final class InferenceSession {
    public let model: Model
    /// The graph as executed (functions inlined).
    public let graph: Graph
    public let registry: OperatorRegistry
    private var plans: [[ValueType]: ExecutionPlan] = [:]
    /// Set once a graph turned out to need its inputs' values to plan (shape from data).
    private var plansPerRun = false

    public init(model: Model, registry: OperatorRegistry = .standard) throws {
        try BLAS.load()
        self.model = model
        self.registry = registry
        self.graph = try GraphPreparation.prepare(model)
        if let error = registry.unsupportedOperatorsError(nodes: graph.nodes, opsets: model.opsetImports) {
            throw error
        }
    }

    /// The inputs to feed, in order.
    public var inputs: [ValueInfo] { graph.runtimeInputs }
    public var outputs: [ValueInfo] { graph.outputs }

    /// Checks feeds against the declared input types; symbolic dimensions must agree across
    /// inputs (`batch` is the same everywhere).
    public func validate(_ feeds: [Tensor]) throws {
        let declared = inputs
        guard feeds.count == declared.count else {
            throw SEUError(.shapeMismatch, "model has \(declared.count) input(s) (\(declared.map(\.name).joined(separator: ", "))), \(feeds.count) given")
        }
        var symbols: [String: Int] = [:]
        for (index, feed) in feeds.enumerated() {
            try validate(input: index, feed, symbols: &symbols)
        }
    }

    /// Checks one input's type and shape. With `ignoringBatch`, axis 0 is not compared (data
    /// files hold all samples; batches are cut from them).
    public func validate(input index: Int, _ feed: Tensor, ignoringBatch: Bool = false) throws {
        var symbols: [String: Int] = [:]
        try validate(input: index, feed, symbols: &symbols, ignoringBatch: ignoringBatch)
    }

    private func validate(input index: Int, _ feed: Tensor, symbols: inout [String: Int], ignoringBatch: Bool = false) throws {
        let info = inputs[index]
        guard let type = info.type else { return }
        if let expected = type.dataType, expected != feed.dataType {
            throw SEUError(.shapeMismatch, "input '\(info.name)' expects \(expected), got \(feed.dataType)")
        }
        guard let shape = type.shape else { return }
        let declared = "[\(shape.map(\.description).joined(separator: ","))]"
        let mismatch = SEUError(.shapeMismatch, "input '\(info.name)' expects shape \(declared), got \(feed.shape)")
        guard shape.count == feed.rank else { throw mismatch }
        for (axis, (dim, actual)) in zip(shape, feed.shape).enumerated() where !(ignoringBatch && axis == 0) {
            switch dim {
            case .fixed(let n) where n != actual: throw mismatch
            case .symbolic(let name):
                if let bound = symbols[name], bound != actual {
                    throw SEUError(.shapeMismatch, "input '\(info.name)': dimension '\(name)' is \(actual) here but \(bound) in another input")
                }
                symbols[name] = actual
            default: break
            }
        }
    }

    /// The batch size the model fixes on its first input's axis 0, if it is not symbolic.
    public var fixedBatchSize: Int? {
        inputs.first?.type?.shape?.first?.fixedValue
    }

    /// The plan for these input types (built on first use, then cached).
    public func plan(for types: [ValueType]) throws -> ExecutionPlan {
        if let plan = plans[types] { return plan }
        let plan = try ExecutionPlan(graph: graph, opsets: model.opsetImports, registry: registry, inputTypes: types)
        plans[types] = plan
        return plan
    }

    /// A new plan for these input types, not shared with the cache (buffers and kernel scratch
    /// of its own: for a worker evaluating faults beside the cached plan).
    public func makePlan(for types: [ValueType]) throws -> ExecutionPlan {
        try ExecutionPlan(graph: graph, opsets: model.opsetImports, registry: registry, inputTypes: types)
    }

    /// Runs on inputs given in the order of `inputs`; returns copies of the outputs.
    public func run(_ feeds: [Tensor]) throws -> [Tensor] {
        try validate(feeds)
        let types = feeds.map { ValueType($0.dataType, $0.shape) }
        if !plansPerRun {
            do {
                return try plan(for: types).run(feeds).map { $0.copy() }
            } catch is PlanTimeValueRequired {
                plansPerRun = true
            }
        }
        return try planWithValues(feeds).outputs.map { $0.copy() }
    }

    /// Runs with named inputs; returns outputs by name.
    public func run(_ feeds: [String: Tensor]) throws -> [String: Tensor] {
        var ordered: [Tensor] = []
        for info in inputs {
            guard let tensor = feeds[info.name] else {
                throw SEUError(.shapeMismatch, "missing input '\(info.name)'")
            }
            ordered.append(tensor)
        }
        if let unknown = feeds.keys.first(where: { name in !inputs.contains { $0.name == name } }) {
            throw SEUError(.shapeMismatch, "model has no input named '\(unknown)'")
        }
        let results = try run(ordered)
        return Dictionary(zip(outputs.map(\.name), results), uniquingKeysWith: { first, _ in first })
    }

    /// A plan with the inputs' values folded in (for graphs whose shapes depend on data).
    private func planWithValues(_ feeds: [Tensor]) throws -> ExecutionPlan {
        let types = feeds.map { ValueType($0.dataType, $0.shape) }
        do {
            let plan = try ExecutionPlan(graph: graph, opsets: model.opsetImports, registry: registry,
                                         inputTypes: types, inputValues: feeds)
            try plan.runSteps(0..<plan.steps.count)
            return plan
        } catch let request as PlanTimeValueRequired {
            throw SEUError(.invalidNode, "input \(request.input) must be known before running",
                           location: .init(node: request.node))
        }
    }
}
