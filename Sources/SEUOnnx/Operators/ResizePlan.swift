import Foundation

/// How Resize/Upsample samples the input along each axis, computed once at plan time.
///
/// Interpolation is separable: along each resized axis, output coordinate `o` is the weighted
/// sum of `taps` input positions `indices[o·taps + j]` with `weights[o·taps + j]` (nearest has a
/// single tap of weight 1). The formulas follow the ONNX reference implementation
/// (`onnx/reference/ops/op_resize.py`), computed in float64: coordinate transformation, the
/// neighbour window (edge-clamped), `exclude_outside` renormalisation, and for
/// `tf_crop_and_resize` the positions outside the input, which take `extrapolation_value`.
struct ResizeAxis {
    let axis: Int
    let inputSize: Int, outputSize: Int
    let taps: Int
    let indices: [Int]
    let weights: [Double]
    /// Output positions whose source lies outside the input (tf_crop_and_resize only).
    let extrapolated: [Bool]?

    enum Mode: String { case nearest, linear, cubic }

    struct Options {
        var mode: Mode = .nearest
        var coordinateMode = "half_pixel"
        /// `round_prefer_floor`, `round_prefer_ceil`, `floor`, `ceil`, or `legacy` (Resize-10 and
        /// Upsample as onnxruntime runs them: floor when upsampling, ceil when downsampling).
        var nearestMode = "round_prefer_floor"
        var cubicA = -0.75
        var excludeOutside = false
        var antialias = false
    }

    /// Sampling along one axis. `roi` is this axis' (start, end) for tf_crop_and_resize.
    init(axis: Int, inputSize: Int, outputSize: Int, scale: Double, roi: (Double, Double)?, options: Options) throws {
        self.axis = axis
        self.inputSize = inputSize
        self.outputSize = outputSize
        let width = scale * Double(inputSize)
        var taps = 1
        var indices: [Int] = [], weights: [Double] = [], extrapolated: [Bool] = []
        for o in 0..<outputSize {
            let y = Double(o)
            let x: Double
            switch options.coordinateMode {
            case "align_corners": x = width == 1 ? 0 : y * Double(inputSize - 1) / (width - 1)
            case "asymmetric": x = y / scale
            case "pytorch_half_pixel": x = width == 1 ? -0.5 : (y + 0.5) / scale - 0.5
            case "half_pixel": x = (y + 0.5) / scale - 0.5
            case "half_pixel_symmetric":
                let adjustment = Double(outputSize) / width
                let offset = Double(inputSize) / 2 * (1 - adjustment)
                x = offset + (y + 0.5) / scale - 0.5
            case "tf_crop_and_resize":
                let (start, end) = roi ?? (0, 1)
                let span = (end - start) * Double(inputSize - 1)
                x = (width == 1 ? span / 2 : y * span / (width - 1)) + start * Double(inputSize - 1)
            case "tf_half_pixel_for_nn":
                x = (y + 0.5) / scale
            default:
                throw SEUError(.invalidNode, "unknown coordinate_transformation_mode '\(options.coordinateMode)'",
                               location: .init(attribute: "coordinate_transformation_mode"))
            }
            extrapolated.append(x < 0 || x > Double(inputSize - 1))
            if options.mode == .nearest && options.nearestMode == "legacy" {
                let index = Self.clampedIndex(scale < 1 ? x.rounded(.up) : x.rounded(.towardZero))
                indices.append(min(max(index, 0), inputSize - 1))
                weights.append(1)
                continue
            }
            let floorX = x.rounded(.down)
            // The ratio is in (0, 1]: an integral x takes the pixel on its left with weight 0.
            let ratio = x == floorX ? 1 : x - floorX
            var coefficients = try Self.coefficients(ratio: ratio, scale: scale, options: options)
            let n = coefficients.count
            taps = n
            guard n * outputSize <= 1 << 28 else {
                throw SEUError(.unsupportedOperator, "interpolation table of \(n) × \(outputSize) taps is too large")
            }
            // The n neighbours nearest to x (ties towards smaller indices), as the reference picks them.
            let pad = (n + 1) / 2
            let padded = x + Double(pad)
            let p = padded.rounded(.down)
            let fraction = padded - p
            let offset: Int
            if n % 2 == 0 {
                offset = fraction == 0 ? -(n / 2) : -(n / 2) + 1
            } else {
                offset = fraction <= 0.5 ? -((n - 1) / 2) : -((n - 1) / 2) + 1
            }
            let start = Self.clampedIndex(p) + offset - pad
            if options.excludeOutside {
                for j in 0..<n where start + j < 0 || start + j >= inputSize { coefficients[j] = 0 }
                let sum = coefficients.reduce(0, +)
                if sum != 0 { coefficients = coefficients.map { $0 / sum } }
            }
            if options.mode == .nearest {
                // Keep only the selected neighbour (coefficients are one-hot), so no 0·inf terms.
                let chosen = coefficients.firstIndex(of: 1) ?? 0
                taps = 1
                indices.append(min(max(start + chosen, 0), inputSize - 1))
                weights.append(1)
            } else {
                for j in 0..<n {
                    indices.append(min(max(start + j, 0), inputSize - 1))
                    weights.append(coefficients[j])
                }
            }
        }
        self.taps = taps
        self.indices = indices
        self.weights = weights
        self.extrapolated = options.coordinateMode == "tf_crop_and_resize" && extrapolated.contains(true) ? extrapolated : nil
    }

