import XCTest
@testable import SEUOnnx

/// ScatterND, ScatterElements and Scatter: hand-computed slices and elements, reductions,
/// negative and duplicate indices, other element types, and bad input as errors.
final class ScatterTests: XCTestCase {
    private let data = Tensor(shape: [3, 3], floats: [1, 2, 3, 4, 5, 6, 7, 8, 9])

    private func ids(_ shape: [Int], _ values: [Int64]) -> Tensor { Tensor(shape: shape, elements: values) }

    func testScatterNDRowsAndElements() throws {
        // Rows 2 and 0 replaced (Swin's window masks are built this way).
        let rows = try GraphRunner.run("ScatterND", inputs: [data, ids([2, 1], [2, 0]), Tensor(shape: [2, 3], floats: [10, 11, 12, 20, 21, 22])])[0]
        assertTensor(rows, shape: [3, 3], [20, 21, 22, 4, 5, 6, 10, 11, 12])
        // Single elements with a negative index, added.
        let added = try GraphRunner.run("ScatterND", inputs: [data, ids([2, 2], [0, -1, 1, 1]), Tensor(shape: [2], floats: [100, 200])],
                                        attributes: ["reduction": .string("add")], opset: 16)[0]
        assertTensor(added, shape: [3, 3], [1, 2, 103, 4, 205, 6, 7, 8, 9])
        // Duplicates: with mul both apply; with max NaN wins (PyTorch's scatter_reduce).
        let twice = try GraphRunner.run("ScatterND", inputs: [data, ids([2, 2], [1, 0, 1, 0]), Tensor(shape: [2], floats: [2, 3])],
                                        attributes: ["reduction": .string("mul")], opset: 16)[0]
        XCTAssertEqual(twice.floatValues()[3], 24)
        let nan = try GraphRunner.run("ScatterND", inputs: [data, ids([1, 2], [0, 0]), Tensor(shape: [1], floats: [.nan])],
                                      attributes: ["reduction": .string("max")], opset: 18)[0]
        XCTAssertTrue(nan.floatValues()[0].isNaN)
    }

    func testScatterElementsAlongAxes() throws {
        let updates = Tensor(shape: [1, 2], floats: [-1, -2])
        let axis1 = try GraphRunner.run("ScatterElements", inputs: [data, ids([1, 2], [2, 0]), updates], attributes: ["axis": .int(1)])[0]
        assertTensor(axis1, shape: [3, 3], [-2, 2, -1, 4, 5, 6, 7, 8, 9])
        let axis0 = try GraphRunner.run("ScatterElements", inputs: [data, ids([1, 2], [-1, 1]), updates])[0]
        assertTensor(axis0, shape: [3, 3], [1, 2, 3, 4, -2, 6, -1, 8, 9])
        let minimum = try GraphRunner.run("ScatterElements", inputs: [data, ids([1, 2], [2, 2]), Tensor(shape: [1, 2], floats: [5, 5])],
                                          attributes: ["reduction": .string("min")], opset: 18)[0]
        assertTensor(minimum, shape: [3, 3], [1, 2, 3, 4, 5, 6, 5, 5, 9])
        let legacy = try GraphRunner.run("Scatter", inputs: [data, ids([1, 2], [2, 0]), updates], attributes: ["axis": .int(1)], opset: 9)[0]
        assertTensor(legacy, shape: [3, 3], [-2, 2, -1, 4, 5, 6, 7, 8, 9])
    }

    func testOtherElementTypes() throws {
        let flags = Tensor(shape: [4], elements: [false, false, true, false])
        let set = try GraphRunner.run("ScatterND", inputs: [flags, ids([1, 1], [1]), Tensor(shape: [1], elements: [true])])[0]
        XCTAssertEqual(set.elements(as: Bool.self), [false, true, true, false])
        let bytes = Tensor(shape: [2], elements: [Int8(120), -3])
        let wrapped = try GraphRunner.run("ScatterElements", inputs: [bytes, ids([1], [0]), Tensor(shape: [1], elements: [Int8(10)])],
                                          attributes: ["reduction": .string("add")], opset: 16)[0]
        XCTAssertEqual(wrapped.elements(as: Int8.self), [-126, -3], "integers wrap")
        let halves = Tensor(dataType: .float16, shape: [2], storage: Tensor(shape: [2], elements: [UInt16(0x3C00), 0x4000]).storage)
        let update = Tensor(dataType: .float16, shape: [1], storage: Tensor(shape: [1], elements: [UInt16(0xC200)]).storage)
        let h = try GraphRunner.run("ScatterND", inputs: [halves, ids([1, 1], [1]), update])[0]
        XCTAssertEqual(h.dataType, .float16)
        XCTAssertEqual([h.pointer(as: UInt16.self)[0], h.pointer(as: UInt16.self)[1]], [0x3C00, 0xC200])
    }

    func testBadInputIsAnError() {
        assertThrowsKind(.execution) {
            _ = try GraphRunner.run("ScatterND", inputs: [self.data, self.ids([1, 1], [3]), Tensor(shape: [1, 3], floats: [0, 0, 0])])
        }
        assertThrowsKind(.execution) {
            _ = try GraphRunner.run("ScatterElements", inputs: [self.data, self.ids([1, 1], [-4]), Tensor(shape: [1, 1], floats: [0])])
        }
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("ScatterND", inputs: [self.data, self.ids([1, 1], [0]), Tensor(shape: [1, 2], floats: [0, 0])])
        }
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("ScatterND", inputs: [self.data, self.ids([1, 3], [0, 0, 0]), Tensor(shape: [1], floats: [0])])
        }
        assertThrowsKind(.invalidNode) {
            _ = try GraphRunner.run("ScatterND", inputs: [self.data, self.ids([1, 1], [0]), Tensor(shape: [1, 3], floats: [0, 0, 0])],
                                    attributes: ["reduction": .string("mean")], opset: 18)
        }
    }
}
