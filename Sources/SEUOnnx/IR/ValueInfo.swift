/// One dimension of a declared shape.
public enum Dimension: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// A fixed size.
    case fixed(Int)
    /// A named symbolic size such as `batch` (any value, equal wherever the name repeats).
    case symbolic(String)
    /// Unknown (neither value nor name).
    case unknown

    public var description: String {
        switch self {
        case .fixed(let n): return String(n)
        case .symbolic(let name): return name
        case .unknown: return "?"
        }
    }

    public var fixedValue: Int? { if case .fixed(let n) = self { return n } else { return nil } }
}

/// The declared type of a graph value: element type and (optionally) shape.
public struct TensorType: Equatable, Sendable, CustomStringConvertible {
    /// nil when the value is not a tensor (sequence, map, ...) or the type is not declared.
    public var dataType: DataType?
    /// nil when the rank is unknown.
    public var shape: [Dimension]?

    public init(dataType: DataType?, shape: [Dimension]?) {
        self.dataType = dataType
        self.shape = shape
    }

    public var description: String {
        let type = dataType?.name ?? "?"
        guard let shape else { return "\(type)[...]" }
        return "\(type)[\(shape.map(\.description).joined(separator: ","))]"
    }
}

/// A named, typed graph value (graph input, output or annotated intermediate).
public struct ValueInfo: Equatable, Sendable {
    public var name: String
    public var type: TensorType?
    public var docString: String

    public init(name: String, type: TensorType?, docString: String = "") {
        self.name = name
        self.type = type
        self.docString = docString
    }
}
