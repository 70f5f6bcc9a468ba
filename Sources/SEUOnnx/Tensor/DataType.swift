/// Element types, numbered as ONNX's `TensorProto.DataType`.
public enum DataType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case float = 1
    case uint8 = 2
    case int8 = 3
    case uint16 = 4
    case int16 = 5
    case int32 = 6
    case int64 = 7
    case string = 8
    case bool = 9
    case float16 = 10
    case double = 11
    case uint32 = 12
    case uint64 = 13
    case complex64 = 14
    case complex128 = 15
    case bfloat16 = 16

    /// Bytes per element in the stored (little-endian, ONNX raw_data) layout; 0 for strings.
    public var byteWidth: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16, .float16, .bfloat16: return 2
        case .float, .int32, .uint32: return 4
        case .double, .int64, .uint64, .complex64: return 8
        case .complex128: return 16
        case .string: return 0
        }
    }

    /// Bits per element (the width of a bit-flip position range).
    public var bitWidth: Int { byteWidth * 8 }

    /// Real floating-point types (the ones fault injection targets by default).
    public var isFloatingPoint: Bool {
        switch self {
        case .float, .float16, .bfloat16, .double: return true
        default: return false
        }
    }

    public var isInteger: Bool {
        switch self {
        case .uint8, .int8, .uint16, .int16, .int32, .int64, .uint32, .uint64: return true
        default: return false
        }
    }

    public var isSignedInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64: return true
        default: return false
        }
    }

    /// Lower-case name as used by the CLI and records (`float32`, `float16`, `bfloat16`, ...).
    public var name: String {
        switch self {
        case .float: return "float32"
        case .double: return "float64"
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .uint16: return "uint16"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .string: return "string"
        case .bool: return "bool"
        case .float16: return "float16"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .complex64: return "complex64"
        case .complex128: return "complex128"
        case .bfloat16: return "bfloat16"
        }
    }

    public var description: String { name }

    /// Parses a CLI/record name (`float32`, `float`, `fp16`, `bf16`, ...).
    public init?(name: String) {
        switch name.lowercased() {
        case "float32", "float", "fp32", "f32": self = .float
        case "float64", "double", "fp64", "f64": self = .double
        case "float16", "half", "fp16", "f16": self = .float16
        case "bfloat16", "bf16": self = .bfloat16
        default:
            guard let match = DataType.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = match
        }
    }
}
