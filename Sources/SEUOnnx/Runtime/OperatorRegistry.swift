/// How to build a kernel for one operator type.
public struct OperatorSpec {
    /// How an operator handles float16 and bfloat16 inputs.
    public enum HalfPrecision {
        /// The planner builds the float32 kernel, converts 16-bit inputs to float32 before it
        /// runs and rounds its float32 outputs to the 16-bit type (nearest, ties to even).
        /// Results therefore follow the model's declared types, op by op.
        case viaFloat32
        /// The kernel handles 16-bit types itself (data movement, Cast, Shape, ...).
        case native
    }

    public let opType: String
    /// "" for the default ONNX domain.
    public let domain: String
    /// Oldest operator-set version this implementation handles.
    public let sinceVersion: Int
    public let halfPrecision: HalfPrecision
    public let build: (NodeContext) throws -> KernelBuild

    public init(_ opType: String, domain: String = "", since sinceVersion: Int = 1,
                halfPrecision: HalfPrecision = .viaFloat32,
                build: @escaping (NodeContext) throws -> KernelBuild) {
        self.opType = opType
        self.domain = domain
        self.sinceVersion = sinceVersion
        self.halfPrecision = halfPrecision
        self.build = build
    }
}

/// Operator implementations by (domain, op type). Operator families register themselves in
/// `StandardOperators`; a caller may register more (custom ops) in its own registry.
public final class OperatorRegistry: @unchecked Sendable {
    private var specs: [String: OperatorSpec] = [:]

    public init() {}

    /// The built-in operators.
    public static let standard: OperatorRegistry = {
        let registry = OperatorRegistry()
        StandardOperators.register(in: registry)
        return registry
    }()

    public func register(_ spec: OperatorSpec) {
        specs[Self.key(spec.domain, spec.opType)] = spec
    }

    public func spec(opType: String, domain: String) -> OperatorSpec? {
        specs[Self.key(domain, opType)]
    }

    /// All registered op types, sorted (domain-qualified outside ai.onnx).
    public var operatorNames: [String] {
        specs.values.map { $0.domain.isEmpty ? $0.opType : "\($0.domain).\($0.opType)" }.sorted()
    }

    /// Nodes whose operator (at the model's opset) has no implementation, as one error
    /// listing every distinct operator, or nil when all are supported.
    public func unsupportedOperatorsError(nodes: [Node], opsets: [String: Int]) -> SEUError? {
        var missing: [String] = []
        var seen = Set<String>()
        for node in nodes {
            let version = opsets[node.domain] ?? 1
            let supported = spec(opType: node.opType, domain: node.domain).map { version >= $0.sinceVersion } ?? false
            guard !supported else { continue }
            let domain = node.domain.isEmpty ? "ai.onnx" : node.domain
            let label = "\(node.opType) (\(domain) opset \(version))"
            if seen.insert(label).inserted { missing.append(label) }
        }
        guard !missing.isEmpty else { return nil }
        return SEUError(.unsupportedOperator,
                        "model uses \(missing.count) unsupported operator\(missing.count == 1 ? "" : "s"): \(missing.joined(separator: ", "))")
    }

    private static func key(_ domain: String, _ opType: String) -> String {
        (domain == "ai.onnx" ? "" : domain) + "::" + opType
    }
}
