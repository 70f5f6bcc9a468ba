/// What an operator builder knows about a node at plan time: the node, its operator set
/// version, the concrete types of its inputs and any input values known before running.
public struct NodeContext {
    public let node: Node
    /// Version of the operator set of the node's domain (e.g. 13 for ai.onnx opset 13).
    public let opset: Int
    /// One entry per declared input; nil when the input is omitted ("").
    public let inputTypes: [ValueType?]
    /// Input values known at plan time (initializers, constants, folded shape arithmetic).
    public let constants: [Tensor?]

    public init(node: Node, opset: Int, inputTypes: [ValueType?], constants: [Tensor?]) {
        self.node = node
        self.opset = opset
        self.inputTypes = inputTypes
        self.constants = constants
    }

    public var inputCount: Int { inputTypes.count }

    /// True when input `i` is present (declared and not "").
    public func hasInput(_ i: Int) -> Bool { i < inputTypes.count && inputTypes[i] != nil }

    /// The type of a required input.
    public func type(_ i: Int) throws -> ValueType {
        guard i < inputTypes.count, let type = inputTypes[i] else {
            throw node.error(.invalidNode, "missing required input \(i)")
        }
        return type
    }

    /// The plan-time value of input `i`, if known.
    public func constant(_ i: Int) -> Tensor? { i < constants.count ? constants[i] : nil }

    /// The plan-time value of input `i`. When it is not known, asks the planner to plan again
    /// with the graph inputs' values (slower, but correct for graphs that compute shapes from
    /// their inputs).
    public func requireConstant(_ i: Int) throws -> Tensor {
        if let value = constant(i) { return value }
        guard hasInput(i) else { throw node.error(.invalidNode, "missing required input \(i)") }
        throw PlanTimeValueRequired(node: node.name, input: i)
    }

    /// Integer values of input `i` (a shape, axes, pads) required at plan time; nil if omitted.
    public func constantInts(_ i: Int) throws -> [Int]? {
        guard hasInput(i) else { return nil }
        return try requireConstant(i).intValues()
    }

    /// An error located at this node.
    public func error(_ message: String, kind: SEUError.Kind = .invalidNode, attribute: String? = nil) -> SEUError {
        node.error(kind, message, attribute: attribute)
    }

    /// Checks that input `i` has one of the allowed element types.
    @discardableResult
    public func expect(_ i: Int, _ allowed: Set<DataType>) throws -> ValueType {
        let type = try self.type(i)
        guard allowed.contains(type.dataType) else {
            throw node.error(.unsupportedDataType,
                             "input \(i) has type \(type.dataType), supported: \(allowed.map(\.name).sorted().joined(separator: ", "))")
        }
        return type
    }
}
