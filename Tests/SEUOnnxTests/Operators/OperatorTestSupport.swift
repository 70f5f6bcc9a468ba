import Foundation
import XCTest
@testable import SEUOnnx

/// Deterministic pseudo-random numbers for fast-versus-reference kernel tests.
struct TestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func tensor(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, floats: (0..<Tensor.elementCount(shape)).map { _ in float() })
    }
}

/// Asserts a tensor's type, shape and (float) values.
func assertTensor(_ tensor: Tensor, shape: [Int], _ expected: [Float], tolerance: Float = 1e-5,
                  file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(tensor.dataType, .float, "data type", file: file, line: line)
    XCTAssertEqual(tensor.shape, shape, "shape", file: file, line: line)
    assertClose(tensor.floatValues(), expected, tolerance: tolerance, file: file, line: line)
}

/// Asserts that `body` throws an `SEUError` of `kind`.
func assertThrowsKind(_ kind: SEUError.Kind, file: StaticString = #filePath, line: UInt = #line,
                      _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an error of kind \(kind)", file: file, line: line)
    } catch let error as SEUError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

/// Largest absolute difference relative to the largest reference magnitude (at least 1).
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    let scale = max(1, b.map(abs).max() ?? 1)
    return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
}
