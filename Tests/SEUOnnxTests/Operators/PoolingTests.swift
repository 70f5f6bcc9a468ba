import XCTest
@testable import SEUOnnx

/// MaxPool, AveragePool, LpPool and the global pools: onnxruntime values for the opset-specific
/// attributes, NaN propagation, and the vectorised MaxPool path against the per-window path.
final class PoolingTests: XCTestCase {
    /// 0...24 as 5×5 with a 30 at (1, 3).
    var grid: Tensor {
        var values = (0..<25).map(Float.init)
        values[8] = 30
        return Tensor(shape: [1, 1, 5, 5], floats: values)
    }

    func testMaxPoolColumnMajorIndices() throws {
        let r = try GraphRunner.run("MaxPool", inputs: [grid], attributes: [
            "kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]), "storage_order": .int(1),
        ], outputCount: 2, opset: 8)
        assertTensor(r[0], shape: [1, 1, 2, 2], [6, 30, 16, 18])
        XCTAssertEqual(r[1].elements(as: Int64.self), [6, 16, 8, 18])
    }

    func testMaxPoolCeilModeWithIndices() throws {
        let r = try GraphRunner.run("MaxPool", inputs: [grid], attributes: [
            "kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]), "ceil_mode": .int(1),
        ], outputCount: 2, opset: 10)
        assertTensor(r[0], shape: [1, 1, 3, 3], [6, 30, 9, 16, 18, 19, 21, 23, 24])
        XCTAssertEqual(r[1].elements(as: Int64.self), [6, 8, 9, 16, 18, 19, 21, 23, 24])
    }

