/// A node attribute value, typed as in ONNX's `AttributeProto`.
public enum AttributeValue: @unchecked Sendable {
    case float(Float)
    case int(Int)
    case string(String)
    case tensor(Tensor)
    case graph(Graph)
    case floats([Float])
    case ints([Int])
    case strings([String])
    case tensors([Tensor])
    case graphs([Graph])
    /// A type the executor does not interpret (sparse tensors, type protos); kept by name.
    case unsupported(String)
    /// Inside a function body: refers to an attribute of the calling node.
    case reference(String)

    public var typeName: String {
        switch self {
        case .float: return "float"
        case .int: return "int"
        case .string: return "string"
        case .tensor: return "tensor"
        case .graph: return "graph"
        case .floats: return "floats"
        case .ints: return "ints"
        case .strings: return "strings"
        case .tensors: return "tensors"
        case .graphs: return "graphs"
        case .unsupported(let name): return name
        case .reference(let name): return "reference to '\(name)'"
        }
    }
}
