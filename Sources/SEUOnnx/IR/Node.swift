/// One operator application in a graph.
public struct Node: @unchecked Sendable {
    /// The node's name; importers give unnamed nodes a stable name (`OpType_<index>`).
    public var name: String
    public var opType: String
    /// Operator set domain; "" is the default ONNX domain (also written `ai.onnx`).
    public var domain: String
    /// Input value names in order; "" marks an omitted optional input.
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [String: AttributeValue]

    public init(name: String, opType: String, domain: String = "", inputs: [String],
                outputs: [String], attributes: [String: AttributeValue] = [:]) {
        self.name = name
        self.opType = opType
        self.domain = domain == "ai.onnx" ? "" : domain
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// An error located at this node.
    public func error(_ kind: SEUError.Kind = .invalidNode, _ message: String,
                      attribute: String? = nil) -> SEUError {
        SEUError(kind, message, location: .init(node: name, opType: opType, attribute: attribute))
    }

    // MARK: Typed attribute access

    public func hasAttribute(_ name: String) -> Bool { attributes[name] != nil }

    public func int(_ name: String) throws -> Int? {
        switch attributes[name] {
        case nil: return nil
        case .int(let v)?: return v
        case let other?: throw wrongType(name, expected: "int", got: other)
        }
    }

    public func int(_ name: String, default value: Int) throws -> Int { try int(name) ?? value }

    public func float(_ name: String) throws -> Float? {
        switch attributes[name] {
        case nil: return nil
        case .float(let v)?: return v
        case .int(let v)?: return Float(v)
        case let other?: throw wrongType(name, expected: "float", got: other)
        }
    }

    public func float(_ name: String, default value: Float) throws -> Float { try float(name) ?? value }

    public func string(_ name: String) throws -> String? {
        switch attributes[name] {
        case nil: return nil
        case .string(let v)?: return v
        case let other?: throw wrongType(name, expected: "string", got: other)
        }
    }

    public func string(_ name: String, default value: String) throws -> String { try string(name) ?? value }

    public func ints(_ name: String) throws -> [Int]? {
        switch attributes[name] {
        case nil: return nil
        case .ints(let v)?: return v
        case .int(let v)?: return [v]
        case let other?: throw wrongType(name, expected: "ints", got: other)
        }
    }

    public func floats(_ name: String) throws -> [Float]? {
        switch attributes[name] {
        case nil: return nil
        case .floats(let v)?: return v
        case .float(let v)?: return [v]
        case let other?: throw wrongType(name, expected: "floats", got: other)
        }
    }

    public func strings(_ name: String) throws -> [String]? {
        switch attributes[name] {
        case nil: return nil
        case .strings(let v)?: return v
        case .string(let v)?: return [v]
        case let other?: throw wrongType(name, expected: "strings", got: other)
        }
    }

    public func tensor(_ name: String) throws -> Tensor? {
        switch attributes[name] {
        case nil: return nil
        case .tensor(let v)?: return v
        case let other?: throw wrongType(name, expected: "tensor", got: other)
        }
    }

    public func graph(_ name: String) throws -> Graph? {
        switch attributes[name] {
        case nil: return nil
        case .graph(let v)?: return v
        case let other?: throw wrongType(name, expected: "graph", got: other)
        }
    }

    /// Input `i` if present and not omitted.
    public func input(_ i: Int) -> String? {
        i < inputs.count && !inputs[i].isEmpty ? inputs[i] : nil
    }

    private func wrongType(_ attribute: String, expected: String, got: AttributeValue) -> SEUError {
        error(.invalidNode, "attribute should be \(expected), found \(got.typeName)", attribute: attribute)
    }
}
