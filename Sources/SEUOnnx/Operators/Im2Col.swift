/// Unfolds convolution patches into a matrix and folds them back.
///
/// Layout (one image, one group): the column matrix is `patchSize × outputPixels`, row-major;
/// row `(c, kd, kh, kw)` holds, for every output pixel `(od, oh, ow)`, the input element that
/// kernel tap meets (0 in the padding). `Im2Col.fill` builds it for Conv; `Im2Col.accumulate`
/// is its adjoint (adds every column entry back to its input position) for ConvTranspose.
enum Im2Col {
    /// Fills `columns` from one group's input channels (`input` points at its first channel).
    /// Rows are `rowStride` elements apart (default `outputPixels`), so several images' columns
    /// can sit side by side in one matrix.
    static func fill(_ columns: UnsafeMutablePointer<Float>, from input: UnsafePointer<Float>, shape s: ConvShape,
                     rowStride: Int? = nil) {
        let pixels = s.outputPixels
        let stride = rowStride ?? pixels
        let planeSize = s.outH * s.outW
        Parallel.forEach(s.patchSize, minimumPerThread: max(1, 65_536 / max(pixels, 1))) { range in
            for row in range {
                let kw = row % s.kW
                let kh = (row / s.kW) % s.kH
                let kd = (row / (s.kW * s.kH)) % s.kD
                let c = row / s.kernelSize
                let destination = columns + row * stride
                let offsetW = kw * s.dilationW - s.padLeft
                let (first, last) = validOutputRange(offset: offsetW, stride: s.strideW, size: s.inW, outputs: s.outW)
                for od in 0..<s.outD {
                    let id = od * s.strideD - s.padFront + kd * s.dilationD
                    let block = destination + od * planeSize
                    guard id >= 0 && id < s.inD else {
                        block.update(repeating: 0, count: planeSize)
                        continue
                    }
                    let plane = input + (c * s.inD + id) * s.inH * s.inW
                    for oh in 0..<s.outH {
                        let ih = oh * s.strideH - s.padTop + kh * s.dilationH
                        let line = block + oh * s.outW
                        guard ih >= 0 && ih < s.inH else {
                            line.update(repeating: 0, count: s.outW)
                            continue
                        }
                        let source = plane + ih * s.inW + offsetW
                        line.update(repeating: 0, count: first)
                        switch s.strideW {
                        case 1: (line + first).update(from: source + first, count: last - first)
                        // Wrapping arithmetic (indices are in range) lets the gathers vectorise.
                        case 2: for ow in first..<last { line[ow] = source[ow &* 2] }
                        default: for ow in first..<last { line[ow] = source[ow &* s.strideW] }
                        }
                        (line + last).update(repeating: 0, count: s.outW - last)
                    }
                }
            }
        }
    }

    /// Adds every entry of `columns` to the input element it was taken from (`output` points at
    /// the group's first channel, laid out as the convolution's input). Channels are split
    /// across threads, so no two threads write the same element.
    static func accumulate(_ columns: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, shape s: ConvShape) {
        let pixels = s.outputPixels
        let planeSize = s.outH * s.outW
        Parallel.forEach(s.channelsPerGroup, minimumPerThread: max(1, 65_536 / max(pixels * s.kernelSize, 1))) { range in
            for c in range {
                for tap in 0..<s.kernelSize {
                    let row = c * s.kernelSize + tap
                    let kw = tap % s.kW, kh = (tap / s.kW) % s.kH, kd = tap / (s.kW * s.kH)
                    let source = columns + row * pixels
                    let offsetW = kw * s.dilationW - s.padLeft
                    let (first, last) = validOutputRange(offset: offsetW, stride: s.strideW, size: s.inW, outputs: s.outW)
                    for od in 0..<s.outD {
                        let id = od * s.strideD - s.padFront + kd * s.dilationD
                        guard id >= 0 && id < s.inD else { continue }
                        let plane = output + (c * s.inD + id) * s.inH * s.inW
                        for oh in 0..<s.outH {
                            let ih = oh * s.strideH - s.padTop + kh * s.dilationH
                            guard ih >= 0 && ih < s.inH else { continue }
                            let target = plane + ih * s.inW + offsetW
                            let line = source + od * planeSize + oh * s.outW
                            for ow in first..<last { target[ow * s.strideW] += line[ow] }
                        }
                    }
                }
            }
        }
    }
}
