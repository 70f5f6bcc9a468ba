/// Which initializers a model uses as weights or biases, and which operators consume each.
///
/// A floating-point initializer is a weight when it reaches, possibly through data-movement
/// or conversion ops (Identity, Cast, Reshape, Transpose, DequantizeLinear, ...), an operator
/// that carries parameters (Conv, Gemm, MatMul, normalisation, recurrent layers, PRelu, an
/// embedding Gather) or an elementwise Add/Sub/Mul/Div as a tensor of more than one element
/// (a bias or scale). Scalars and shape constants are not weights.
public struct WeightAnalysis {
    /// One initializer's uses.
    public struct Usage: Sendable {
        public var name: String
        /// Op types of the nodes that consume it (after following pass-through ops), sorted.
        public var consumers: [String]
        /// Number of distinct consuming nodes (>1: shared).
        public var nodeCount: Int
        public var isWeight: Bool
    }

    static let parameterOps: Set<String> = [
        "Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization", "InstanceNormalization",
        "LayerNormalization", "GroupNormalization", "LSTM", "GRU", "RNN", "PRelu", "Gather",
        "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "Attention", "Einsum",
    ]
    static let biasOps: Set<String> = ["Add", "Sub", "Mul", "Div"]
    static let passThroughOps: Set<String> = [
        "Identity", "Cast", "CastLike", "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze",
        "DequantizeLinear", "Expand",
    ]

    public let usages: [String: Usage]

    public init(graph: Graph) {
        var consumers: [String: [Int]] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs where !input.isEmpty { consumers[input, default: []].append(index) }
        }
        var usages: [String: Usage] = [:]
        for name in graph.initializerNames {
            guard let tensor = graph.initializers[name] else { continue }
            var ops = Set<String>()
            var nodes = Set<Int>()
            var isWeight = false
            var frontier = [name], visited = Set<String>()
            while let value = frontier.popLast() {
                guard visited.insert(value).inserted else { continue }
                for index in consumers[value] ?? [] {
                    let node = graph.nodes[index]
                    if Self.passThroughOps.contains(node.opType) && node.inputs.first == value {
                        frontier.append(contentsOf: node.outputs.filter { !$0.isEmpty })
                        continue
                    }
                    ops.insert(node.opType)
                    nodes.insert(index)
                    if Self.parameterOps.contains(node.opType) {
                        // Gather is a weight only as the data (embedding table), not as indices.
                        if node.opType != "Gather" || node.inputs.first == value { isWeight = true }
                    } else if Self.biasOps.contains(node.opType) && tensor.count > 1 {
                        isWeight = true
                    }
                }
            }
            usages[name] = Usage(name: name, consumers: ops.sorted(), nodeCount: nodes.count,
                                 isWeight: isWeight && tensor.dataType.isFloatingPoint)
        }
        self.usages = usages
    }

    /// Names of the weight and bias initializers.
    public var weightNames: Set<String> { Set(usages.values.filter(\.isWeight).map(\.name)) }
}
