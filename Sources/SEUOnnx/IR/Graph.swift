/// A computation graph: nodes in topological order, typed inputs and outputs, and
/// initializers (named constant tensors, the weights fault injection targets).
public struct Graph: @unchecked Sendable {
    public var name: String
    public var nodes: [Node]
    /// Graph inputs as declared. Older IR versions also list initializers here; those have a
    /// default value and need not be fed (see `runtimeInputs`).
    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]
    /// Type annotations of intermediate values (the dynamo exporter writes one per value).
    public var valueInfo: [ValueInfo]
    /// Initializer names in file order.
    public var initializerNames: [String]
    /// Initializer values by name. Storage is shared: flipping a bit in one of these tensors is
    /// visible to every session running this graph.
    public var initializers: [String: Tensor]
    /// Where each initializer is stored in the file.
    public var initializerSources: [String: TensorSource]

    public init(name: String = "", nodes: [Node] = [], inputs: [ValueInfo] = [],
                outputs: [ValueInfo] = [], valueInfo: [ValueInfo] = [],
                initializers: [(String, Tensor)] = [], sources: [String: TensorSource] = [:]) {
        self.name = name
        self.nodes = nodes
        self.inputs = inputs
        self.outputs = outputs
        self.valueInfo = valueInfo
        self.initializerNames = initializers.map(\.0)
        self.initializers = Dictionary(initializers, uniquingKeysWith: { _, last in last })
        self.initializerSources = sources
    }

    /// The inputs a caller must feed: declared inputs that are not initializers.
    public var runtimeInputs: [ValueInfo] { inputs.filter { initializers[$0.name] == nil } }

    /// The initializer with this name, if any.
    public func initializer(named name: String) -> Tensor? { initializers[name] }

    /// Nodes that read each value, by value name (node indices in graph order).
    public func consumers() -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for (index, node) in nodes.enumerated() {
            for input in node.inputs where !input.isEmpty {
                if result[input]?.last != index { result[input, default: []].append(index) }
            }
        }
        return result
    }

    /// Operator histogram: op type (with domain prefix outside ai.onnx) → node count.
    public func operatorCounts() -> [String: Int] {
        var counts: [String: Int] = [:]
        for node in nodes {
            counts[node.domain.isEmpty ? node.opType : "\(node.domain).\(node.opType)", default: 0] += 1
        }
        return counts
    }
}
