import XCTest
@testable import SEUOnnx

/// Conv and ConvTranspose: hand-computed and onnxruntime values, and the fast kernels
/// (im2col + sgemm, pointwise, depthwise, col2im) against the direct reference loops.
final class ConvTests: XCTestCase {
    func testConvWithPaddingStrideAndBias() throws {
        // x = 0...8 as 3×3; filters [[1,0],[0,-1]] and all-ones; pads 1, stride 2 (onnxruntime values).
        let x = Tensor(shape: [1, 1, 3, 3], floats: (0..<9).map(Float.init))
        let w = Tensor(shape: [2, 1, 2, 2], floats: [1, 0, 0, -1, 1, 1, 1, 1])
        let b = Tensor(shape: [2], floats: [0.5, -1])
        let y = try GraphRunner.run("Conv", inputs: [x, w, b], attributes: ["pads": .ints([1, 1, 1, 1]), "strides": .ints([2, 2])])[0]
        assertTensor(y, shape: [1, 2, 2, 2], [0.5, -1.5, -5.5, -3.5, -1, 2, 8, 23])
    }

    func testConv1DWithDilation() throws {
        // y[i] = x[i] - x[i+2] for x = [1, 2, 4, 8, 16].
        let x = Tensor(shape: [1, 1, 5], floats: [1, 2, 4, 8, 16])
        let w = Tensor(shape: [1, 1, 2], floats: [1, -1])
        let y = try GraphRunner.run("Conv", inputs: [x, w], attributes: ["dilations": .ints([2])])[0]
        assertTensor(y, shape: [1, 1, 3], [-3, -6, -12])
    }

    func testDepthwiseConvWithMultiplier() throws {
        // Two channels, two filters each: channel 0 = 1s, channel 1 = 2s; 2×2 kernels of 1 and -1.
        let x = Tensor(shape: [1, 2, 2, 2], floats: [1, 1, 1, 1, 2, 2, 2, 2])
        let w = Tensor(shape: [4, 1, 2, 2], floats: [1, 1, 1, 1, -1, -1, -1, -1, 1, 1, 1, 1, 0, 0, 0, 1])
        let y = try GraphRunner.run("Conv", inputs: [x, w], attributes: ["group": .int(2)])[0]
        assertTensor(y, shape: [1, 4, 1, 1], [4, -4, 8, 2])
    }

