import XCTest
@testable import SEUOnnx

/// The AxisMap copy kernel (memcpy runs, per-element loops, threads, axis coalescing) against
/// a plain per-element evaluation of the same map.
final class AxisMapKernelTests: XCTestCase {
    /// out[i] = source[Σ tables[a][i_a]] or the fill bytes, element by element.
    func reference(_ map: AxisMap, source: Tensor, fill: [UInt8]) -> [UInt8] {
        let width = source.dataType.byteWidth
        let count = map.outputShape.reduce(1, *)
        var out = [UInt8](repeating: 0, count: count * width)
        var index = [Int](repeating: 0, count: map.outputShape.count)
        for i in 0..<count {
            var offset = 0, filled = false
            for (axis, table) in map.tables.enumerated() {
                if table[index[axis]] == AxisMap.fill { filled = true } else { offset += table[index[axis]] }
            }
            for b in 0..<width {
                out[i * width + b] = filled ? fill[b] : source.storage.bytes.load(fromByteOffset: offset * width + b, as: UInt8.self)
            }
            var axis = index.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < map.outputShape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }

    /// A random map over `shape`: per axis a permuted source axis read forwards, backwards,
    /// strided, broadcast or padded.
    private func randomMap(_ shape: [Int], generator: inout SeededGenerator) -> AxisMap {
        let strides = AxisMap.strides(shape)
        let perm = Array(shape.indices).shuffled(using: &generator)
        var tables: [[Int]] = []
        for axis in perm {
            let d = shape[axis], s = strides[axis]
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: tables.append((0..<d).map { $0 * s })
            case 1: tables.append((0..<d).reversed().map { $0 * s })
            case 2: tables.append(stride(from: 0, to: d, by: 2).map { $0 * s })
            case 3: tables.append((0..<3).map { _ in 0 })
            default: tables.append([AxisMap.fill] + (0..<d).map { $0 * s } + [AxisMap.fill, AxisMap.fill])
            }
        }
        return AxisMap(outputShape: tables.map(\.count), tables: tables)
    }

    func testRandomMapsMatchReferenceOnEveryWidth() throws {
        var generator = SeededGenerator(state: 42)
        let shapes = [[5], [3, 4], [2, 3, 4], [2, 1, 3, 5], [64, 33, 40]]
        for type in [DataType.uint8, .float16, .float, .double, .complex128] {
            for shape in shapes {
                for _ in 0..<4 {
                    let source = Tensor(dataType: type, shape: shape)
                    for i in 0..<source.byteCount { source.storage.bytes.storeBytes(of: UInt8(truncatingIfNeeded: i &* 31 &+ 7), toByteOffset: i, as: UInt8.self) }
                    let map = randomMap(shape, generator: &generator)
                    let fill = (0..<type.byteWidth).map { UInt8(0xA0 + $0) }
                    let out = Tensor(dataType: type, shape: map.outputShape)
                    try AxisMapKernel(map: map, dataType: type, fill: fill).run(inputs: [source], outputs: [out])
                    let actual = Array(UnsafeRawBufferPointer(start: out.storage.bytes, count: out.byteCount))
                    XCTAssertEqual(actual, reference(map, source: source, fill: fill), "\(type) \(shape) \(map.tables.map(\.count))")
                }
            }
        }
    }
}

/// A fixed-seed generator (splitmix64) so the random maps are the same on every run.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
