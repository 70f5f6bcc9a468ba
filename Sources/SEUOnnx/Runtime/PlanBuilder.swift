/// The mutable state of `ExecutionPlan.init`: value slots, known types and constants, and the
/// steps built so far.
struct PlanBuilder {
    let graph: Graph
    let registry: OperatorRegistry
    let opsets: [String: Int]
    /// Plan with the graph inputs' values known (everything folds).
    let eager: Bool

    var slotNames: [String] = []
    var slotIndex: [String: Int] = [:]
    var types: [ValueType?] = []
    var values: [Tensor?] = []
    var constantSlots = Set<Int>()
    /// Slots whose value depends on an initializer that fault injection may change.
    var injectable = Set<Int>()
    var steps: [ExecutionPlan.Step] = []
    /// Integer initializers read as quantized data (int32 biases, int16 weights): injectable
    /// although their type alone is not.
    let quantizedData: Set<String>

    init(graph: Graph, registry: OperatorRegistry, opsets: [String: Int], eager: Bool) {
        self.graph = graph
        self.registry = registry
        self.opsets = opsets
        self.eager = eager
        quantizedData = WeightAnalysis.quantizedDataInputs(graph)
    }

    /// Initializers a fault campaign may change: floating-point and 8-bit integer data.
    static func isInjectable(_ tensor: Tensor) -> Bool {
        tensor.dataType.isFloatingPoint || tensor.dataType == .int8 || tensor.dataType == .uint8
    }

    mutating func slot(_ name: String) -> Int {
        if let index = slotIndex[name] { return index }
        let index = slotNames.count
        slotNames.append(name)
        slotIndex[name] = index
        types.append(nil)
        values.append(nil)
        return index
    }

    mutating func defineInitializer(_ name: String, _ tensor: Tensor) {
        let index = slot(name)
        types[index] = ValueType(tensor.dataType, tensor.shape)
        values[index] = tensor
        constantSlots.insert(index)
        if Self.isInjectable(tensor) || quantizedData.contains(name) { injectable.insert(index) }
    }

    mutating func defineInput(_ name: String, type: ValueType, value: Tensor?) -> Int {
        let index = slot(name)
        // A graph input shadows an initializer of the same name (older IR default values).
        constantSlots.remove(index)
        injectable.remove(index)
        types[index] = type
        values[index] = Tensor(dataType: type.dataType, shape: type.shape)
        if let value {
            values[index]?.assign(from: value)
            constantSlots.insert(index)
        }
        return index
    }

    mutating func add(nodeIndex: Int) throws {
        let node = graph.nodes[nodeIndex]
        let opset = opsets[node.domain] ?? 1
        guard let spec = registry.spec(opType: node.opType, domain: node.domain), opset >= spec.sinceVersion else {
            throw node.error(.unsupportedOperator, "operator \(node.opType) (opset \(opset)) is not supported")
        }
        var inputSlots: [Int?] = []
        for name in node.inputs {
            if name.isEmpty { inputSlots.append(nil); continue }
            guard let index = slotIndex[name], types[index] != nil else {
                throw node.error(.invalidModel, "reads '\(name)', which no node, input or initializer produces")
            }
            inputSlots.append(index)
        }
        let context = NodeContext(
            node: node, opset: opset,
            inputTypes: inputSlots.map { $0.flatMap { types[$0] } },
            constants: inputSlots.map { slot in slot.flatMap { constantSlots.contains($0) ? values[$0] : nil } })
        let build: KernelBuild
        do {
            if spec.halfPrecision == .viaFloat32, HalfPrecisionAdapter.appliesTo(context) {
                build = try HalfPrecisionAdapter.build(spec, context)
            } else {
                build = try spec.build(context)
            }
        } catch let error as SEUError {
            throw error.located(node: node.name, opType: node.opType)
        }
        var outputSlots: [Int] = []
        for j in 0..<build.outputTypes.count {
            let name = j < node.outputs.count && !node.outputs[j].isEmpty ? node.outputs[j] : "\(node.name):unused\(j)"
            let index = slot(name)
            types[index] = build.outputTypes[j]
            outputSlots.append(index)
        }
        if let constants = build.constantOutputs {
            for (j, index) in outputSlots.enumerated() {
                values[index] = constants[j]
                constantSlots.insert(index)
            }
            return
        }
        guard let kernel = build.kernel else {
            throw node.error(.invalidNode, "operator built neither a kernel nor constant outputs")
        }
        let outputs = build.outputTypes.map { Tensor(dataType: $0.dataType, shape: $0.shape) }
        for (j, index) in outputSlots.enumerated() { values[index] = outputs[j] }
        let inputs = inputSlots.map { slot in slot.flatMap { values[$0] } }
        let allConstant = inputSlots.allSatisfy { $0.map { constantSlots.contains($0) } ?? true }
        let dependsOnWeights = inputSlots.contains { $0.map { injectable.contains($0) } ?? false }
        if allConstant && (eager || !dependsOnWeights) {
            do {
                try kernel.run(inputs: inputs, outputs: outputs)
            } catch let error as SEUError {
                throw error.located(node: node.name, opType: node.opType)
            }
            constantSlots.formUnion(outputSlots)
            return
        }
        if dependsOnWeights { injectable.formUnion(outputSlots) }
        steps.append(ExecutionPlan.Step(nodeIndex: nodeIndex, node: node, kernel: kernel,
                                        inputSlots: inputSlots, outputSlots: outputSlots,
                                        inputs: inputs, outputs: outputs))
    }

    /// Node indices in an order where every value is produced before it is read (the file's
    /// order when it already is one, as ONNX requires).
    static func topologicalOrder(_ graph: Graph) throws -> [Int] {
        var available = Set(graph.initializerNames)
        for input in graph.inputs { available.insert(input.name) }
        var order: [Int] = []
        order.reserveCapacity(graph.nodes.count)
        var pending = Array(graph.nodes.indices)
        while !pending.isEmpty {
            var next: [Int] = []
            for index in pending {
                let node = graph.nodes[index]
                if node.inputs.allSatisfy({ $0.isEmpty || available.contains($0) }) {
                    order.append(index)
                    for output in node.outputs where !output.isEmpty { available.insert(output) }
                } else {
                    next.append(index)
                }
            }
            if next.count == pending.count {
                let node = graph.nodes[next[0]]
                let missing = node.inputs.first { !$0.isEmpty && !available.contains($0) } ?? "?"
                throw node.error(.invalidModel, "reads '\(missing)', which no node, input or initializer produces (or the graph has a cycle)")
            }
            pending = next
        }
        return order
    }
}