    func testFastConvMatchesReference() throws {
        typealias Case = (x: [Int], w: [Int], attributes: [String: AttributeValue])
        let cases: [Case] = [
            ([2, 3, 9, 11], [4, 3, 3, 2], ["strides": .ints([2, 1]), "pads": .ints([1, 0, 2, 1]), "dilations": .ints([2, 1])]),
            ([1, 4, 7, 7], [6, 2, 3, 3], ["group": .int(2), "pads": .ints([1, 1, 1, 1])]),
            ([2, 4, 9, 8], [8, 1, 3, 3], ["group": .int(4), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])]),
            ([1, 3, 10, 10], [3, 1, 3, 3], ["group": .int(3), "dilations": .ints([2, 2]), "strides": .ints([3, 1]), "pads": .ints([0, 2, 1, 0])]),
            ([3, 5, 6, 4], [7, 5, 1, 1], [:]),
            ([1, 5, 6, 4], [7, 5, 1, 1], ["strides": .ints([2, 2])]),
            ([2, 3, 17], [4, 3, 4], ["dilations": .ints([3]), "pads": .ints([2, 5]), "strides": .ints([2])]),
            ([1, 4, 5, 6, 7], [4, 2, 2, 3, 2], ["group": .int(2), "strides": .ints([1, 2, 1]), "pads": .ints([1, 0, 1, 0, 1, 1])]),
            ([1, 2, 9, 7], [3, 2, 3, 3], ["auto_pad": .string("SAME_LOWER"), "strides": .ints([2, 2])]),
            ([1, 2, 9, 7], [3, 2, 4, 2], ["auto_pad": .string("SAME_UPPER")]),
            ([1, 3, 6, 6], [3, 1, 2, 2], ["group": .int(3), "auto_pad": .string("VALID")]),
            // Batches whose planes are small enough to share GEMMs, in chunks of 2, 2 and 1.
            ([5, 4, 20, 30], [6, 2, 3, 3], ["group": .int(2), "pads": .ints([1, 1, 1, 1])]),
            ([5, 4, 20, 30], [6, 2, 1, 1], ["group": .int(2)]),
            ([4, 0, 3, 3], [2, 0, 1, 1], [:]),
        ]
        for (index, c) in cases.enumerated() {
            for bias in [false, true] {
                var random = TestRandom(seed: UInt64(index * 2 + (bias ? 1 : 0) + 1))
                let x = random.tensor(c.x), w = random.tensor(c.w), b = random.tensor([c.w[0]])
                let y = try GraphRunner.run("Conv", inputs: bias ? [x, w, b] : [x, w], attributes: c.attributes)[0]
                let node = Node(name: "n", opType: "Conv", inputs: [], outputs: [], attributes: c.attributes)
                let geometry = try SpatialGeometry.resolve(node: node, inputSpatial: Array(c.x[2...]), kernel: Array(c.w[2...]))
                let shape = ConvShape(input: c.x, filters: c.w[0], group: try node.int("group", default: 1), geometry: geometry)
                let expected = Tensor(dataType: .float, shape: [c.x[0], c.w[0]] + geometry.outputSize)
                ReferenceConv.run(x: x.floats, w: w.floats, bias: bias ? b.floats : nil, out: expected.floats, shape: shape)
                XCTAssertEqual(y.shape, expected.shape, "case \(index)")
                XCTAssertLessThan(relativeError(y.floatValues(), expected.floatValues()), 1e-5, "case \(index) bias \(bias)")
            }
        }
    }

    func testFloat16ConvRunsThroughTheFloat32Kernel() throws {
        let values: [Float] = [0.5, -1, 2, 0.25, 3, -0.75, 1.5, 1, -2]
        let half = Tensor(shape: [1, 1, 3, 3], elements: values.map { HalfPrecision.float16Bits(from: $0) })
        let x = Tensor(dataType: .float16, shape: [1, 1, 3, 3], storage: half.storage)
        let wHalf = Tensor(shape: [1, 1, 2, 2], elements: [Float(1), 2, -1, 0.5].map { HalfPrecision.float16Bits(from: $0) })
        let w = Tensor(dataType: .float16, shape: [1, 1, 2, 2], storage: wHalf.storage)
        let y = try GraphRunner.run("Conv", inputs: [x, w])[0]
        XCTAssertEqual(y.dataType, .float16)
        // 0.5 - 2 - 0.125 ... computed in float32 and rounded once at the output.
        let expected: [Float] = [0.5 * 1 + -1 * 2 + 0.25 * -1 + 3 * 0.5, -1 * 1 + 2 * 2 + 3 * -1 + -0.75 * 0.5,
                                 0.25 * 1 + 3 * 2 + 1.5 * -1 + 1 * 0.5, 3 * 1 + -0.75 * 2 + 1 * -1 + -2 * 0.5]
        assertClose(y.floatValues(), expected)
    }

    func testConvRejectsBadShapes() {
        let x = Tensor(dataType: .float, shape: [1, 3, 4, 4])
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("Conv", inputs: [x, Tensor(dataType: .float, shape: [4, 2, 3, 3])], attributes: ["group": .int(2)])
        }
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("Conv", inputs: [x, Tensor(dataType: .float, shape: [2, 3, 5, 5])])
        }
        assertThrowsKind(.unsupportedOperator) {
            _ = try GraphRunner.run("Conv", inputs: [Tensor(dataType: .float, shape: [1, 1, 2, 2, 2, 2]),
                                                     Tensor(dataType: .float, shape: [1, 1, 1, 1, 1, 1])])
        }
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("Conv", inputs: [x, Tensor(dataType: .float, shape: [2, 3, 3, 3]), Tensor(dataType: .float, shape: [3])])
        }
    }

    func testHugeAttributesAreRejectedNotTrapped() {
        let x = Tensor(dataType: .float, shape: [1, 1, 4, 4]), w = Tensor(dataType: .float, shape: [1, 1, 2, 2])
        assertThrowsKind(.invalidNode) {
            _ = try GraphRunner.run("Conv", inputs: [x, w], attributes: ["pads": .ints([Int.max, 0, 0, 0])])
        }
        assertThrowsKind(.invalidNode) {
            _ = try GraphRunner.run("ConvTranspose", inputs: [x, w], attributes: ["strides": .ints([1 << 40, 1])])
        }
        assertThrowsKind(.unsupportedOperator) {
            _ = try GraphRunner.run("ConvTranspose", inputs: [x, w], attributes: ["output_shape": .ints([1 << 24, 1 << 24])])
        }
        assertThrowsKind(.invalidNode) {
            _ = try GraphRunner.run("MaxPool", inputs: [x], attributes: ["kernel_shape": .ints([2, 2]), "dilations": .ints([Int.min, 1])])
        }
    }

    func testConvTransposeOutputPaddingAndOutputShape() throws {
        let x = Tensor(shape: [1, 1, 2, 2], floats: [0, 1, 3, 4])
        let w = Tensor(shape: [1, 1, 2, 2], floats: [1, 2, 3, 4])
        // onnxruntime values.
        let padded = try GraphRunner.run("ConvTranspose", inputs: [x, w],
                                         attributes: ["strides": .ints([2, 2]), "output_padding": .ints([1, 1])])[0]
        assertTensor(padded, shape: [1, 1, 5, 5], [0, 0, 1, 2, 0, 0, 0, 3, 4, 0, 3, 6, 4, 8, 0, 9, 12, 12, 16, 0, 0, 0, 0, 0, 0])
        let same = try GraphRunner.run("ConvTranspose", inputs: [x, w], attributes: [
            "strides": .ints([2, 2]), "output_shape": .ints([3, 3]), "auto_pad": .string("SAME_UPPER"),
        ])[0]
        assertTensor(same, shape: [1, 1, 3, 3], [0, 0, 1, 0, 0, 3, 3, 6, 4])
    }

    func testFastConvTransposeMatchesReference() throws {
        typealias Case = (x: [Int], w: [Int], attributes: [String: AttributeValue])
        let cases: [Case] = [
            ([2, 3, 4, 5], [3, 2, 3, 3], ["strides": .ints([2, 3]), "pads": .ints([1, 0, 0, 2]), "output_padding": .ints([1, 0])]),
            ([1, 4, 3, 3], [4, 3, 2, 2], ["group": .int(2), "dilations": .ints([2, 1])]),
            ([1, 2, 6], [2, 3, 3], ["strides": .ints([2]), "pads": .ints([1, 1])]),
            ([1, 2, 2, 3, 2], [2, 1, 2, 2, 2], ["strides": .ints([2, 1, 2])]),
            ([1, 2, 3, 3], [2, 2, 3, 3], ["strides": .ints([2, 2]), "output_shape": .ints([8, 7])]),
            ([1, 2, 3, 3], [2, 2, 3, 3], ["strides": .ints([2, 2]), "auto_pad": .string("SAME_LOWER")]),
        ]
        for (index, c) in cases.enumerated() {
            var random = TestRandom(seed: UInt64(100 + index))
            let group = (c.attributes["group"]).flatMap { if case .int(let g) = $0 { return g } else { return nil } } ?? 1
            let filters = c.w[1] * group
            let x = random.tensor(c.x), w = random.tensor(c.w), b = random.tensor([filters])
            let y = try GraphRunner.run("ConvTranspose", inputs: [x, w, b], attributes: c.attributes)[0]
            let node = Node(name: "n", opType: "ConvTranspose", inputs: [], outputs: [], attributes: c.attributes)
            var geometry = try ConvTransposeOperators.transposedGeometry(node: node, input: Array(c.x[2...]), weight: Array(c.w[2...]))
            let outputShape = [c.x[0], filters] + geometry.outputSize
            geometry.outputSize = Array(c.x[2...])
            let shape = ConvShape(input: outputShape, filters: c.x[1], group: group, geometry: geometry)
            let expected = Tensor(dataType: .float, shape: outputShape)
            ReferenceConvTranspose.run(x: x.floats, w: w.floats, bias: b.floats, out: expected.floats, shape: shape)
            XCTAssertEqual(y.shape, outputShape, "case \(index)")
            XCTAssertLessThan(relativeError(y.floatValues(), expected.floatValues()), 1e-5, "case \(index)")
        }
    }
}
