/// ConvTranspose (opsets 1, 11, 22): the adjoint of Conv over N×C×spatial (1-D to 3-D), with
/// groups, strides, dilations, pads, output_padding, output_shape and auto_pad.
///
/// Weights are C × (M/group) × kernel. Per image and group, sgemm computes the column matrix
/// Wᵀ·X ((M/group)·kernel × input pixels), which `Im2Col.accumulate` scatters onto the output
/// (initialised with the bias). Output size and pads follow the ONNX reference implementation:
/// explicit pads win; SAME_UPPER/SAME_LOWER derive pads from the requested (or `input × stride`)
/// output size with the odd unit at the end for SAME_UPPER; otherwise pads are zero and an
/// `output_shape` crops or extends at the end.
enum ConvTransposeOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("ConvTranspose") { context in
            let x = try context.expect(0, [.float])
            let w = try context.expect(1, [.float])
            guard (3...5).contains(x.rank) else {
                throw context.error("only 1-D, 2-D and 3-D transposed convolutions are supported (input rank \(x.rank))",
                                    kind: .unsupportedOperator)
            }
            let node = context.node
            let group = try node.int("group", default: 1)
            guard w.rank == x.rank, group > 0, x.shape[1] % group == 0, w.shape[0] == x.shape[1] else {
                throw context.error("weight \(w.shape) does not fit input \(x.shape) with group \(group)", kind: .shapeMismatch)
            }
            let filters = w.shape[1] * group
            if context.hasInput(2) {
                let b = try context.expect(2, [.float])
                guard b.count == filters else {
                    throw context.error("bias has \(b.count) elements, expected \(filters)", kind: .shapeMismatch)
                }
            }
            try WindowLimits.check(node)
            let geometry = try transposedGeometry(node: node, input: Array(x.shape[2...]), weight: Array(w.shape[2...]))
            // The equivalent forward convolution maps the output (M channels) back onto X.
            let outputShape = [x.shape[0], filters] + geometry.outputSize
            try WindowLimits.check(node, elements: outputShape, what: "output")
            try WindowLimits.check(node, elements: [w.count / max(x.shape[1], 1)] + Array(x.shape[2...]), what: "column scratch")
            var forward = geometry
            forward.outputSize = Array(x.shape[2...])
            let shape = ConvShape(input: outputShape, filters: x.shape[1], group: group, geometry: forward)
            return KernelBuild(kernel: ConvTransposeKernel(shape), outputType: ValueType(.float, outputShape))
        })
    }

    /// Kernel, strides, dilations, pads and the output spatial size of a ConvTranspose node.
    static func transposedGeometry(node: Node, input: [Int], weight: [Int]) throws -> SpatialGeometry {
        let n = input.count
        let kernel = try node.ints("kernel_shape") ?? weight
        let strides = try node.ints("strides") ?? [Int](repeating: 1, count: n)
        let dilations = try node.ints("dilations") ?? [Int](repeating: 1, count: n)
        let outputPadding = try node.ints("output_padding") ?? [Int](repeating: 0, count: n)
        guard kernel == weight else {
            throw node.error(.invalidNode, "kernel_shape \(kernel) does not match weight \(weight)", attribute: "kernel_shape")
        }
        guard strides.count == n, dilations.count == n, outputPadding.count == n else {
            throw node.error(.invalidNode, "strides/dilations/output_padding must have \(n) values")
        }
        guard strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }), outputPadding.allSatisfy({ $0 >= 0 }) else {
            throw node.error(.invalidNode, "strides and dilations must be positive, output_padding non-negative")
        }
        var requested = try node.ints("output_shape")
        if let shape = requested {
            // Some exporters write the full N×C×spatial shape.
            guard shape.count == n || shape.count == n + 2 else {
                throw node.error(.invalidNode, "output_shape \(shape) must have \(n) spatial values", attribute: "output_shape")
            }
            requested = Array(shape.suffix(n))
        }
        let autoPad = try node.string("auto_pad", default: "NOTSET")
        guard (0..<n).allSatisfy({ Double(strides[$0]) * Double(input[$0]) < Double(WindowLimits.elementLimit) }) else {
            throw node.error(.unsupportedOperator, "strides \(strides) on input \(input) give too large an output")
        }
        let extent = (0..<n).map { (kernel[$0] - 1) * dilations[$0] + 1 }
        let natural = (0..<n).map { strides[$0] * (input[$0] - 1) + outputPadding[$0] + extent[$0] }
        var begin = [Int](repeating: 0, count: n), end = [Int](repeating: 0, count: n)
        var output: [Int]
        if let pads = try node.ints("pads") {
            guard pads.count == 2 * n else {
                throw node.error(.invalidNode, "pads must have \(2 * n) values", attribute: "pads")
            }
            begin = Array(pads[0..<n]); end = Array(pads[n...])
            output = requested ?? (0..<n).map { natural[$0] - begin[$0] - end[$0] }
        } else {
            switch autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                output = requested ?? (0..<n).map { input[$0] * strides[$0] }
                for i in 0..<n {
                    let total = natural[i] - output[i]
                    let half = Int((Double(total) / 2).rounded(.down))
                    begin[i] = autoPad == "SAME_UPPER" ? half : total - half
                    end[i] = total - begin[i]
                }
            case "NOTSET", "", "VALID":
                output = requested ?? natural
            default:
                throw node.error(.invalidNode, "unknown auto_pad '\(autoPad)'", attribute: "auto_pad")
            }
        }
        guard output.allSatisfy({ $0 > 0 }) else {
            throw node.error(.shapeMismatch, "computed output size \(output) is not positive")
        }
        return SpatialGeometry(kernel: kernel, strides: strides, dilations: dilations,
                               padsBegin: begin, padsEnd: end, outputSize: output)
    }
}

