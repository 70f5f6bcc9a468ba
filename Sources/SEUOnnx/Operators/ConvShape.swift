/// Sizes of a convolution (or pooling) problem over one to three spatial axes.
///
/// Conventions: tensors are row-major N×C×(D)×(H)×W. 1-D and 2-D problems are expressed as 3-D
/// with leading spatial sizes of 1 (and unit kernel, stride and dilation there), so one set of
/// loops serves every rank. Pads are the resolved begin/end pads of `SpatialGeometry`.
struct ConvShape: Equatable {
    let batch: Int, channels: Int
    let inD: Int, inH: Int, inW: Int
    let filters: Int, group: Int
    let kD: Int, kH: Int, kW: Int
    let strideD: Int, strideH: Int, strideW: Int
    let dilationD: Int, dilationH: Int, dilationW: Int
    let padFront: Int, padTop: Int, padLeft: Int
    let padBack: Int, padBottom: Int, padRight: Int
    let outD: Int, outH: Int, outW: Int

    /// `input` is the full N×C×spatial shape (1 to 3 spatial axes); `filters` the output channels.
    init(input: [Int], filters: Int, group: Int, geometry g: SpatialGeometry) {
        let spatial = input.count - 2
        /// Value of spatial axis `axis` (0 = D, 1 = H, 2 = W) or `fill` when the problem has fewer axes.
        func pick(_ values: [Int], _ axis: Int, _ fill: Int) -> Int {
            let i = axis - (3 - spatial)
            return i >= 0 && i < values.count ? values[i] : fill
        }
        let inputSpatial = Array(input.dropFirst(2))
        batch = input[0]; channels = input[1]
        inD = pick(inputSpatial, 0, 1); inH = pick(inputSpatial, 1, 1); inW = pick(inputSpatial, 2, 1)
        self.filters = filters; self.group = group
        kD = pick(g.kernel, 0, 1); kH = pick(g.kernel, 1, 1); kW = pick(g.kernel, 2, 1)
        strideD = pick(g.strides, 0, 1); strideH = pick(g.strides, 1, 1); strideW = pick(g.strides, 2, 1)
        dilationD = pick(g.dilations, 0, 1); dilationH = pick(g.dilations, 1, 1); dilationW = pick(g.dilations, 2, 1)
        padFront = pick(g.padsBegin, 0, 0); padTop = pick(g.padsBegin, 1, 0); padLeft = pick(g.padsBegin, 2, 0)
        padBack = pick(g.padsEnd, 0, 0); padBottom = pick(g.padsEnd, 1, 0); padRight = pick(g.padsEnd, 2, 0)
        outD = pick(g.outputSize, 0, 1); outH = pick(g.outputSize, 1, 1); outW = pick(g.outputSize, 2, 1)
    }

    var channelsPerGroup: Int { channels / group }
    var filtersPerGroup: Int { filters / group }
    var kernelSize: Int { kD * kH * kW }
    /// Rows of the im2col matrix (the GEMM's K).
    var patchSize: Int { channelsPerGroup * kernelSize }
    var inputPixels: Int { inD * inH * inW }
    var outputPixels: Int { outD * outH * outW }
    /// A 1×1 convolution with unit strides and no padding: the input plane is already the
    /// im2col matrix.
    var isPointwise: Bool {
        kernelSize == 1 && strideD == 1 && strideH == 1 && strideW == 1
            && padFront == 0 && padTop == 0 && padLeft == 0
            && outD == inD && outH == inH && outW == inW
    }
    /// One input channel per group (depthwise, possibly with a channel multiplier).
    var isDepthwise: Bool { group > 1 && channelsPerGroup == 1 }
}

/// Valid output range along one axis for one kernel tap: the outputs `o` in `first..<last` read
/// input `o * stride + offset` inside `0..<size`. Lets inner loops run without bounds checks.
@inline(__always)
func validOutputRange(offset: Int, stride: Int, size: Int, outputs: Int) -> (first: Int, last: Int) {
    // first: smallest o with o*stride + offset >= 0; last: smallest o with o*stride + offset >= size.
    let first = offset >= 0 ? 0 : (-offset + stride - 1) / stride
    let last = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride
    let lo = min(max(first, 0), outputs)
    return (lo, max(lo, min(last, outputs)))
}

