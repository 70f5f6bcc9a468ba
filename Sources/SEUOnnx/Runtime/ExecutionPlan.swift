/// A graph compiled for concrete input types: kernels built, shapes known, every intermediate
/// buffer allocated, plan-time constants folded.
///
/// Pipeline (as in tract): load → check types and shapes → fold constants → plan → run.
///
/// Folding rule: a node whose inputs are all known before running is evaluated once, at plan
/// time — *unless* one of its inputs derives from an initializer that fault injection may
/// change (floating-point and 8-bit integer initializers). Those nodes stay in the plan so a
/// flipped bit always propagates. Shape arithmetic (Shape → Gather → Concat → Reshape) folds.
///
/// Buffers are owned by the plan and reused by every run: the tensors `run` returns are
/// overwritten by the next run (copy them to keep them). A plan is not thread-safe.
///
/// `PlanOptimizer` then fuses Conv/Gemm + Relu and turns pure reshapes into views, so the
/// pre-ReLU value of a fused Conv is not kept.
public final class ExecutionPlan {
    /// One kernel invocation.
    public struct Step {
        /// Index of the node in `graph.nodes`.
        public let nodeIndex: Int
        public let node: Node
        public let kernel: Kernel
        /// Value slots read (nil for omitted inputs) and written.
        public let inputSlots: [Int?]
        public let outputSlots: [Int]
        /// The tensors themselves, resolved once so that running allocates nothing.
        public internal(set) var inputs: [Tensor?]
        public internal(set) var outputs: [Tensor]
    }

    public let graph: Graph
    /// Kernel invocations in execution order.
    public internal(set) var steps: [Step]
    /// Names of the value slots; `values[i]` is the tensor for slot `i`.
    public let slotNames: [String]
    public let slotIndex: [String: Int]
    /// Current tensor of every slot: initializers (shared with the model), plan-time constants,
    /// graph-input buffers and intermediate buffers.
    public internal(set) var values: [Tensor]
    /// Slots of the runtime graph inputs (order of `graph.runtimeInputs`) and of the outputs.
    public let inputSlots: [Int]
    public let outputSlots: [Int]
    /// Slots whose values were folded at plan time.
    public let constantSlots: Set<Int>
    /// The input types this plan was built for.
    public let inputTypes: [ValueType]
    /// Slots whose buffer is a view of another slot's (reshapes without a copy): slot → source.
    let aliases: [Int: Int]

    /// Builds a plan. With `inputValues`, the graph inputs are treated as known constants
    /// (everything folds; used when shapes depend on input values).
    public init(graph: Graph, opsets: [String: Int], registry: OperatorRegistry = .standard,
                inputTypes: [ValueType], inputValues: [Tensor]? = nil) throws {
        let runtimeInputs = graph.runtimeInputs
        guard inputTypes.count == runtimeInputs.count else {
            throw SEUError(.shapeMismatch, "graph has \(runtimeInputs.count) inputs, \(inputTypes.count) given")
        }
        var builder = PlanBuilder(graph: graph, registry: registry, opsets: opsets, eager: inputValues != nil)
        for name in graph.initializerNames {
            guard let tensor = graph.initializers[name] else { continue }
            builder.defineInitializer(name, tensor)
        }
        var inputSlots: [Int] = []
        for (i, info) in runtimeInputs.enumerated() {
            inputSlots.append(builder.defineInput(info.name, type: inputTypes[i], value: inputValues?[i]))
        }
        for nodeIndex in try PlanBuilder.topologicalOrder(graph) {
            try builder.add(nodeIndex: nodeIndex)
        }
        var outputSlots: [Int] = []
        for output in graph.outputs {
            guard let slot = builder.slotIndex[output.name], builder.values[slot] != nil else {
                throw SEUError(.invalidModel, "graph output '\(output.name)' is not produced by any node")
            }
            outputSlots.append(slot)
        }
        var values = builder.values
        let optimized = PlanOptimizer.optimize(builder.steps, values: &values, kept: Set(outputSlots),
                                               constants: builder.constantSlots)
        self.graph = graph
        self.slotNames = builder.slotNames
        self.slotIndex = builder.slotIndex
        self.values = values.map { $0 ?? Tensor(dataType: .float, shape: [0]) }
        self.inputSlots = inputSlots
        self.outputSlots = outputSlots
        self.constantSlots = builder.constantSlots
        self.inputTypes = inputTypes
        self.steps = optimized.steps
        self.aliases = optimized.aliases
    }

    /// The tensor currently held by a named value.
    public func value(named name: String) -> Tensor? { slotIndex[name].map { values[$0] } }

    /// Runs the graph. `feeds` are in the order of `graph.runtimeInputs` and must have the
    /// planned types. Returns the output tensors, which live in the plan's buffers.
    @discardableResult
    public func run(_ feeds: [Tensor]) throws -> [Tensor] {
        guard feeds.count == inputSlots.count else {
            throw SEUError(.shapeMismatch, "expected \(inputSlots.count) inputs, got \(feeds.count)")
        }
        for (i, feed) in feeds.enumerated() {
            let buffer = values[inputSlots[i]]
            guard feed.dataType == buffer.dataType, feed.shape == buffer.shape else {
                throw SEUError(.shapeMismatch, "input '\(slotNames[inputSlots[i]])' was planned as \(ValueType(buffer.dataType, buffer.shape)), got \(ValueType(feed.dataType, feed.shape))")
            }
            buffer.assign(from: feed)
        }
        try runSteps(0..<steps.count)
        return outputs
    }

    /// Runs a range of steps on the current buffers (for engines that re-run part of a graph).
    public func runSteps(_ range: Range<Int>) throws {
        for index in range {
            let step = steps[index]
            do {
                try step.kernel.run(inputs: step.inputs, outputs: step.outputs)
            } catch let error as SEUError {
                throw error.located(node: step.node.name, opType: step.node.opType)
            }
        }
    }

    /// The current output tensors (plan buffers).
    public var outputs: [Tensor] { outputSlots.map { values[$0] } }
}
