/// Which initializers a model uses as weights or biases, and which operators consume each.
///
/// A floating-point initializer is a weight when it reaches, possibly through data-movement
/// or conversion ops (Identity, Cast, Reshape, Transpose, Slice, Concat, DequantizeLinear,
/// ...), a parameter input of an operator (`InputRole.isParameter`: Conv/Gemm/MatMul weights
/// and biases, normalisation scale/bias/mean/var, recurrent W/R/B, PRelu slopes, an embedding
/// Gather's table) or an elementwise Add/Sub/Mul/Div as a tensor of more than one element
/// (a bias or scale). Scalars, shape constants, Gather indices and the initial states of
/// recurrent layers are not weights. Each use is recorded with the consuming op and the
/// input's role, so `seu-onnx info` can say "LSTM (R)" and report shared initializers.
///
/// Quantized models: an integer initializer (int8/uint8/int16/uint16, or an int32 bias) fed to
/// DequantizeLinear or to a weight input of QLinearConv, QLinearMatMul, ConvInteger or
/// MatMulInteger is a weight; the scales and zero points of these ops (and of QuantizeLinear)
/// are targets of their own kinds (`SiteKind.scale`, `.zeroPoint`).
public struct WeightAnalysis {
    /// One reading of an initializer by a node, after following pass-through ops.
    public struct Use: Sendable, Hashable {
        /// Index of the consuming node in `graph.nodes`.
        public var node: Int
        public var opType: String
        /// The input's role (`InputRole`): "weight", "bias", "R", "scale"...; nil for
        /// operators without named parameters.
        public var role: String?
        /// Pass-through ops between the initializer and the node, in order (Identity, which
        /// the legacy exporter inserts to re-share deduplicated initializers, is left out).
        public var via: [String]

        /// "Conv (weight)", "MatMul (weight via Transpose)", "Relu".
        public var description: String {
            let path = via.isEmpty ? "" : "via " + via.joined(separator: ", ")
            let detail = [role ?? "", path].filter { !$0.isEmpty }.joined(separator: " ")
            return detail.isEmpty ? opType : "\(opType) (\(detail))"
        }
    }

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
        /// Every reading, in node order.
        public var uses: [Use] = []

        /// The uses for people: equal descriptions merged with a count, in node order
        /// ("LayerNormalization (scale) ×4, Gemm (bias)").
        public var usesDescription: String {
            var order: [String] = [], counts: [String: Int] = [:]
            for use in uses {
                let text = use.description
                if counts[text] == nil { order.append(text) }
                counts[text, default: 0] += 1
            }
            return order.map { counts[$0, default: 1] > 1 ? "\($0) ×\(counts[$0, default: 1])" : $0 }
                .joined(separator: ", ")
        }
    }

    /// Ops that move or convert their first input without computing with it: an initializer
    /// reaching a parameter op through them is still that op's parameter.
    static let passThroughOps: Set<String> = [
        "Identity", "Cast", "CastLike", "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze",
        "DequantizeLinear", "QuantizeLinear", "Expand", "Slice", "Split", "Tile", "Pad",
    ]
    /// Pass-through ops whose every input is data (ViT's class token reaches its Add through
    /// Expand and Concat).
    static let concatenations: Set<String> = ["Concat"]
    /// Integer types a quantized weight is stored in (int32: quantized biases).
    static let quantizedTypes: Set<DataType> = [.int8, .uint8, .int16, .uint16, .int32]

    public let usages: [String: Usage]

    public init(graph: Graph) {
        var consumers: [String: [Int]] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in Set(node.inputs) where !input.isEmpty { consumers[input, default: []].append(index) }
        }
        var usages: [String: Usage] = [:]
        for name in graph.initializerNames {
            guard let tensor = graph.initializers[name] else { continue }
            var uses: [Use] = []
            var isWeight = false
            var roles = Set<SiteKind>()
            var frontier: [(value: String, via: [String])] = [(name, [])], visited = Set<String>()
            while let (value, via) = frontier.popLast() {
                guard visited.insert(value).inserted else { continue }
                for index in consumers[value] ?? [] {
                    let node = graph.nodes[index]
                    let positions = node.inputs.indices.filter { node.inputs[$0] == value }
                    let quantizationRoles = positions.compactMap { SiteKind.role(ofInput: $0, opType: node.opType) }
                    roles.formUnion(quantizationRoles)
                    if (Self.passThroughOps.contains(node.opType) && positions.contains(0))
                        || Self.concatenations.contains(node.opType) {
                        let step = node.opType == "Identity" ? via : via + [node.opType]
                        frontier.append(contentsOf: node.outputs.filter { !$0.isEmpty }.map { ($0, step) })
                        continue
                    }
                    for position in positions {
                        uses.append(Use(node: index, opType: node.opType,
                                        role: InputRole.name(ofInput: position, opType: node.opType), via: via))
                    }
                    if !quantizationRoles.isEmpty { continue }
                    let parameter = positions.contains { InputRole.isParameter(input: $0, opType: node.opType) }
                    if parameter && (!InputRole.isElementwise(node.opType) || tensor.count > 1) { isWeight = true }
                }
            }
            uses.sort { ($0.node, $0.role ?? "") < ($1.node, $1.role ?? "") }
            let type = tensor.dataType
            if roles.contains(.weight) { isWeight = true }
            let weight = isWeight && (type.isFloatingPoint || Self.quantizedTypes.contains(type))
            var kind: SiteKind? = weight ? .weight : nil
            if kind == nil && roles.contains(.scale) && type.isFloatingPoint { kind = .scale }
            if kind == nil && roles.contains(.zeroPoint) && Self.quantizedTypes.contains(type) { kind = .zeroPoint }
            usages[name] = Usage(name: name, consumers: Set(uses.map(\.opType)).sorted(),
                                 nodeCount: Set(uses.map(\.node)).count, isWeight: weight, kind: kind, uses: uses)
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