/// Pooling windows along one spatial axis, precomputed so that the pooling loops do no
/// division: output `o` starts at input position `start[o]` (may be negative in the padding),
/// its taps `first[o]..<last[o]` fall inside the input, and taps `padFirst[o]..<padLast[o]`
/// inside the explicitly padded extent (for `count_include_pad`).
struct PoolingWindows {
    let start: [Int], first: [Int], last: [Int]
    let padFirst: [Int], padLast: [Int]

    init(outputs: Int, stride: Int, padBegin: Int, padEnd: Int, kernel: Int, dilation: Int, input: Int) {
        var start: [Int] = [], first: [Int] = [], last: [Int] = [], padFirst: [Int] = [], padLast: [Int] = []
        for o in 0..<outputs {
            let s = o * stride - padBegin
            let valid = validOutputRange(offset: s, stride: dilation, size: input, outputs: kernel)
            let padded = validOutputRange(offset: s + padBegin, stride: dilation, size: input + padBegin + padEnd, outputs: kernel)
            start.append(s); first.append(valid.first); last.append(valid.last)
            padFirst.append(padded.first); padLast.append(padded.last)
        }
        self.start = start; self.first = first; self.last = last
        self.padFirst = padFirst; self.padLast = padLast
    }

    /// For each width tap `kw`: the outputs `first..<last` whose tap lies inside the input, and
    /// the input offset `offset` (input index = ow·stride + offset). Lets row loops over `ow`
    /// run without bounds checks, so they vectorise.
    static func widthTaps(_ s: ConvShape) -> [(first: Int, last: Int, offset: Int)] {
        (0..<s.kW).map { kw in
            let offset = kw * s.dilationW - s.padLeft
            let range = validOutputRange(offset: offset, stride: s.strideW, size: s.inW, outputs: s.outW)
            return (range.first, range.last, offset)
        }
    }

    /// Windows of the depth, height and width axes of a pooling problem.
    static func axes(_ s: ConvShape) -> (d: PoolingWindows, h: PoolingWindows, w: PoolingWindows) {
        (PoolingWindows(outputs: s.outD, stride: s.strideD, padBegin: s.padFront, padEnd: s.padBack,
                        kernel: s.kD, dilation: s.dilationD, input: s.inD),
         PoolingWindows(outputs: s.outH, stride: s.strideH, padBegin: s.padTop, padEnd: s.padBottom,
                        kernel: s.kH, dilation: s.dilationH, input: s.inH),
         PoolingWindows(outputs: s.outW, stride: s.strideW, padBegin: s.padLeft, padEnd: s.padRight,
                        kernel: s.kW, dilation: s.dilationW, input: s.inW))
    }
}

/// Plan-time sanity limits for convolution and pooling nodes: attribute values from a file must
/// not overflow the size arithmetic (Swift traps on overflow) or make the planner allocate
/// without bound.
enum WindowLimits {
    /// Largest magnitude accepted for pads, strides, dilations, kernel and output sizes.
    static let attributeLimit = 1 << 24
    /// Largest element count accepted for an output or a scratch buffer.
    static let elementLimit = 1 << 34

    static func check(_ node: Node) throws {
        for name in ["pads", "strides", "dilations", "kernel_shape", "output_padding", "output_shape"] {
            guard let values = try node.ints(name) else { continue }
            guard values.allSatisfy({ $0 >= -attributeLimit && $0 <= attributeLimit }) else {
                throw node.error(.invalidNode, "\(name) \(values) is out of range", attribute: name)
            }
        }
        if let kernel = try node.ints("kernel_shape") { try check(node, elements: kernel, what: "kernel") }
    }

    /// Throws when the product of `sizes` exceeds `elementLimit` (computed without overflow).
    static func check(_ node: Node, elements sizes: [Int], what: String) throws {
        let total = sizes.reduce(1.0) { $0 * Double(max($1, 0)) }
        guard total <= Double(elementLimit) else {
            throw node.error(.unsupportedOperator, "\(what) of \(sizes) elements is too large")
        }
    }
}
