import CSupport

/// Conv (opsets 1, 11, 22 — same semantics; 22 only adds bfloat16): 1-D, 2-D and 3-D
/// convolution over N×C×spatial row-major tensors, with groups, strides, dilations, explicit
/// pads and auto_pad.
///
/// Kernels: depthwise convolutions (one input channel per group) use a direct loop; everything
/// else is seu-onnx's GEMM with the im2col matrix packed on the fly (see `ConvKernel`).
/// `ReferenceConv` is the plain loop the fast paths are tested against.
enum ConvOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Conv") { context in
            let x = try context.expect(0, [.float])
            let w = try context.expect(1, [.float])
            guard (3...5).contains(x.rank) else {
                throw context.error("only 1-D, 2-D and 3-D convolutions are supported (input rank \(x.rank))", kind: .unsupportedOperator)
            }
            guard w.rank == x.rank else {
                throw context.error("weight rank \(w.rank) does not match input rank \(x.rank)", kind: .shapeMismatch)
            }
            let group = try context.node.int("group", default: 1)
            let channels = x.shape[1], filters = w.shape[0]
            guard group > 0, channels % group == 0, filters % group == 0, w.shape[1] == channels / group else {
                throw context.error("weight \(w.shape) does not fit input \(x.shape) with group \(group)", kind: .shapeMismatch)
            }
            let kernelShape = try context.node.ints("kernel_shape") ?? Array(w.shape[2...])
            guard kernelShape == Array(w.shape[2...]) else {
                throw context.error("kernel_shape \(kernelShape) does not match weight \(w.shape)", attribute: "kernel_shape")
            }
            if context.hasInput(2) {
                let b = try context.expect(2, [.float])
                guard b.count == filters else {
                    throw context.error("bias has \(b.count) elements, expected \(filters)", kind: .shapeMismatch)
                }
            }
            try WindowLimits.check(context.node)
            let geometry = try SpatialGeometry.resolve(node: context.node, inputSpatial: Array(x.shape[2...]),
                                                       kernel: kernelShape)
            let outputShape = [x.shape[0], filters] + geometry.outputSize
            try WindowLimits.check(context.node, elements: outputShape, what: "output")
            let shape = ConvShape(input: x.shape, filters: filters, group: group, geometry: geometry)
            return KernelBuild(kernel: ConvKernel(shape), outputType: ValueType(.float, outputShape))
        })
    }
}

/// Conv on float32: inputs X, W, optional B; output preallocated.
///
/// Non-depthwise convolutions are one GEMM per group over the whole batch: A = the group's
/// filters (F/g × C/g·taps, read in place), B = the implicit im2col matrix packed straight from
/// the input (columns = images × output pixels, so small planes still make wide products), C =
/// the output planes; bias and an optional fused ReLU are applied in the GEMM's epilogue. Every
/// output element is the fixed fma chain of `GEMM`, so `run(rows:images:)` recomputes any
/// subset of filters and images bit-identically to a full run (incremental fault injection).
final class ConvKernel: Kernel {
    let shape: ConvShape
    /// ReLU applied to the output (a Conv → Relu pair fused at plan time).
    var fusedRelu = false
    /// Kernel offsets of every tap (already multiplied by the dilation), in weight order.
    private let taps: UnsafeMutablePointer<Int32>
    private var geometry: seu_conv_geometry
    /// Packing plans of the column blocks, reused by every run (and every partial run).
    private let planCache: OpaquePointer?

    init(_ shape: ConvShape) {
        self.shape = shape
        let s = shape
        let count = s.kernelSize
        taps = .allocate(capacity: max(3 * count, 3))
        for t in 0..<count {
            let kw = t % s.kW, kh = (t / s.kW) % s.kH, kd = t / (s.kW * s.kH)
            taps[t] = Int32(kd * s.dilationD)
            taps[count + t] = Int32(kh * s.dilationH)
            taps[2 * count + t] = Int32(kw * s.dilationW)
        }
        geometry = seu_conv_geometry(
            channels: Int32(s.channelsPerGroup), in_d: Int32(s.inD), in_h: Int32(s.inH), in_w: Int32(s.inW),
            out_d: Int32(s.outD), out_h: Int32(s.outH), out_w: Int32(s.outW),
            stride_d: Int32(s.strideD), stride_h: Int32(s.strideH), stride_w: Int32(s.strideW),
            pad_d: Int32(s.padFront), pad_h: Int32(s.padTop), pad_w: Int32(s.padLeft),
            taps: Int32(count), tap_d: taps, tap_h: taps + count, tap_w: taps + 2 * count,
            image_stride: s.channels * s.inputPixels, channel_stride: s.inputPixels)
        planCache = seu_conv_plan_cache_create()
    }

    deinit {
        taps.deallocate()
        seu_conv_plan_cache_destroy(planCache)
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        try run(inputs: inputs, output: outputs[0], filters: 0..<shape.filters, images: 0..<shape.batch)
    }

