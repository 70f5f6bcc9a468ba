/// Kernels that can compute part of their output, for incremental re-execution.
///
/// A *plane* of a tensor is one index over its first two axes (N × C for NCHW; every element of
/// a matrix; the whole tensor for rank 0): `planes = shape[0] · shape[1]`, each holding
/// `count / planes` contiguous elements. A plane kernel computes a chosen set of planes of its
/// (single) output, given as runs of consecutive planes, bit-identical to the same planes of a
/// full run, reading:
/// - `.plane` inputs (same N × C as the output) only at those planes,
/// - `.channel` inputs (one value per channel, e.g. BatchNorm's scale) at the channels of those
///   planes,
/// - `.whole` inputs anywhere (a change there makes every plane change).
protocol PlaneKernel: Kernel {
    /// How each input maps onto output planes (nil: this instance cannot compute planes).
    var planeInputs: [PlaneInput]? { get }
    /// Computes the output planes in `runs` (ascending, disjoint ranges of planes).
    func run(inputs: [Tensor?], output: Tensor, runs: [Range<Int>]) throws
}

enum PlaneInput: Equatable {
    case plane, channel, whole
}


extension ActivationKernel: PlaneKernel {
    var planeInputs: [PlaneInput]? { dataType == .float ? [.plane] : nil }

    func run(inputs: [Tensor?], output: Tensor, runs: [Range<Int>]) throws {
        guard let input = inputs[0] else { return }
        let size = count / Self.planeCount(output.shape)
        let x = UnsafePointer(input.floats), y = output.floats
        for run in runs { apply(x, y, run.lowerBound * size..<run.upperBound * size) }
    }
}

extension ArithmeticKernel: PlaneKernel {
    /// Only when both inputs have the output's shape (no broadcasting): element i reads a[i], b[i].
    var planeInputs: [PlaneInput]? {
        guard dataType == .float, !operation.bitwise, walk.rowOffsets.count == 1,
              walk.innerStrides == [1, 1], walk.innerCount == walk.outputCount else { return nil }
        return [.plane, .plane]
    }

    func run(inputs: [Tensor?], output: Tensor, runs: [Range<Int>]) throws {
        guard let a = inputs[0], let b = inputs[1] else { return }
        let size = walk.outputCount / Self.planeCount(output.shape)
        let pa = UnsafePointer(a.floats), pb = UnsafePointer(b.floats), po = output.floats
        for run in runs { apply(pa, pb, po, BroadcastLoops.Chunk(rows: 0..<1, inner: run.lowerBound * size..<run.upperBound * size)) }
    }
}

extension MaxPoolKernel: PlaneKernel {
    var planeInputs: [PlaneInput]? { dataType == .float ? [.plane] : nil }

    func run(inputs: [Tensor?], output: Tensor, runs: [Range<Int>]) throws {
        guard let x = inputs[0] else { return }
        for run in runs { poolRows(UnsafePointer(x.floats), output.floats, planes: run) }
    }
}

extension WindowPoolKernel: PlaneKernel {
    var planeInputs: [PlaneInput]? { double ? nil : [.plane] }

    func run(inputs: [Tensor?], output: Tensor, runs: [Range<Int>]) throws {
        guard let x = inputs[0] else { return }
        for run in runs { for plane in run { pool(UnsafePointer(x.floats), output.floats, plane: plane) } }
    }
}

extension GlobalPoolKernel: PlaneKernel {
    var planeInputs: [PlaneInput]? { double ? nil : [.plane] }

    func run(inputs: [Tensor?], output: Tensor, runs: [Range<Int>]) throws {
        guard let x = inputs[0] else { return }
        for run in runs { for plane in run { pool(UnsafePointer(x.floats), output.floats, plane: plane) } }
    }
}

extension BatchNormKernel: PlaneKernel {
    /// Inference mode with one set of statistics per channel.
    var planeInputs: [PlaneInput]? { training || !perChannel ? nil : [.plane, .channel, .channel, .channel, .channel] }

    func run(inputs: [Tensor?], output: Tensor, runs: [Range<Int>]) throws {
        guard let x = inputs[0] else { return }
        computeCoefficients(inputs)
        for run in runs { for plane in run { normalize(UnsafePointer(x.floats), output.floats, plane: plane) } }
    }
}

extension Kernel {
    /// Planes of a tensor of this shape (see `PlaneKernel`).
    static func planeCount(_ shape: [Int]) -> Int {
        shape.count >= 2 ? max(shape[0] * shape[1], 1) : (shape.count == 1 ? max(shape[0], 1) : 1)
    }
}
