/// Conv (opsets 1, 11, 22 — same semantics; 22 only adds bfloat16): 1-D, 2-D and 3-D
/// convolution over N×C×spatial row-major tensors, with groups, strides, dilations, explicit
/// pads and auto_pad.
///
/// Kernels: depthwise convolutions (one input channel per group) use a direct loop; 1×1
/// unit-stride unpadded convolutions multiply the input plane directly with OpenBLAS sgemm;
/// everything else is im2col + sgemm per image and group. `ReferenceConv` is the plain loop the
/// fast paths are tested against.
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
            try WindowLimits.check(context.node, elements: [w.count / max(filters, 1)] + geometry.outputSize, what: "im2col scratch")
            let shape = ConvShape(input: x.shape, filters: filters, group: group, geometry: geometry)
            return KernelBuild(kernel: ConvKernel(shape), outputType: ValueType(.float, outputShape))
        })
    }
}

/// Conv on float32: inputs X, W, optional B; output preallocated.
///
/// Small output planes make thin GEMMs (N = output pixels, e.g. 49 at the end of a ResNet),
/// which BLAS runs inefficiently; for batches, `imagesPerGemm` images' column matrices are laid
/// side by side (N = images × pixels) and the product is scattered back to N×C×… order with the
/// bias. Large planes (or batch 1) multiply straight into the output.
final class ConvKernel: Kernel {
    let shape: ConvShape
    let imagesPerGemm: Int
    /// Column scratch: patchSize × (imagesPerGemm × outputPixels); unused (1 element) for
    /// depthwise and for single-image pointwise convolutions.
    private let columns: UnsafeMutablePointer<Float>
    /// GEMM result for several images: filtersPerGroup × (imagesPerGemm × outputPixels).
    private let product: UnsafeMutablePointer<Float>

    /// GEMMs narrower than this many columns are widened with more images when the batch allows.
    static let targetColumns = 1024

    init(_ shape: ConvShape) {
        self.shape = shape
        let pixels = max(shape.outputPixels, 1)
        imagesPerGemm = shape.isDepthwise ? 1 : min(max(shape.batch, 1), max(1, (Self.targetColumns + pixels - 1) / pixels))
        let needsColumns = !shape.isDepthwise && (!shape.isPointwise || imagesPerGemm > 1)
        columns = .allocate(capacity: needsColumns ? max(shape.patchSize * imagesPerGemm * shape.outputPixels, 1) : 1)
        product = .allocate(capacity: imagesPerGemm > 1 ? max(shape.filtersPerGroup * imagesPerGemm * shape.outputPixels, 1) : 1)
    }

    deinit {
        columns.deallocate()
        product.deallocate()
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let w = inputs[1] else { return }
        let bias = inputs.count > 2 ? inputs[2]?.floats : nil
        let s = shape
        let out = outputs[0].floats
        guard s.outputPixels > 0, s.filters > 0, s.batch > 0 else { return }
        if s.isDepthwise {
            DepthwiseConv.run(x: x.floats, w: w.floats, bias: bias, out: out, shape: s)
            return
        }
        guard s.patchSize > 0 else {
            // No input channels: the output is the bias.
            for plane in 0..<(s.batch * s.filters) {
                (out + plane * s.outputPixels).update(repeating: bias?[plane % s.filters] ?? 0, count: s.outputPixels)
            }
            return
        }
        if imagesPerGemm > 1 {
            var first = 0
            while first < s.batch {
                let count = min(imagesPerGemm, s.batch - first)
                for g in 0..<s.group { multiplyImages(first, count, group: g, x.floats, w.floats, bias, out) }
                first += count
            }
            return
        }
        for n in 0..<s.batch {
            for g in 0..<s.group { multiplyImage(n, group: g, x.floats, w.floats, bias, out) }
        }
    }

    /// One image and group, straight into the output (which starts as the bias, beta = 1).
    private func multiplyImage(_ n: Int, group g: Int, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                               _ bias: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>) {
        let s = shape, pixels = s.outputPixels
        let input = x + (n * s.channels + g * s.channelsPerGroup) * s.inputPixels
        let result = out + (n * s.filters + g * s.filtersPerGroup) * pixels
        if let bias {
            for f in 0..<s.filtersPerGroup {
                (result + f * pixels).update(repeating: bias[g * s.filtersPerGroup + f], count: pixels)
            }
        }
        let b: UnsafePointer<Float>
        if s.isPointwise {
            b = input
        } else {
            Im2Col.fill(columns, from: input, shape: s)
            b = UnsafePointer(columns)
        }
        BLAS.sgemm(m: s.filtersPerGroup, n: pixels, k: s.patchSize,
                   a: w + g * s.filtersPerGroup * s.patchSize, lda: s.patchSize,
                   b: b, ldb: pixels, beta: bias == nil ? 0 : 1, c: result, ldc: pixels)
    }

    /// Images `first..<first+count` of one group in a single GEMM through `product`.
    private func multiplyImages(_ first: Int, _ count: Int, group g: Int, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                _ bias: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>) {
        let s = shape, pixels = s.outputPixels
        let width = count * pixels
        for i in 0..<count {
            let input = x + ((first + i) * s.channels + g * s.channelsPerGroup) * s.inputPixels
            if s.isPointwise {
                for c in 0..<s.channelsPerGroup {
                    (columns + c * width + i * pixels).update(from: input + c * pixels, count: pixels)
                }
            } else {
                Im2Col.fill(columns + i * pixels, from: input, shape: s, rowStride: width)
            }
        }
        BLAS.sgemm(m: s.filtersPerGroup, n: width, k: s.patchSize,
                   a: w + g * s.filtersPerGroup * s.patchSize, lda: s.patchSize,
                   b: columns, ldb: width, c: product, ldc: width)
        for i in 0..<count {
            for f in 0..<s.filtersPerGroup {
                let filter = g * s.filtersPerGroup + f
                let source = product + f * width + i * pixels
                let target = out + ((first + i) * s.filters + filter) * pixels
                let b = bias?[filter] ?? 0
                for p in 0..<pixels { target[p] = source[p] + b }
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
