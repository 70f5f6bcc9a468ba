/// Resize (opsets 10, 11, 13, 18, 19) and Upsample (opsets 1, 7, 9, 10).
///
/// Version differences:
/// - Resize-10: inputs X, scales; modes nearest/linear with asymmetric coordinates and, for
///   nearest, onnxruntime's legacy rounding (floor when upsampling, ceil when downsampling).
/// - Resize-11: inputs X, roi, scales, sizes; `coordinate_transformation_mode`, `nearest_mode`,
///   cubic mode (`cubic_coeff_a`, `exclude_outside`), `extrapolation_value`.
/// - Resize-13: roi and scales optional. Resize-18: `axes`, `antialias`,
///   `keep_aspect_ratio_policy`. Resize-19: `half_pixel_symmetric`.
/// - Upsample-1: `height_scale`/`width_scale` attributes on 4-D input, modes nearest/bilinear;
///   Upsample-7: `scales` attribute; Upsample-9/10: scales input. Same sampling as Resize-10.
///
/// Output sizes are ⌊scale · input⌋ (scales) or `sizes`; scales, sizes and roi must be known at
/// plan time (a graph input re-plans per run). Nearest resizing copies elements of any type;
/// linear and cubic run on float32/float64.
///
/// Sampling follows the ONNX reference implementation (what the conformance data checks), which
/// differs from onnxruntime in two corner cases: source coordinates are computed in float64
/// (onnxruntime: float32, so a coordinate within 1e-7 of an integer can round the other way),
/// and align_corners with a scale whose output size is fractional uses the fractional size
/// (onnxruntime: the integer size). With `sizes`, or scales giving whole sizes, they agree.
enum ResizeOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Resize", since: 10) { context in try buildResize(context) })
        registry.register(OperatorSpec("Upsample") { context in try buildUpsample(context) })
    }

    /// Element types Resize/Upsample accept (nearest copies any of them).
    static let types: Set<DataType> = [.float, .double, .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64, .bool]

    static func buildResize(_ context: NodeContext) throws -> KernelBuild {
        let x = try context.expect(0, types)
        let node = context.node
        let rank = x.rank
        var options = ResizeAxis.Options()
        options.mode = try mode(node, "nearest")
        var scales: [Double]?
        var sizes: [Int]?
        var roi: [Double]?
        var axes = Array(0..<rank)
        var policy = "stretch"
        if context.opset < 11 {
            options.coordinateMode = "asymmetric"
            options.nearestMode = "legacy"
            scales = try context.requireConstant(1).floatValues().map(Double.init)
        } else {
            options.coordinateMode = try node.string("coordinate_transformation_mode", default: "half_pixel")
            options.nearestMode = try node.string("nearest_mode", default: "round_prefer_floor")
            options.cubicA = Double(try node.float("cubic_coeff_a", default: -0.75))
            options.excludeOutside = try node.int("exclude_outside", default: 0) != 0
            if context.hasInput(1), options.coordinateMode == "tf_crop_and_resize" {
                roi = try context.requireConstant(1).floatValues().map(Double.init)
            }
            if context.hasInput(2) {
                let values = try context.requireConstant(2).floatValues()
                if !values.isEmpty { scales = values.map(Double.init) }
            }
            if context.hasInput(3) {
                let values = try context.requireConstant(3).intValues()
                if !values.isEmpty { sizes = values }
            }
            if context.opset >= 18 {
                options.antialias = try node.int("antialias", default: 0) != 0
                policy = try node.string("keep_aspect_ratio_policy", default: "stretch")
                if let requested = try node.ints("axes") {
                    axes = try requested.map { axis in
                        guard axis >= -rank && axis < rank else {
                            throw context.error("axis \(axis) out of range for rank \(rank)", attribute: "axes")
                        }
                        return axis < 0 ? axis + rank : axis
                    }
                    guard Set(axes).count == axes.count else { throw context.error("axes repeat", attribute: "axes") }
                }
            }
        }
        guard (scales == nil) != (sizes == nil) else {
            throw context.error("exactly one of scales and sizes must be given")
        }
        if options.mode == .nearest && options.antialias {
            throw context.error("antialias is not defined for nearest mode", attribute: "antialias")
        }
        let count = axes.count
        if let values = scales ?? sizes.map({ $0.map(Double.init) }), values.count != count {
            throw context.error("scales/sizes have \(values.count) values, expected \(count)", kind: .shapeMismatch)
        }
        if let values = roi, values.count != 2 * count {
            throw context.error("roi has \(values.count) values, expected \(2 * count)", kind: .shapeMismatch)
        }
        // Per-axis scale and output size, in the order of `axes`.
        var axisScales = scales ?? []
        var outputSizes: [Int] = []
        if let scales {
            guard scales.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw context.error("scales must be positive") }
            outputSizes = try zip(axes, scales).map { try ResizeAxis.size((Double(x.shape[$0]) * $1).rounded(.down)) }
        } else if let sizes {
            guard sizes.allSatisfy({ $0 >= 0 }) else { throw context.error("sizes must be non-negative") }
            axisScales = zip(axes, sizes).map { Double($1) / Double(max(x.shape[$0], 1)) }
            outputSizes = sizes
            if policy != "stretch" {
                guard policy == "not_larger" || policy == "not_smaller" else {
                    throw context.error("unknown keep_aspect_ratio_policy '\(policy)'", attribute: "keep_aspect_ratio_policy")
                }
                let scale = policy == "not_larger" ? axisScales.min() ?? 1 : axisScales.max() ?? 1
                axisScales = axisScales.map { _ in scale }
                outputSizes = try axes.map { try ResizeAxis.size((scale * Double(x.shape[$0]) + 0.5).rounded(.towardZero)) }
            }
        }
        return try build(context, x: x, axes: axes, scales: axisScales, sizes: outputSizes, roi: roi,
                         options: options, extrapolation: try node.float("extrapolation_value", default: 0))
    }

    static func buildUpsample(_ context: NodeContext) throws -> KernelBuild {
        let x = try context.expect(0, types)
        let node = context.node
        var options = ResizeAxis.Options()
        options.mode = try mode(node, "nearest")
        options.coordinateMode = "asymmetric"
        options.nearestMode = "legacy"
        let scales: [Double]
        if context.opset >= 9 {
            scales = try context.requireConstant(1).floatValues().map(Double.init)
        } else if let values = try node.floats("scales") {
            scales = values.map(Double.init)
        } else {
            guard x.rank == 4 else { throw context.error("Upsample-1 needs a 4-D input", kind: .shapeMismatch) }
            scales = [1, 1, Double(try node.float("height_scale", default: 1)), Double(try node.float("width_scale", default: 1))]
        }
        guard scales.count == x.rank, scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw context.error("scales must have \(x.rank) positive values", kind: .shapeMismatch)
        }
        let sizes = try zip(x.shape, scales).map { try ResizeAxis.size((Double($0) * $1).rounded(.down)) }
        return try build(context, x: x, axes: Array(0..<x.rank), scales: scales, sizes: sizes, roi: nil,
                         options: options, extrapolation: 0)
    }

    static func mode(_ node: Node, _ fallback: String) throws -> ResizeAxis.Mode {
        let name = try node.string("mode", default: fallback)
        // Upsample-1 calls linear interpolation "bilinear"; some exporters write "trilinear".
        switch name {
        case "bilinear", "trilinear": return .linear
        case "bicubic": return .cubic
        default:
            guard let mode = ResizeAxis.Mode(rawValue: name) else {
                throw node.error(.invalidNode, "unknown mode '\(name)'", attribute: "mode")
            }
            return mode
        }
    }

    static func build(_ context: NodeContext, x: ValueType, axes: [Int], scales: [Double], sizes: [Int], roi: [Double]?,
                      options: ResizeAxis.Options, extrapolation: Float) throws -> KernelBuild {
        var outputShape = x.shape
        var plans: [ResizeAxis] = []
        for (i, axis) in axes.enumerated() {
            outputShape[axis] = sizes[i]
            let range = roi.map { ($0[i], $0[axes.count + i]) }
            // Axes kept at scale 1 are left alone whatever the coordinate mode (as in the ONNX
            // reference and onnxruntime): tf_half_pixel_for_nn with ceil would otherwise shift them.
            let unitRange = range.map { abs($0.0) <= 1e-9 && abs($0.1 - 1) <= 1e-9 } ?? true
            if abs(scales[i] - 1) <= 1e-9, sizes[i] == x.shape[axis], unitRange { continue }
            let plan: ResizeAxis
            do {
                plan = try ResizeAxis(axis: axis, inputSize: x.shape[axis], outputSize: sizes[i], scale: scales[i],
                                      roi: range, options: options)
            } catch let error as SEUError {
                throw error.located(node: context.node.name, opType: context.node.opType)
            }
            if !plan.isIdentity { plans.append(plan) }
        }
        let output = ValueType(x.dataType, outputShape)
        guard outputShape.reduce(1.0, { $0 * Double($1) }) <= Double(ResizeAxis.sizeLimit) else {
            throw context.error("output \(outputShape) is too large", kind: .shapeMismatch)
        }
        if output.count > 0 && x.count == 0 {
            throw context.error("cannot resize the empty input \(x.shape) to \(outputShape)", kind: .shapeMismatch)
        }
        if output.count == 0 || plans.isEmpty {
            return KernelBuild(kernel: ResizeGatherKernel(input: x.shape, axes: [], output: outputShape, width: x.dataType.byteWidth),
                               outputType: output)
        }
        if plans.allSatisfy({ $0.taps == 1 && $0.extrapolated == nil }) {
            return KernelBuild(kernel: ResizeGatherKernel(input: x.shape, axes: plans, output: outputShape, width: x.dataType.byteWidth),
                               outputType: output)
        }
        guard x.dataType == .float || x.dataType == .double else {
            throw context.error("\(options.mode.rawValue) resizing of \(x.dataType) is not supported", kind: .unsupportedDataType)
        }
        let kernel = ResizeInterpolationKernel(input: x.shape, axes: plans, double: x.dataType == .double,
                                               extrapolation: Double(extrapolation))
        return KernelBuild(kernel: kernel, outputType: output)
    }
}
