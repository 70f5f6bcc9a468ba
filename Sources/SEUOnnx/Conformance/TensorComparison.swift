/// Tolerances of ONNX's backend test runner: an element passes when
/// `|actual − expected| ≤ atol + rtol·|expected|` (NumPy's `assert_allclose`).
public struct ConformanceTolerance: Equatable, Sendable {
    public var rtol: Double
    public var atol: Double

    public init(rtol: Double, atol: Double) {
        self.rtol = rtol
        self.atol = atol
    }

    /// ONNX's defaults: rtol 1e-3, atol 1e-7.
    public static let onnx = ConformanceTolerance(rtol: 1e-3, atol: 1e-7)
}

/// The first difference between an actual and an expected tensor.
public enum TensorMismatch: Equatable, Sendable, CustomStringConvertible {
    case dataType(actual: DataType, expected: DataType)
    case shape(actual: [Int], expected: [Int])
    /// Element `index` (row-major flat index; `position` per axis) differs; values printed
    /// in their own type.
    case value(index: Int, position: [Int], actual: String, expected: String)

    public var description: String {
        switch self {
        case .dataType(let actual, let expected): return "data type \(actual), expected \(expected)"
        case .shape(let actual, let expected): return "shape \(actual), expected \(expected)"
        case .value(let index, let position, let actual, let expected):
            let at = position.count > 1 ? " \(position)" : ""
            return "element \(index)\(at): \(actual), expected \(expected)"
        }
    }
}

/// Element-wise comparison with ONNX's rules:
/// - data type and shape must be equal;
/// - floating-point values (float16, bfloat16, float32, float64, complex components) pass
///   within the tolerance; NaN equals NaN; infinities must be equal (same sign);
/// - integers and bools must be exactly equal (bools compared as true/false).
public enum TensorComparison {
    /// Whether one floating-point element passes.
    public static func isClose(_ actual: Double, _ expected: Double,
                               tolerance: ConformanceTolerance = .onnx) -> Bool {
        if actual.isNaN || expected.isNaN { return actual.isNaN && expected.isNaN }
        if actual == expected { return true }  // also equal infinities, whose difference is NaN
        // An infinity matches only itself (the bound atol + rtol·|inf| would accept anything).
        if actual.isInfinite || expected.isInfinite { return false }
        return abs(actual - expected) <= tolerance.atol + tolerance.rtol * abs(expected)
    }

    /// The first mismatch, or nil when `actual` matches `expected`.
    public static func compare(_ actual: Tensor, _ expected: Tensor,
                               tolerance: ConformanceTolerance = .onnx) -> TensorMismatch? {
        guard actual.dataType == expected.dataType else {
            return .dataType(actual: actual.dataType, expected: expected.dataType)
        }
        guard actual.shape == expected.shape else {
            return .shape(actual: actual.shape, expected: expected.shape)
        }
        // Both tensors hold `count` elements of one type here, so every index below is in range.
        let count = actual.count
        let shape = actual.shape
        func value(_ index: Int, actual: String, expected: String) -> TensorMismatch {
            .value(index: index, position: position(of: index, in: shape), actual: actual, expected: expected)
        }
        switch actual.dataType {
        case .float, .double, .float16, .bfloat16:
            for i in 0..<count {
                let a = actual.doubleValue(at: i), e = expected.doubleValue(at: i)
                if !isClose(a, e, tolerance: tolerance) {
                    let narrow = actual.dataType != .double  // print float32 and 16-bit values as Float
                    return value(i, actual: format(a, asFloat: narrow), expected: format(e, asFloat: narrow))
                }
            }
        case .complex64:
            let a = actual.pointer(as: Float.self), e = expected.pointer(as: Float.self)
            for k in 0..<(2 * count) where !isClose(Double(a[k]), Double(e[k]), tolerance: tolerance) {
                return value(k / 2, actual: complex(Double(a[k & ~1]), Double(a[k | 1])),
                              expected: complex(Double(e[k & ~1]), Double(e[k | 1])))
            }
        case .complex128:
            let a = actual.pointer(as: Double.self), e = expected.pointer(as: Double.self)
            for k in 0..<(2 * count) where !isClose(a[k], e[k], tolerance: tolerance) {
                return value(k / 2, actual: complex(a[k & ~1], a[k | 1]),
                              expected: complex(e[k & ~1], e[k | 1]))
            }
        case .bool:
            let a = actual.pointer(as: UInt8.self), e = expected.pointer(as: UInt8.self)
            for i in 0..<count where (a[i] != 0) != (e[i] != 0) {
                return value(i, actual: a[i] != 0 ? "true" : "false", expected: e[i] != 0 ? "true" : "false")
            }
        case .uint64:
            let a = actual.pointer(as: UInt64.self), e = expected.pointer(as: UInt64.self)
            for i in 0..<count where a[i] != e[i] {
                return value(i, actual: String(a[i]), expected: String(e[i]))
            }
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64:
            for i in 0..<count {
                let a = actual.int64Value(at: i), e = expected.int64Value(at: i)
                if a != e { return value(i, actual: String(a), expected: String(e)) }
            }
        case .string:
            // Strings never reach a tensor (the importer rejects them); compare bytes if they do.
            if !actual.isBitIdentical(to: expected) { return value(0, actual: "?", expected: "?") }
        }
        return nil
    }

    /// The per-axis coordinates of a row-major flat index.
    static func position(of index: Int, in shape: [Int]) -> [Int] {
        var rest = index
        var coordinates = [Int](repeating: 0, count: shape.count)
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
            coordinates[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return coordinates
    }

    static func format(_ value: Double, asFloat: Bool = false) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return asFloat ? "\(Float(value))" : "\(value)"
    }

    private static func complex(_ re: Double, _ im: Double) -> String {
        "(\(format(re))\(im.sign == .minus ? "-" : "+")\(format(abs(im)))i)"
    }
}
