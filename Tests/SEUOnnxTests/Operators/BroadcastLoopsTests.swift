import XCTest
@testable import SEUOnnx

/// The broadcast loops against a plain index-by-index reference, over random shapes, whole
/// and split into the chunks threads would get.
final class BroadcastLoopsTests: XCTestCase {
    /// Reference broadcasting: input element offset for each output element.
    static func offsets(of shape: [Int], in output: [Int]) -> [Int] {
        let strides = Broadcast.strides(of: shape, in: output)
        let count = Tensor.elementCount(output)
        var result = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: output.count)
        for k in 0..<count {
            result[k] = zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }
            var axis = output.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < output[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// A random shape of `rank` that broadcasts to `output` (some axes 1, leading axes dropped).
    static func shape(broadcastingTo output: [Int], using generator: inout some RandomNumberGenerator) -> [Int] {
        let drop = Int.random(in: 0...output.count, using: &generator)
        return output.dropFirst(drop).map { Bool.random(using: &generator) ? 1 : $0 }
    }

    static func chunks(_ walk: Broadcast.Walk, pieces: Int) -> [BroadcastLoops.Chunk] {
        let rows = walk.rowOffsets.count, inner = walk.innerCount
        func ranges(_ n: Int) -> [Range<Int>] {
            let size = max(1, (n + pieces - 1) / pieces)
            return stride(from: 0, to: n, by: size).map { $0..<min(n, $0 + size) }
        }
        if rows == 1 { return ranges(inner).map { BroadcastLoops.Chunk(rows: 0..<1, inner: $0) } }
        return ranges(rows).map { BroadcastLoops.Chunk(rows: $0, inner: 0..<inner) }
    }

    func testBinaryAndTernaryMatchReference() {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<300 {
            let rank = Int.random(in: 0...4, using: &generator)
            let output = (0..<rank).map { _ in Int.random(in: 1...6, using: &generator) }
            let shapes = (0..<3).map { _ in Self.shape(broadcastingTo: output, using: &generator) }
            guard let out = Broadcast.shape(shapes) else { XCTFail("\(shapes) should broadcast"); return }
            checked += Tensor.elementCount(out)
            let values = shapes.map { shape in (0..<Tensor.elementCount(shape)).map { _ in Float(Int.random(in: -50...50, using: &generator)) } }
            let refs = shapes.map { Self.offsets(of: $0, in: out) }
            let count = Tensor.elementCount(out)
            let binaryWalk = Broadcast.Walk(outputShape: out, inputShapes: [shapes[0], shapes[1]])
            let ternaryWalk = Broadcast.Walk(outputShape: out, inputShapes: shapes)
            for pieces in [1, 3] {
                var sum = [Float](repeating: .nan, count: count), select = [Float](repeating: .nan, count: count)
                values[0].withUnsafeBufferPointer { a in
                    values[1].withUnsafeBufferPointer { b in
                        values[2].withUnsafeBufferPointer { c in
                            sum.withUnsafeMutableBufferPointer { o in
                                for chunk in Self.chunks(binaryWalk, pieces: pieces) {
                                    BroadcastLoops.binary(binaryWalk, chunk, a.baseAddress!, b.baseAddress!, o.baseAddress!) { $0 - 2 * $1 }
                                }
                            }
                            select.withUnsafeMutableBufferPointer { o in
                                for chunk in Self.chunks(ternaryWalk, pieces: pieces) {
                                    BroadcastLoops.ternary(ternaryWalk, chunk, a.baseAddress!, b.baseAddress!, c.baseAddress!,
                                                           o.baseAddress!) { $0 > 0 ? $1 : $2 }
                                }
                            }
                        }
                    }
                }
                for k in 0..<count {
                    let x = values[0][refs[0][k]], y = values[1][refs[1][k]], z = values[2][refs[2][k]]
                    if sum[k] != x - 2 * y || select[k] != (x > 0 ? y : z) {
                        XCTFail("shapes \(shapes) → \(out), pieces \(pieces), element \(k)")
                        return
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 1000)
    }
}
