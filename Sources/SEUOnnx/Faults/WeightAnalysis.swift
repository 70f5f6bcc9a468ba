/// Which initializers a model uses as weights or biases, and which operators consume each.
///
/// A floating-point initializer is a weight when it reaches, possibly through data-movement
/// or conversion ops (Identity, Cast, Reshape, Transpose, DequantizeLinear, ...), an operator
/// that carries parameters (Conv, Gemm, MatMul, normalisation, recurrent layers, PRelu, an
/// embedding Gather) or an elementwise Add/Sub/Mul/Div as a tensor of more than one element
/// (a bias or scale). Scalars and shape constants are not weights.
///
/// Quantized models: an integer initializer (int8/uint8/int16/uint16, or an int32 bias) fed to
/// DequantizeLinear or to a weight input of QLinearConv, QLinearMatMul, ConvInteger or
/// MatMulInteger is a weight; the scales and zero points of these ops (and of QuantizeLinear)
/// are targets of their own kinds (`SiteKind.scale`, `.zeroPoint`).
public struct WeightAnalysis {
    /// One initializer's uses.
    public struct Usage: Sendable {
        public var name: String
        /// Op types of the nodes that consume it (after following pass-through ops), sorted.
        public var consumers: [String]
        /// Number of distinct consuming nodes (>1: shared).
        public var nodeCount: Int
        public var isWeight: Bool
        /// What the tensor is to the model when it is a default fault-injection target (a
        /// weight or bias, a quantization scale or zero point); nil otherwise.
        public var kind: SiteKind? = nil
    }

    static let parameterOps: Set<String> = [
        "Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization", "InstanceNormalization",
        "LayerNormalization", "GroupNormalization", "LSTM", "GRU", "RNN", "PRelu", "Gather",
        "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "Attention", "Einsum",
    ]
    static let biasOps: Set<String> = ["Add", "Sub", "Mul", "Div"]
    static let passThroughOps: Set<String> = [
        "Identity", "Cast", "CastLike", "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze",
        "DequantizeLinear", "QuantizeLinear", "Expand",
    ]
    /// Integer types a quantized weight is stored in (int32: quantized biases).
    static let quantizedTypes: Set<DataType> = [.int8, .uint8, .int16, .uint16, .int32]

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
            var roles = Set<SiteKind>()
            var frontier = [name], visited = Set<String>()
            while let value = frontier.popLast() {
                guard visited.insert(value).inserted else { continue }
                for index in consumers[value] ?? [] {
                    let node = graph.nodes[index]
                    let quantizationRoles = node.inputs.indices.filter { node.inputs[$0] == value }
                        .compactMap { SiteKind.role(ofInput: $0, opType: node.opType) }
                    roles.formUnion(quantizationRoles)
                    if Self.passThroughOps.contains(node.opType) && node.inputs.first == value {
                        frontier.append(contentsOf: node.outputs.filter { !$0.isEmpty })
                        continue
                    }
                    ops.insert(node.opType)
                    nodes.insert(index)
                    if !quantizationRoles.isEmpty { continue }
                    if Self.parameterOps.contains(node.opType) {
                        // Gather is a weight only as the data (embedding table), not as indices.
                        if node.opType != "Gather" || node.inputs.first == value { isWeight = true }
                    } else if Self.biasOps.contains(node.opType) && tensor.count > 1 {
                        isWeight = true
                    }
                }
            }
            let type = tensor.dataType
            if roles.contains(.weight) { isWeight = true }
            let weight = isWeight && (type.isFloatingPoint || Self.quantizedTypes.contains(type))
            var kind: SiteKind? = weight ? .weight : nil
            if kind == nil && roles.contains(.scale) && type.isFloatingPoint { kind = .scale }
            if kind == nil && roles.contains(.zeroPoint) && Self.quantizedTypes.contains(type) { kind = .zeroPoint }
            usages[name] = Usage(name: name, consumers: ops.sorted(), nodeCount: nodes.count, isWeight: weight, kind: kind)
        }
        self.usages = usages
    }

    /// Every default target with its kind.
    public var siteKinds: [String: SiteKind] {
        var result: [String: SiteKind] = [:]
        for (name, usage) in usages { if let kind = usage.kind { result[name] = kind } }
        return result
    }

    /// Integer initializers read as quantized data (DequantizeLinear's input, QLinearConv's
    /// bias): fault injection may change them, so the planner must not fold their consumers
    /// even when their type (int32, int16) is not injectable by itself.
    static func quantizedDataInputs(_ graph: Graph) -> Set<String> {
        var names = Set<String>()
        for node in graph.nodes {
            for (i, input) in node.inputs.enumerated() where !input.isEmpty && graph.initializers[input] != nil {
                if SiteKind.role(ofInput: i, opType: node.opType) == .weight || (node.opType == "DequantizeLinear" && i == 0) {
                    names.insert(input)
                }
            }
        }
        return names
    }

    /// Names of the weight and bias initializers.
    public var weightNames: Set<String> { Set(usages.values.filter(\.isWeight).map(\.name)) }
}
