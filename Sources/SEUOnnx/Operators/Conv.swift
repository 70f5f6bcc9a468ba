/// Conv: 1-D and 2-D convolution (NCHW), with groups (depthwise included), strides, dilations,
/// explicit pads and auto_pad. Lowered to im2col + OpenBLAS sgemm per image and group; 1×1
/// convolutions with unit stride and no padding skip im2col.
enum ConvOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Conv") { context in
            let x = try context.expect(0, [.float])
            let w = try context.expect(1, [.float])
            guard x.rank == 3 || x.rank == 4 else {
                throw context.error("only 1-D and 2-D convolutions are supported (input rank \(x.rank))", kind: .unsupportedOperator)
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
            let geometry = try SpatialGeometry.resolve(node: context.node, inputSpatial: Array(x.shape[2...]),
                                                       kernel: kernelShape)
            let conv = Conv2DShape(input: x.shape, filters: filters, group: group, geometry: geometry)
            let outputShape = [x.shape[0], filters] + geometry.outputSize
            return KernelBuild(kernel: ConvKernel(conv), outputType: ValueType(.float, outputShape))
        })
    }
}

/// A convolution's sizes with 1-D problems expressed as 2-D (height 1).
struct Conv2DShape {
    let batch: Int, channels: Int, height: Int, width: Int
    let filters: Int, group: Int
    let kernelH: Int, kernelW: Int
    let strideH: Int, strideW: Int, dilationH: Int, dilationW: Int
    let padTop: Int, padLeft: Int
    let outH: Int, outW: Int

    init(input: [Int], filters: Int, group: Int, geometry g: SpatialGeometry) {
        let twoD = input.count == 4
        batch = input[0]; channels = input[1]
        height = twoD ? input[2] : 1; width = twoD ? input[3] : input[2]
        self.filters = filters; self.group = group
        kernelH = twoD ? g.kernel[0] : 1; kernelW = g.kernel[twoD ? 1 : 0]
        strideH = twoD ? g.strides[0] : 1; strideW = g.strides[twoD ? 1 : 0]
        dilationH = twoD ? g.dilations[0] : 1; dilationW = g.dilations[twoD ? 1 : 0]
        padTop = twoD ? g.padsBegin[0] : 0; padLeft = g.padsBegin[twoD ? 1 : 0]
        outH = twoD ? g.outputSize[0] : 1; outW = g.outputSize[twoD ? 1 : 0]
    }

    var channelsPerGroup: Int { channels / group }
    var filtersPerGroup: Int { filters / group }
    /// Rows of the im2col matrix (the GEMM's K).
    var patchSize: Int { channelsPerGroup * kernelH * kernelW }
    var outputPixels: Int { outH * outW }
    var isPointwise: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0
            && outH == height && outW == width
    }
}

final class ConvKernel: Kernel {
    let shape: Conv2DShape
    /// im2col scratch for one image and group: patchSize × outputPixels.
    private let columns: UnsafeMutablePointer<Float>

    init(_ shape: Conv2DShape) {
        self.shape = shape
        let size = shape.isPointwise ? 1 : shape.patchSize * shape.outputPixels
        columns = .allocate(capacity: max(size, 1))
    }

    deinit { columns.deallocate() }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let w = inputs[1] else { return }
        let bias = inputs.count > 2 ? inputs[2] : nil
        let s = shape
        let out = outputs[0].floats
        let pixels = s.outputPixels
        let imageSize = s.channels * s.height * s.width
        for n in 0..<s.batch {
            for g in 0..<s.group {
                let input = x.floats + n * imageSize + g * s.channelsPerGroup * s.height * s.width
                let result = out + (n * s.filters + g * s.filtersPerGroup) * pixels
                if let bias {
                    for f in 0..<s.filtersPerGroup {
                        let value = bias.floats[g * s.filtersPerGroup + f]
                        (result + f * pixels).update(repeating: value, count: pixels)
                    }
                }
                let b: UnsafePointer<Float>
                if s.isPointwise {
                    b = UnsafePointer(input)
                } else {
                    Im2Col.fill(columns, from: input, shape: s)
                    b = UnsafePointer(columns)
                }
                BLAS.sgemm(m: s.filtersPerGroup, n: pixels, k: s.patchSize,
                           a: w.floats + g * s.filtersPerGroup * s.patchSize, lda: s.patchSize,
                           b: b, ldb: pixels, beta: bias == nil ? 0 : 1, c: result, ldc: pixels)
            }
        }
    }
}

/// Unfolds convolution patches into a matrix: row (c, kh, kw), column (oh, ow).
enum Im2Col {
    static func fill(_ columns: UnsafeMutablePointer<Float>, from input: UnsafePointer<Float>, shape s: Conv2DShape) {
        let rows = s.patchSize
        let pixels = s.outputPixels
        Parallel.forEach(rows, minimumPerThread: max(1, 32_768 / max(pixels, 1))) { range in
            for row in range {
                let kw = row % s.kernelW
                let kh = (row / s.kernelW) % s.kernelH
                let c = row / (s.kernelW * s.kernelH)
                let plane = input + c * s.height * s.width
                let destination = columns + row * pixels
                for oh in 0..<s.outH {
                    let ih = oh * s.strideH - s.padTop + kh * s.dilationH
                    let line = destination + oh * s.outW
                    guard ih >= 0 && ih < s.height else {
                        line.update(repeating: 0, count: s.outW)
                        continue
                    }
                    let source = plane + ih * s.width
                    let offset = kw * s.dilationW - s.padLeft
                    if s.strideW == 1 {
                        // Contiguous run: zeros where the window leaves the row, then a copy.
                        let first = min(s.outW, max(0, -offset))
                        let last = max(first, min(s.outW, s.width - offset))
                        line.update(repeating: 0, count: first)
                        (line + first).update(from: source + first + offset, count: last - first)
                        (line + last).update(repeating: 0, count: s.outW - last)
                    } else {
                        for ow in 0..<s.outW {
                            let iw = ow * s.strideW + offset
                            line[ow] = iw >= 0 && iw < s.width ? source[iw] : 0
                        }
                    }
                }
            }
        }
    }
}

/// Direct convolution, the plain reference the im2col + sgemm kernel is tested against.
enum ReferenceConv {
    static func run(x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                    out: UnsafeMutablePointer<Float>, shape s: Conv2DShape) {
        for n in 0..<s.batch {
            for f in 0..<s.filters {
                let g = f / s.filtersPerGroup
                for oh in 0..<s.outH {
                    for ow in 0..<s.outW {
                        var sum: Float = bias?[f] ?? 0
                        for c in 0..<s.channelsPerGroup {
                            for kh in 0..<s.kernelH {
                                let ih = oh * s.strideH - s.padTop + kh * s.dilationH
                                guard ih >= 0 && ih < s.height else { continue }
                                for kw in 0..<s.kernelW {
                                    let iw = ow * s.strideW - s.padLeft + kw * s.dilationW
                                    guard iw >= 0 && iw < s.width else { continue }
                                    let xv = x[((n * s.channels + g * s.channelsPerGroup + c) * s.height + ih) * s.width + iw]
                                    let wv = w[((f * s.channelsPerGroup + c) * s.kernelH + kh) * s.kernelW + kw]
                                    sum += xv * wv
                                }
                            }
                        }
                        out[((n * s.filters + f) * s.outH + oh) * s.outW + ow] = sum
                    }
                }
            }
        }
    }
}
