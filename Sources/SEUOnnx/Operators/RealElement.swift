import Foundation

/// float32 and float64 with the elementary functions generic kernels need (the standard
/// library has no generic `exp`/`log`/`pow`). Kernels specialise on the concrete type.
protocol RealElement: BinaryFloatingPoint, TensorElement {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
}

extension Float: RealElement {
    @inline(__always) static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    @inline(__always) static func log(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}

extension Double: RealElement {
    @inline(__always) static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}