    /// Computes output planes of `filters` × `images` only (the rest of `output` is untouched),
    /// bit-identical to the same planes of a full run.
    func run(inputs: [Tensor?], output: Tensor, filters: Range<Int>, images: Range<Int>) throws {
        guard let x = inputs[0], let w = inputs[1] else { return }
        let bias = inputs.count > 2 ? inputs[2]?.floats : nil
        let s = shape
        let out = output.floats
        guard s.outputPixels > 0, !filters.isEmpty, !images.isEmpty else { return }
        if s.isDepthwise {
            DepthwiseConv.run(x: x.floats, w: w.floats, bias: bias, out: out, shape: s, filters: filters,
                              images: images, relu: fusedRelu)
            return
        }
        let pixels = s.outputPixels, k = s.patchSize
        let columns = images.lowerBound * pixels..<images.upperBound * pixels
        try withUnsafePointer(to: &geometry) { geometry in
            for g in 0..<s.group {
                let groupFilters = g * s.filtersPerGroup..<(g + 1) * s.filtersPerGroup
                let rows = max(filters.lowerBound, groupFilters.lowerBound)..<min(filters.upperBound, groupFilters.upperBound)
                guard !rows.isEmpty else { continue }
                var args = seu_gemm_args()
                args.m = s.filtersPerGroup; args.n = s.batch * pixels; args.k = k
                args.a = UnsafePointer(w.floats + g * s.filtersPerGroup * k); args.lda = k
                args.b_kind = Int32(SEU_B_CONV)
                args.b = UnsafePointer(x.floats + g * s.channelsPerGroup * s.inputPixels)
                args.conv = geometry
                args.plan_cache = planCache
                args.c = out + g * s.filtersPerGroup * pixels
                args.c_rs = pixels; args.c_block = pixels; args.c_bstride = s.filters * pixels
                args.row_bias = bias.map { UnsafePointer($0 + g * s.filtersPerGroup) }
                args.relu = fusedRelu ? 1 : 0
                let local = rows.lowerBound - groupFilters.lowerBound..<rows.upperBound - groupFilters.lowerBound
                try GEMM.run(&args, rows: local, columns: columns)
            }
        }
    }

    /// Computes the planes of filter `f` for `images` with the filter's weights taken from `row`
    /// (its C/g × taps values) and bias `bias` instead of W and B — a faulty copy of one filter,
    /// so the shared weights are never written. Bit-identical to a full run with those values.
    func run(filter f: Int, row: UnsafePointer<Float>, bias: Float?, x: Tensor, output: Tensor, images: Range<Int>) throws {
        let s = shape
        guard s.outputPixels > 0, !images.isEmpty, f >= 0, f < s.filters else { return }
        var biasValue = bias ?? 0
        if s.isDepthwise {
            withUnsafePointer(to: &biasValue) { b in
                DepthwiseConv.run(x: x.floats, w: row, bias: bias == nil ? nil : b, out: output.floats, shape: s,
                                  filters: f..<f + 1, images: images, relu: fusedRelu, rowForFirstFilter: true)
            }
            return
        }
        let pixels = s.outputPixels, g = f / s.filtersPerGroup
        try withUnsafePointer(to: &geometry) { geometry in
            try withUnsafePointer(to: &biasValue) { b in
                var args = seu_gemm_args()
                args.m = 1; args.n = s.batch * pixels; args.k = s.patchSize
                args.a = row; args.lda = s.patchSize
                args.b_kind = Int32(SEU_B_CONV)
                args.b = UnsafePointer(x.floats + g * s.channelsPerGroup * s.inputPixels)
                args.conv = geometry
                args.plan_cache = planCache
                args.c = output.floats + f * pixels
                args.c_rs = pixels; args.c_block = pixels; args.c_bstride = s.filters * pixels
                args.row_bias = bias == nil ? nil : b
                args.relu = fusedRelu ? 1 : 0
                try GEMM.run(&args, rows: 0..<1, columns: images.lowerBound * pixels..<images.upperBound * pixels)
            }
        }
    }
}

/// Direct convolution, the plain reference the fast kernels are tested against (any groups,
/// strides, dilations and pads, 1-D to 3-D).
enum ReferenceConv {
    static func run(x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                    out: UnsafeMutablePointer<Float>, shape s: ConvShape) {
        for n in 0..<s.batch {
            for f in 0..<s.filters {
                let g = f / s.filtersPerGroup
                for od in 0..<s.outD {
                    for oh in 0..<s.outH {
                        for ow in 0..<s.outW {
                            var sum: Float = bias?[f] ?? 0
                            for c in 0..<s.channelsPerGroup {
                                for kd in 0..<s.kD {
                                    let id = od * s.strideD - s.padFront + kd * s.dilationD
                                    guard id >= 0 && id < s.inD else { continue }
                                    for kh in 0..<s.kH {
                                        let ih = oh * s.strideH - s.padTop + kh * s.dilationH
                                        guard ih >= 0 && ih < s.inH else { continue }
                                        for kw in 0..<s.kW {
                                            let iw = ow * s.strideW - s.padLeft + kw * s.dilationW
                                            guard iw >= 0 && iw < s.inW else { continue }
                                            let channel = n * s.channels + g * s.channelsPerGroup + c
                                            let xv = x[((channel * s.inD + id) * s.inH + ih) * s.inW + iw]
                                            let wv = w[(((f * s.channelsPerGroup + c) * s.kD + kd) * s.kH + kh) * s.kW + kw]
                                            sum += xv * wv
                                        }
                                    }
                                }
                            }
                            out[(((n * s.filters + f) * s.outD + od) * s.outH + oh) * s.outW + ow] = sum
                        }
                    }
                }
            }
        }
    }
}