    /// First tap of an antialiasing filter, ⌊bound⌋ + 1, bounded so the filter stays allocatable.
    static func tapStart(_ bound: Double) throws -> Int {
        guard bound.isFinite, bound > -65_536 else {
            throw SEUError(.unsupportedOperator, "antialiasing filter too wide (downsampling factor \(-bound))")
        }
        return Int(bound.rounded(.down)) + 1
    }

    static func coefficients(ratio: Double, scale: Double, options: Options) throws -> [Double] {
        switch options.mode {
        case .nearest:
            if ratio == 1 { return [0, 1] }
            switch options.nearestMode {
            case "round_prefer_floor": return ratio <= 0.5 ? [1, 0] : [0, 1]
            case "round_prefer_ceil": return ratio < 0.5 ? [1, 0] : [0, 1]
            case "floor": return [1, 0]
            case "ceil": return [0, 1]
            default:
                throw SEUError(.invalidNode, "unknown nearest_mode '\(options.nearestMode)'", location: .init(attribute: "nearest_mode"))
            }
        case .linear:
            guard options.antialias else { return [1 - ratio, ratio] }
            let s = min(scale, 1)
            let start = try tapStart(-1 / s)
            let footprint = 2 - 2 * start
            let c = (0..<footprint).map { i in min(max(1 - abs((Double(start + i) - ratio) * s), 0), 1) }
            let sum = c.reduce(0, +)
            return c.map { $0 / sum }
        case .cubic:
            let a = options.cubicA
            func kernel(_ t: Double) -> Double {
                let x = abs(t)
                if x <= 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
                if x < 2 { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
                return 0
            }
            guard options.antialias else {
                return [kernel(ratio + 1), kernel(ratio), kernel(1 - ratio), kernel(2 - ratio)]
            }
            let s = min(scale, 1)
            let start = try tapStart(-2 / s)
            let c = (start..<(2 - start)).map { kernel(s * (Double($0) - ratio)) }
            let sum = c.reduce(0, +)
            return c.map { $0 / sum }
        }
    }

    /// Largest output dimension, element count or tap table accepted (bad scales must not make
    /// the planner allocate without bound or convert an out-of-range Double to Int).
    static let sizeLimit = 1 << 34

    /// A computed output size as an Int, or an error when it is negative, not finite or too large.
    static func size(_ value: Double) throws -> Int {
        guard value.isFinite, value >= 0, value <= Double(sizeLimit) else {
            throw SEUError(.shapeMismatch, "resized dimension \(value) is out of range")
        }
        return Int(value)
    }

    /// A source coordinate clamped to a range where Int conversion is exact and safe.
    @inline(__always)
    static func clampedIndex(_ value: Double) -> Int {
        guard value.isFinite else { return value > 0 ? sizeLimit : -sizeLimit }
        return Int(min(max(value, -Double(sizeLimit)), Double(sizeLimit)))
    }

    /// True when this axis leaves the data unchanged (same size, identity sampling).
    var isIdentity: Bool {
        guard inputSize == outputSize, extrapolated == nil else { return false }
        for o in 0..<outputSize {
            for j in 0..<taps {
                let w = weights[o * taps + j]
                if w != 0 && !(w == 1 && indices[o * taps + j] == o) { return false }
            }
        }
        return true
    }
}
