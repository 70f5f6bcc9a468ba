/// Spatial geometry shared by convolution and pooling: kernel, strides, dilations and pads,
/// resolved from attributes (including `auto_pad`) for a concrete input shape.
public struct SpatialGeometry: Equatable {
    public var kernel: [Int]
    public var strides: [Int]
    public var dilations: [Int]
    /// Pads at the beginning of each spatial axis, then at the end (ONNX order).
    public var padsBegin: [Int]
    public var padsEnd: [Int]
    public var outputSize: [Int]

    /// Resolves the attributes of a Conv/Pool node for `inputSpatial` sizes.
    public static func resolve(node: Node, inputSpatial: [Int], kernel: [Int],
                               ceilMode: Bool = false) throws -> SpatialGeometry {
        let n = inputSpatial.count
        let strides = try node.ints("strides") ?? [Int](repeating: 1, count: n)
        let dilations = try node.ints("dilations") ?? [Int](repeating: 1, count: n)
        guard strides.count == n, dilations.count == n, kernel.count == n else {
            throw node.error(.invalidNode, "strides/dilations/kernel_shape must have \(n) values for a \(n)-D input")
        }
        guard strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }), kernel.allSatisfy({ $0 > 0 }) else {
            throw node.error(.invalidNode, "strides, dilations and kernel sizes must be positive")
        }
        let autoPad = try node.string("auto_pad", default: "NOTSET")
        var begin = [Int](repeating: 0, count: n), end = [Int](repeating: 0, count: n)
        var output = [Int](repeating: 0, count: n)
        switch autoPad {
        case "NOTSET", "":
            let pads = try node.ints("pads") ?? [Int](repeating: 0, count: 2 * n)
            guard pads.count == 2 * n, pads.allSatisfy({ $0 >= 0 }) else {
                throw node.error(.invalidNode, "pads must have \(2 * n) non-negative values", attribute: "pads")
            }
            begin = Array(pads[0..<n]); end = Array(pads[n...])
            for i in 0..<n {
                let extent = (kernel[i] - 1) * dilations[i] + 1
                let span = inputSpatial[i] + begin[i] + end[i] - extent
                guard span >= 0 else {
                    throw node.error(.shapeMismatch, "kernel (\(extent)) larger than padded input (\(inputSpatial[i] + begin[i] + end[i])) on spatial axis \(i)")
                }
                if ceilMode {
                    var size = (span + strides[i] - 1) / strides[i] + 1
                    // The last window must start inside the input or the left padding.
                    if (size - 1) * strides[i] >= inputSpatial[i] + begin[i] { size -= 1 }
                    output[i] = size
                } else {
                    output[i] = span / strides[i] + 1
                }
            }
        case "VALID":
            for i in 0..<n {
                let extent = (kernel[i] - 1) * dilations[i] + 1
                guard inputSpatial[i] >= extent else {
                    throw node.error(.shapeMismatch, "kernel (\(extent)) larger than input (\(inputSpatial[i]))")
                }
                output[i] = ceilMode ? (inputSpatial[i] - extent + strides[i] - 1) / strides[i] + 1
                                     : (inputSpatial[i] - extent) / strides[i] + 1
            }
        case "SAME_UPPER", "SAME_LOWER":
            for i in 0..<n {
                let extent = (kernel[i] - 1) * dilations[i] + 1
                output[i] = (inputSpatial[i] + strides[i] - 1) / strides[i]
                let total = max(0, (output[i] - 1) * strides[i] + extent - inputSpatial[i])
                let small = total / 2, large = total - small
                begin[i] = autoPad == "SAME_UPPER" ? small : large
                end[i] = autoPad == "SAME_UPPER" ? large : small
            }
        default:
            throw node.error(.invalidNode, "unknown auto_pad '\(autoPad)'", attribute: "auto_pad")
        }
        return SpatialGeometry(kernel: kernel, strides: strides, dilations: dilations,
                               padsBegin: begin, padsEnd: end, outputSize: output)
    }
}
