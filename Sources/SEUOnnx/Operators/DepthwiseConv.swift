/// Direct depthwise convolution: every group has one input channel (`group == channels`, with
/// any channel multiplier `filters / group`). im2col + GEMM would multiply 1×K by K×P matrices,
/// which BLAS handles poorly; a direct loop over kernel taps with bounds hoisted out of the
/// inner loop is faster. Output planes are split across threads.
enum DepthwiseConv {
    /// Computes the output planes of `filters` × `images` (default all), then ReLU when `relu`.
    /// With `rowForFirstFilter`, `w` and `bias` point at the values of `filters.lowerBound`.
    /// Each plane is computed alone, so any subset equals the same planes of a full run.
    static func run(x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                    out: UnsafeMutablePointer<Float>, shape s: ConvShape, filters: Range<Int>? = nil,
                    images: Range<Int>? = nil, relu: Bool = false, rowForFirstFilter: Bool = false) {
        let filters = filters ?? 0..<s.filters, images = images ?? 0..<s.batch
        let planes = images.count * filters.count
        let work = s.outputPixels * s.kernelSize
        Parallel.forEach(planes, minimumPerThread: max(1, 32_768 / max(work, 1))) { range in
            for index in range {
                let n = images.lowerBound + index / filters.count, f = filters.lowerBound + index % filters.count
                let plane = n * s.filters + f
                let channel = f / s.filtersPerGroup
                let input = x + (n * s.channels + channel) * s.inputPixels
                // `rowForFirstFilter`: w holds only the first filter's taps (a faulty copy).
                let weights = rowForFirstFilter ? w + (f - filters.lowerBound) * s.kernelSize : w + f * s.kernelSize
                let output = out + plane * s.outputPixels
                output.update(repeating: bias.map { rowForFirstFilter ? $0[f - filters.lowerBound] : $0[f] } ?? 0, count: s.outputPixels)
                for od in 0..<s.outD {
                    for oh in 0..<s.outH {
                        let line = output + (od * s.outH + oh) * s.outW
                        for kd in 0..<s.kD {
                            let id = od * s.strideD - s.padFront + kd * s.dilationD
                            guard id >= 0 && id < s.inD else { continue }
                            for kh in 0..<s.kH {
                                let ih = oh * s.strideH - s.padTop + kh * s.dilationH
                                guard ih >= 0 && ih < s.inH else { continue }
                                let row = input + (id * s.inH + ih) * s.inW
                                for kw in 0..<s.kW {
                                    let weight = weights[(kd * s.kH + kh) * s.kW + kw]
                                    let offset = kw * s.dilationW - s.padLeft
                                    let (first, last) = validOutputRange(offset: offset, stride: s.strideW,
                                                                         size: s.inW, outputs: s.outW)
                                    let source = row + offset
                                    if s.strideW == 1 {
                                        for ow in first..<last { line[ow] += weight * source[ow] }
                                    } else {
                                        for ow in first..<last { line[ow] += weight * source[ow * s.strideW] }
                                    }
                                }
                            }
                        }
                    }
                }
                if relu {
                    for i in 0..<s.outputPixels where output[i] < 0 { output[i] = 0 }
                }
            }
        }
    }
}