    func testMaxPoolPropagatesNaN() throws {
        var values = (0..<16).map(Float.init)
        values[5] = .nan
        let x = Tensor(shape: [1, 1, 4, 4], floats: values)
        for outputs in [1, 2] {
            let r = try GraphRunner.run("MaxPool", inputs: [x], attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])],
                                        outputCount: outputs)
            let y = r[0].floatValues()
            XCTAssertTrue(y[0].isNaN)
            XCTAssertEqual(Array(y[1...]), [7, 13, 15])
            if outputs == 2 { XCTAssertEqual(r[1].elements(as: Int64.self), [5, 7, 13, 15]) }
        }
        let global = try GraphRunner.run("GlobalMaxPool", inputs: [x])[0].floatValues()
        XCTAssertTrue(global[0].isNaN)
    }

    func testVectorisedMaxPoolMatchesWindowPath() throws {
        let cases: [([Int], [String: AttributeValue])] = [
            ([2, 3, 11, 12], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])]),
            ([1, 2, 9, 8], ["kernel_shape": .ints([2, 3]), "dilations": .ints([2, 1]), "strides": .ints([1, 3]), "ceil_mode": .int(1)]),
            ([1, 2, 4, 5, 6], ["kernel_shape": .ints([2, 2, 2]), "pads": .ints([0, 1, 1, 1, 0, 1])]),
            ([2, 2, 13], ["kernel_shape": .ints([4]), "strides": .ints([3]), "auto_pad": .string("SAME_UPPER")]),
            // 2×2 stride 2 with 13 outputs a row: 8 + 4 vector lanes and a scalar tail.
            ([2, 3, 6, 26], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]),
            // Rows of 2 and 1 outputs: several rows per vector, and a tail of rows (9 and 9).
            ([1, 3, 6, 4], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]),
            ([1, 3, 6, 2], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]),
            // resnet's 3×3 stride 2 pad 1 on rows wide enough for the 8-lane stride-2 loop.
            ([1, 2, 9, 41], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])]),
        ]
        for (index, (shape, attributes)) in cases.enumerated() {
            var random = TestRandom(seed: UInt64(60 + index))
            let x = random.tensor(shape)
            x.floats[3] = .nan  // one plane takes the exact path
            let fast = try GraphRunner.run("MaxPool", inputs: [x], attributes: attributes)[0].floatValues()
            let exact = try GraphRunner.run("MaxPool", inputs: [x], attributes: attributes, outputCount: 2)[0].floatValues()
            XCTAssertEqual(fast.count, exact.count)
            for (f, e) in zip(fast, exact) where f.bitPattern != e.bitPattern {
                XCTFail("case \(index): \(f) != \(e)")
                break
            }
        }
    }

    /// The 2×2/stride-2 path fixes NaN windows row by row: the first NaN in window order wins,
    /// payload included, exactly as the per-window path (faults make such planes often).
    func testTwoByTwoMaxPoolKeepsFirstNaNPayload() throws {
        var random = TestRandom(seed: 71)
        let x = random.tensor([2, 3, 6, 8])
        let payloads: [(Int, UInt32)] = [(0, 0x7FC0_0001), (1, 0xFFC0_0002), (8, 0x7FC0_0003), (9, 0x7FA0_0004),
                                         (50, 0x7FC0_0005), (200, 0xFFC0_0006), (201, 0x7FC0_0007)]
        for (index, bits) in payloads { x.floats[index] = Float(bitPattern: bits) }
        let attributes: [String: AttributeValue] = ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]
        let fast = try GraphRunner.run("MaxPool", inputs: [x], attributes: attributes)[0].floatValues()
        let exact = try GraphRunner.run("MaxPool", inputs: [x], attributes: attributes, outputCount: 2)[0].floatValues()
        XCTAssertEqual(fast.map(\.bitPattern), exact.map(\.bitPattern))
        // Window (0, 0) holds elements 0, 1, 8, 9: the first one's payload wins.
        XCTAssertEqual(fast[0].bitPattern, 0x7FC0_0001)
        XCTAssertEqual(fast.filter(\.isNaN).count, 3)
        // Plane 4 (12 outputs a plane), window (0, 0): elements 200 and 201 are its bottom row.
        XCTAssertEqual(fast[4 * 12].bitPattern, 0xFFC0_0006)
    }

    func testMaxPoolUInt8() throws {
        let x = Tensor(shape: [1, 1, 2, 2], elements: [UInt8(3), 250, 7, 1])
        let y = try GraphRunner.run("MaxPool", inputs: [x], attributes: ["kernel_shape": .ints([2, 2])], opset: 12)[0]
        XCTAssertEqual(y.elements(as: UInt8.self), [250])
    }

    func testAveragePoolCountIncludePad() throws {
        let attributes: [String: AttributeValue] = ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])]
        var include = attributes
        include["count_include_pad"] = .int(1)
        let y = try GraphRunner.run("AveragePool", inputs: [grid], attributes: include, opset: 7)[0]
        assertTensor(y, shape: [1, 1, 3, 3], [4.0 / 3, 49.0 / 9, 46.0 / 9, 7, 130.0 / 9, 103.0 / 9, 8, 13, 84.0 / 9])
        let excluded = try GraphRunner.run("AveragePool", inputs: [grid], attributes: attributes, opset: 7)[0]
        assertTensor(excluded, shape: [1, 1, 3, 3], [3, 49.0 / 6, 11.5, 10.5, 130.0 / 9, 103.0 / 6, 18, 19.5, 21])
    }

    func testAveragePoolCeilModeAndDilations() throws {
        let ceil = try GraphRunner.run("AveragePool", inputs: [grid], attributes: [
            "kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]), "ceil_mode": .int(1),
        ], opset: 10)[0]
        assertTensor(ceil, shape: [1, 1, 3, 3], [3, 10.5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24])
        let dilated = try GraphRunner.run("AveragePool", inputs: [grid], attributes: [
            "kernel_shape": .ints([2, 2]), "dilations": .ints([2, 2]),
        ], opset: 19)[0]
        assertTensor(dilated, shape: [1, 1, 3, 3], [6, 7, 8, 11, 17.5, 13, 16, 17, 18])
    }

    func testLpPoolAndGlobalPools() throws {
        let x = Tensor(shape: [1, 2, 1, 2], floats: [3, -4, 1, 1])
        assertTensor(try GraphRunner.run("LpPool", inputs: [x], attributes: ["kernel_shape": .ints([1, 2])])[0], shape: [1, 2, 1, 1],
                     [5, Float(2).squareRoot()])
        assertTensor(try GraphRunner.run("GlobalAveragePool", inputs: [x])[0], shape: [1, 2, 1, 1], [-0.5, 1])
        assertTensor(try GraphRunner.run("GlobalMaxPool", inputs: [x])[0], shape: [1, 2, 1, 1], [3, 1])
        assertTensor(try GraphRunner.run("GlobalLpPool", inputs: [x], attributes: ["p": .int(1)])[0], shape: [1, 2, 1, 1], [7, 2])
    }

    func testPoolingRejectsBadAttributes() {
        assertThrowsKind(.invalidNode) { _ = try GraphRunner.run("MaxPool", inputs: [self.grid]) }
        assertThrowsKind(.invalidNode) {
            _ = try GraphRunner.run("AveragePool", inputs: [self.grid], attributes: ["kernel_shape": .ints([2])])
        }
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("MaxPool", inputs: [self.grid], attributes: ["kernel_shape": .ints([6, 6])])
        }
    }
}
