/// Resize kernels over row-major tensors, driven by `ResizeAxis` plans.

/// Nearest-neighbour resizing (one tap per axis): a gather that copies elements of any fixed
/// width, so every element type resizes exactly.
final class ResizeGatherKernel: Kernel {
    let outputCount: Int
    let width: Int
    /// Input element offset of every output index, per axis (identity on axes not resized).
    let axisOffsets: [[Int]]

    init(input: [Int], axes: [ResizeAxis], output: [Int], width: Int) {
        self.width = width
        outputCount = Tensor.elementCount(output)
        var strides = [Int](repeating: 1, count: input.count)
        for axis in stride(from: input.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * input[axis + 1] }
        axisOffsets = output.indices.map { axis in
            if let plan = axes.first(where: { $0.axis == axis }) {
                return plan.indices.map { $0 * strides[axis] }
            }
            return (0..<output[axis]).map { $0 * strides[axis] }
        }
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        switch width {
        case 1: gather(x.pointer(as: UInt8.self), outputs[0].pointer(as: UInt8.self))
        case 2: gather(x.pointer(as: UInt16.self), outputs[0].pointer(as: UInt16.self))
        case 4: gather(x.pointer(as: UInt32.self), outputs[0].pointer(as: UInt32.self))
        case 8: gather(x.pointer(as: UInt64.self), outputs[0].pointer(as: UInt64.self))
        default: throw SEUError(.unsupportedDataType, "Resize of \(width)-byte elements is not supported")
        }
    }

    private func gather<T>(_ source: UnsafePointer<T>, _ target: UnsafeMutablePointer<T>) {
        guard outputCount > 0 else { return }
        guard let last = axisOffsets.last else {
            target[0] = source[0]
            return
        }
        let rank = axisOffsets.count
        let rowLength = last.count
        var index = [Int](repeating: 0, count: rank - 1)
        var o = 0
        last.withUnsafeBufferPointer { lastOffsets in
            while o < outputCount {
                var base = 0
                for axis in 0..<(rank - 1) { base += axisOffsets[axis][index[axis]] }
                let row = source + base
                for i in 0..<rowLength { target[o + i] = row[lastOffsets[i]] }
                o += rowLength
                var axis = rank - 2
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < axisOffsets[axis].count { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

/// Linear/cubic (and extrapolating) resizing: one separable pass per resized axis, through
/// scratch buffers allocated at build time; the last pass writes the output.
final class ResizeInterpolationKernel: Kernel {
    /// One pass: `outer` blocks of `inputLength × inner` become `outputLength × inner`.
    struct Pass {
        let plan: ResizeAxis
        let outer: Int, inner: Int
        /// `plan.weights` rounded to float32, for the float32 path.
        let floatWeights: [Float]
    }

    let passes: [Pass]
    let double: Bool
    let extrapolation: Double
    private let scratch: [UnsafeMutableRawPointer]

    init(input: [Int], axes: [ResizeAxis], double: Bool, extrapolation: Double) {
        self.double = double
        self.extrapolation = extrapolation
        var shape = input
        var passes: [Pass] = []
        var largest = 0
        for plan in axes {
            passes.append(Pass(plan: plan, outer: shape[..<plan.axis].reduce(1, *), inner: shape[(plan.axis + 1)...].reduce(1, *),
                               floatWeights: plan.weights.map { Float($0) }))
            shape[plan.axis] = plan.outputSize
            largest = max(largest, Tensor.elementCount(shape))
        }
        self.passes = passes
        let bytes = max(largest, 1) * (double ? 8 : 4)
        scratch = (0..<min(2, max(passes.count - 1, 0))).map { _ in
            UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        }
    }

    deinit { scratch.forEach { $0.deallocate() } }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        if double {
            resize(x.pointer(as: Double.self), outputs[0].pointer(as: Double.self)) { $0.plan.weights }
        } else {
            resize(x.floats, outputs[0].floats) { $0.floatWeights }
        }
    }

    private func resize<T: FloatElement>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ weights: (Pass) -> [T]) {
        var source = x
        for (p, pass) in passes.enumerated() {
            let target = p == passes.count - 1 ? y : scratch[p % 2].assumingMemoryBound(to: T.self)
            run(pass, weights(pass), source, target)
            source = UnsafePointer(target)
        }
    }

    private func run<T: FloatElement>(_ pass: Pass, _ weights: [T], _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
        let plan = pass.plan, inner = pass.inner, taps = plan.taps
        let inLength = plan.inputSize, outLength = plan.outputSize
        let fill = T(extrapolation)
        Parallel.forEach(pass.outer, minimumPerThread: max(1, 16_384 / max(outLength * inner * taps, 1))) { range in
            for block in range {
                let source = x + block * inLength * inner
                let target = y + block * outLength * inner
                for o in 0..<outLength {
                    let out = target + o * inner
                    if let flags = plan.extrapolated, flags[o] {
                        out.update(repeating: fill, count: inner)
                        continue
                    }
                    let first = weights[o * taps]
                    let row = source + plan.indices[o * taps] * inner
                    for i in 0..<inner { out[i] = first * row[i] }
                    for j in 1..<max(taps, 1) {
                        let w = weights[o * taps + j]
                        let row = source + plan.indices[o * taps + j] * inner
                        for i in 0..<inner { out[i] += w * row[i] }
                    }
                }
            }
        }
    }
}
