import Foundation

/// Floating-point element types the elementwise kernels specialise for (float32, float64).
/// float16 and bfloat16 reach these kernels as float32 through `HalfPrecisionAdapter`.
///
/// The math functions are static requirements so that generic kernels, specialised per type
/// by the optimiser, call the libm routine of the right width (`expf` for Float, `exp` for
/// Double) without per-element dispatch.
protocol FloatElement: BinaryFloatingPoint, TensorElement {
    static func exp(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func tan(_ x: Self) -> Self
    static func asin(_ x: Self) -> Self
    static func acos(_ x: Self) -> Self
    static func atan(_ x: Self) -> Self
    static func sinh(_ x: Self) -> Self
    static func cosh(_ x: Self) -> Self
    static func asinh(_ x: Self) -> Self
    static func acosh(_ x: Self) -> Self
    static func atanh(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    /// C `fmod`: remainder with the sign of the dividend.
    static func fmod(_ x: Self, _ y: Self) -> Self
    /// Converts a float32 attribute value (alpha, beta, ...) to this type.
    init(_ value: Float)
    /// 1 / (1 + e^-x), vectorisable for float32 (`FastMath`).
    static func sigmoid(_ x: Self) -> Self
    /// tanh, vectorisable for float32 (`FastMath`); `tanh` is libm's.
    static func fastTanh(_ x: Self) -> Self
}

extension Float: FloatElement {
    static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    static func expm1(_ x: Float) -> Float { Foundation.expm1(x) }
    static func log(_ x: Float) -> Float { Foundation.log(x) }
    static func log1p(_ x: Float) -> Float { Foundation.log1p(x) }
    static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    static func erf(_ x: Float) -> Float { Foundation.erf(x) }
    static func sin(_ x: Float) -> Float { Foundation.sin(x) }
    static func cos(_ x: Float) -> Float { Foundation.cos(x) }
    static func tan(_ x: Float) -> Float { Foundation.tan(x) }
    static func asin(_ x: Float) -> Float { Foundation.asin(x) }
    static func acos(_ x: Float) -> Float { Foundation.acos(x) }
    static func atan(_ x: Float) -> Float { Foundation.atan(x) }
    static func sinh(_ x: Float) -> Float { Foundation.sinh(x) }
    static func cosh(_ x: Float) -> Float { Foundation.cosh(x) }
    static func asinh(_ x: Float) -> Float { Foundation.asinh(x) }
    static func acosh(_ x: Float) -> Float { Foundation.acosh(x) }
    static func atanh(_ x: Float) -> Float { Foundation.atanh(x) }
    static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
    static func fmod(_ x: Float, _ y: Float) -> Float { Foundation.fmod(x, y) }
    @inline(__always) static func sigmoid(_ x: Float) -> Float { FastMath.sigmoid(x) }
    @inline(__always) static func fastTanh(_ x: Float) -> Float { FastMath.tanh(x) }
}

extension Double: FloatElement {
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    static func log(_ x: Double) -> Double { Foundation.log(x) }
    static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    static func tan(_ x: Double) -> Double { Foundation.tan(x) }
    static func asin(_ x: Double) -> Double { Foundation.asin(x) }
    static func acos(_ x: Double) -> Double { Foundation.acos(x) }
    static func atan(_ x: Double) -> Double { Foundation.atan(x) }
    static func sinh(_ x: Double) -> Double { Foundation.sinh(x) }
    static func cosh(_ x: Double) -> Double { Foundation.cosh(x) }
    static func asinh(_ x: Double) -> Double { Foundation.asinh(x) }
    static func acosh(_ x: Double) -> Double { Foundation.acosh(x) }
    static func atanh(_ x: Double) -> Double { Foundation.atanh(x) }
    static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    static func fmod(_ x: Double, _ y: Double) -> Double { Foundation.fmod(x, y) }
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
    static func fastTanh(_ x: Double) -> Double { Foundation.tanh(x) }
}

/// Integer element types the elementwise kernels specialise for (int8 ... uint64).
protocol IntegerElement: FixedWidthInteger, TensorElement {}

extension Int8: IntegerElement {}
extension Int16: IntegerElement {}
extension Int32: IntegerElement {}
extension Int64: IntegerElement {}
extension UInt8: IntegerElement {}
extension UInt16: IntegerElement {}
extension UInt32: IntegerElement {}
extension UInt64: IntegerElement {}

/// A kernel whose work depends on one numeric element type. `run` switches on `dataType`
/// once per call and enters a generic method that the optimiser specialises for each
/// concrete type, so the inner loops are typed, inlined and vectorisable.
protocol NumericTypedKernel: Kernel {
    var dataType: DataType { get }
    func run<T: FloatElement>(float: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws
    func run<T: IntegerElement>(integer: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws
}

extension NumericTypedKernel {
    func run(inputs: [Tensor?], outputs: [Tensor]) throws { try dispatch(inputs: inputs, outputs: outputs) }

    /// Calls the typed `run` for `dataType` (kernels that also handle bool call this for the rest).
    func dispatch(inputs: [Tensor?], outputs: [Tensor]) throws {
        switch dataType {
        case .float: try run(float: Float.self, inputs: inputs, outputs: outputs)
        case .double: try run(float: Double.self, inputs: inputs, outputs: outputs)
        case .int8: try run(integer: Int8.self, inputs: inputs, outputs: outputs)
        case .int16: try run(integer: Int16.self, inputs: inputs, outputs: outputs)
        case .int32: try run(integer: Int32.self, inputs: inputs, outputs: outputs)
        case .int64: try run(integer: Int64.self, inputs: inputs, outputs: outputs)
        case .uint8: try run(integer: UInt8.self, inputs: inputs, outputs: outputs)
        case .uint16: try run(integer: UInt16.self, inputs: inputs, outputs: outputs)
        case .uint32: try run(integer: UInt32.self, inputs: inputs, outputs: outputs)
        case .uint64: try run(integer: UInt64.self, inputs: inputs, outputs: outputs)
        default: throw SEUError(.unsupportedDataType, "elementwise kernel on \(dataType)")
        }
    }
}

/// Element-type sets used by the elementwise builders.
enum ElementTypes {
    static let floats: Set<DataType> = [.float, .double]
    static let signedIntegers: Set<DataType> = [.int8, .int16, .int32, .int64]
    static let unsignedIntegers: Set<DataType> = [.uint8, .uint16, .uint32, .uint64]
    static let integers = signedIntegers.union(unsignedIntegers)
    /// Every type `NumericTypedKernel` dispatches on.
    static let numeric = floats.union(integers)
}