/// ConvTranspose on float32. `shape` describes the equivalent forward convolution: its input
/// is this node's output (M channels), its output this node's input X (C channels).
final class ConvTransposeKernel: Kernel {
    let shape: ConvShape
    /// Column scratch for one image and group: (M/group)·kernel × input pixels.
    private let columns: UnsafeMutablePointer<Float>

    init(_ shape: ConvShape) {
        self.shape = shape
        columns = .allocate(capacity: max(shape.patchSize * shape.outputPixels, 1))
    }

    deinit { columns.deallocate() }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let w = inputs[1] else { return }
        let bias = inputs.count > 2 ? inputs[2]?.floats : nil
        let s = shape
        let out = outputs[0].floats
        let outChannels = s.channels, inChannels = s.filters
        let perGroupOut = s.channelsPerGroup, perGroupIn = s.filtersPerGroup
        for n in 0..<s.batch {
            for g in 0..<s.group {
                let result = out + (n * outChannels + g * perGroupOut) * s.inputPixels
                for m in 0..<perGroupOut {
                    (result + m * s.inputPixels).update(repeating: bias?[g * perGroupOut + m] ?? 0, count: s.inputPixels)
                }
                guard s.outputPixels > 0, perGroupIn > 0 else { continue }
                let input = x.floats + (n * inChannels + g * perGroupIn) * s.outputPixels
                BLAS.sgemm(transposeA: true, m: s.patchSize, n: s.outputPixels, k: perGroupIn,
                           a: w.floats + g * perGroupIn * s.patchSize, lda: s.patchSize,
                           b: input, ldb: s.outputPixels, c: columns, ldc: s.outputPixels)
                Im2Col.accumulate(columns, into: result, shape: s)
            }
        }
    }
}

/// Direct transposed convolution, the reference `ConvTransposeKernel` is tested against.
/// `shape` is the equivalent forward convolution, as for the kernel.
enum ReferenceConvTranspose {
    static func run(x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                    out: UnsafeMutablePointer<Float>, shape s: ConvShape) {
        let outChannels = s.channels, perGroupOut = s.channelsPerGroup, perGroupIn = s.filtersPerGroup
        for n in 0..<s.batch {
            for m in 0..<outChannels {
                (out + (n * outChannels + m) * s.inputPixels).update(repeating: bias?[m] ?? 0, count: s.inputPixels)
            }
            for c in 0..<s.filters {
                let g = c / perGroupIn
                for od in 0..<s.outD { for oh in 0..<s.outH { for ow in 0..<s.outW {
                    let xv = x[(((n * s.filters + c) * s.outD + od) * s.outH + oh) * s.outW + ow]
                    for mg in 0..<perGroupOut {
                        let m = g * perGroupOut + mg
                        for kd in 0..<s.kD { for kh in 0..<s.kH { for kw in 0..<s.kW {
                            let id = od * s.strideD - s.padFront + kd * s.dilationD
                            let ih = oh * s.strideH - s.padTop + kh * s.dilationH
                            let iw = ow * s.strideW - s.padLeft + kw * s.dilationW
                            guard id >= 0 && id < s.inD && ih >= 0 && ih < s.inH && iw >= 0 && iw < s.inW else { continue }
                            let wv = w[(((c * perGroupOut + mg) * s.kD + kd) * s.kH + kh) * s.kW + kw]
                            out[(((n * outChannels + m) * s.inD + id) * s.inH + ih) * s.inW + iw] += xv * wv
                        } } }
                    }
                } } }
            }
        }
    }
}
