/// Where a tensor's elements are stored in the ONNX file. Fault export uses it to change exactly
/// the flipped bits; records and `info` report it.
public enum TensorSource: Equatable, Sendable, CustomStringConvertible {
    /// `TensorProto.raw_data`: fixed-width little-endian bytes.
    case rawData
    /// One of the typed repeated fields (`float_data`, `int32_data`, `int64_data`,
    /// `double_data`, `uint64_data`), named as in onnx.proto.
    case typedField(String)
    /// A file next to the model (`data_location = EXTERNAL`): path relative to the model's
    /// folder, byte offset and length.
    case external(location: String, offset: Int, length: Int)
    /// The `value` attribute of a `Constant` node (named).
    case constantNode(String)
    /// No data (an empty tensor).
    case empty

    public var description: String {
        switch self {
        case .rawData: return "raw_data"
        case .typedField(let name): return name
        case .external(let location, let offset, let length):
            return "external \(location)@\(offset)+\(length)"
        case .constantNode(let node): return "Constant node '\(node)'"
        case .empty: return "empty"
        }
    }
}
