/// Swift types that can be read from and written to tensor storage directly.
public protocol TensorElement {
    static var dataType: DataType { get }
    static var zero: Self { get }
}

extension Float: TensorElement { public static var dataType: DataType { .float } }
extension Double: TensorElement { public static var dataType: DataType { .double } }
extension Int64: TensorElement { public static var dataType: DataType { .int64 } }
extension Int32: TensorElement { public static var dataType: DataType { .int32 } }
extension Int16: TensorElement { public static var dataType: DataType { .int16 } }
extension Int8: TensorElement { public static var dataType: DataType { .int8 } }
extension UInt8: TensorElement { public static var dataType: DataType { .uint8 } }
extension UInt16: TensorElement { public static var dataType: DataType { .uint16 } }
extension UInt32: TensorElement { public static var dataType: DataType { .uint32 } }
extension UInt64: TensorElement { public static var dataType: DataType { .uint64 } }
extension Bool: TensorElement {
    public static var dataType: DataType { .bool }
    public static var zero: Bool { false }
}
