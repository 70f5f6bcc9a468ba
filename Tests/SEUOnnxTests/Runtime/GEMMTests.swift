import CSupport
import XCTest
@testable import SEUOnnx

/// The GEMM's contract: every output element is the fma chain over k in order, then the
/// epilogue — on every kernel, for any sub-rectangle computed alone. Checked bit for bit against
/// a plain Swift chain (`Float.addingProduct` is a correctly rounded fused multiply-add).
final class GEMMTests: XCTestCase {
    override func tearDown() {
        // Back to the default (widest) kernel.
        for name in ["avx512", "avx2", "generic"] where GEMM.select(name) { break }
        super.tearDown()
    }

    /// Values with the awkward cases a fault produces: NaN, ±Inf, huge, tiny, ±0.
    private func values(_ count: Int, _ random: inout TestRandom, special: Bool) -> [Float] {
        let specials: [Float] = [.nan, .infinity, -.infinity, 3e38, -2.5e38, 1e-40, 0, -0.0]
        return (0..<count).map { i in
            special && random.int(0...40) == 0 ? specials[i % specials.count] : random.float()
        }
    }

    private func assertBitIdentical(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, _ what: String,
                                    file: StaticString = #filePath, line: UInt = #line) {
        for i in 0..<count where a[i].bitPattern != b[i].bitPattern {
            XCTFail("\(what): element \(i) is \(a[i]) (0x\(String(a[i].bitPattern, radix: 16))), expected \(b[i]) (0x\(String(b[i].bitPattern, radix: 16)))",
                    file: file, line: line)
            return
        }
    }

    func testDenseProductsAreTheFmaChainOnEveryKernelAndSubset() throws {
        let kernels = GEMM.availableKernels
        XCTAssertTrue(kernels.contains("generic"))
        // Sizes around the row block (4/6/8), panel width (8/16/32) and k block (256).
        let shapes: [(Int, Int, Int)] = [(1, 1, 1), (7, 33, 5), (9, 17, 257), (13, 65, 300), (1, 100, 40), (30, 3, 513), (8, 32, 0)]
        var random = TestRandom(seed: 11)
        for (shapeIndex, (m, n, k)) in shapes.enumerated() {
            let special = shapeIndex % 2 == 1
            let a = values(m * k, &random, special: special), b = values(k * n, &random, special: special)
            let rowBias = values(m, &random, special: special), colBias = values(n, &random, special: special)
            for (transposedB, relu) in [(false, false), (true, true), (false, true)] {
                // Expected: the chain in plain Swift.
                var expected = [Float](repeating: 0, count: m * n)
                for i in 0..<m {
                    for j in 0..<n {
                        var acc: Float = 0
                        for p in 0..<k { acc = acc.addingProduct(a[i * k + p], transposedB ? b[j * k + p] : b[p * n + j]) }
                        var v = acc + rowBias[i]
                        v = v + colBias[j]
                        if relu && v < 0 { v = 0 }
                        expected[i * n + j] = v
                    }
                }
                for kernel in kernels {
                    XCTAssertTrue(GEMM.select(kernel))
                    var c = [Float](repeating: 7, count: m * n)
                    try a.withUnsafeBufferPointer { pa in
                        try b.withUnsafeBufferPointer { pb in
                            try c.withUnsafeMutableBufferPointer { pc in
                                try rowBias.withUnsafeBufferPointer { rb in
                                    try colBias.withUnsafeBufferPointer { cb in
                                        var args = GEMM.dense(m: m, n: n, k: k, a: pa.baseAddress!, lda: max(k, 1), b: pb.baseAddress!,
                                                              bRowStride: transposedB ? 1 : n, bColumnStride: transposedB ? k : 1,
                                                              c: pc.baseAddress!, cRowStride: n)
                                        args.row_bias = rb.baseAddress
                                        args.col_bias = cb.baseAddress
                                        args.relu = relu ? 1 : 0
                                        // Whole product, then a sub-rectangle over a poisoned copy.
                                        try GEMM.run(&args, rows: 0..<m, columns: 0..<n)
                                        assertBitIdentical(pc.baseAddress!, expected, count: m * n, "\(kernel) \(m)x\(n)x\(k) full")
                                        let rows = (m / 3)..<max(m / 3 + 1, m - m / 4), columns = (n / 5)..<max(n / 5 + 1, n - n / 3)
                                        pc.update(repeating: .nan)
                                        try GEMM.run(&args, rows: rows, columns: columns)
                                        for i in rows {
                                            assertBitIdentical(pc.baseAddress! + i * n + columns.lowerBound, Array(expected[(i * n + columns.lowerBound)...]),
                                                               count: columns.count, "\(kernel) \(m)x\(n)x\(k) rows \(rows) columns \(columns)")
                                        }
                                        XCTAssertTrue(pc[0 == rows.lowerBound && columns.lowerBound == 0 ? m * n - 1 : 0].isNaN || m * n == 1,
                                                      "elements outside the rectangle are left alone")
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Convolutions of every geometry (strides, dilations, pads, groups, 1-D to 3-D, batches
    /// whose planes straddle panels): the GEMM path equals the im2col fma chain exactly, on
    /// every kernel (so its packers agree), and filter/image subsets equal the full run.
    func testConvolutionIsTheIm2colChainOnEveryKernelAndSubset() throws {
        typealias Case = (x: [Int], w: [Int], attributes: [String: AttributeValue])
        let cases: [Case] = [
            ([2, 3, 9, 11], [4, 3, 3, 2], ["strides": .ints([2, 1]), "pads": .ints([1, 0, 2, 1]), "dilations": .ints([2, 1])]),
            ([1, 4, 7, 7], [6, 2, 3, 3], ["group": .int(2), "pads": .ints([1, 1, 1, 1])]),
            ([3, 5, 6, 4], [7, 5, 1, 1], [:]),
            ([2, 5, 6, 4], [7, 5, 1, 1], ["strides": .ints([2, 2])]),
            ([2, 3, 17], [4, 3, 4], ["dilations": .ints([3]), "pads": .ints([2, 5]), "strides": .ints([2])]),
            ([1, 4, 5, 6, 7], [4, 2, 2, 3, 2], ["group": .int(2), "strides": .ints([1, 2, 1]), "pads": .ints([1, 0, 1, 0, 1, 1])]),
            ([5, 4, 10, 9], [9, 4, 3, 3], ["pads": .ints([1, 1, 1, 1])]),
            ([6, 8, 3, 3], [10, 8, 3, 3], ["pads": .ints([1, 1, 1, 1])]),
            ([40, 3, 2, 2], [5, 3, 3, 3], ["pads": .ints([1, 1, 1, 1])]),
            ([3, 2, 30, 40], [3, 2, 7, 7], ["strides": .ints([2, 2]), "pads": .ints([3, 3, 3, 3])]),
        ]
        let kernels = GEMM.availableKernels
        for (index, c) in cases.enumerated() {
            var random = TestRandom(seed: UInt64(100 + index))
            let x = random.tensor(c.x), w = random.tensor(c.w), b = random.tensor([c.w[0]])
            if index % 3 == 0 {
                // Non-finite weights must propagate through padding taps too (inf · 0 = NaN).
                w.floats[0] = .infinity
                x.floats[1] = .nan
            }
            let node = Node(name: "n", opType: "Conv", inputs: [], outputs: [], attributes: c.attributes)
            let geometry = try SpatialGeometry.resolve(node: node, inputSpatial: Array(c.x[2...]), kernel: Array(c.w[2...]))
            let shape = ConvShape(input: c.x, filters: c.w[0], group: try node.int("group", default: 1), geometry: geometry)
            let expected = Tensor(dataType: .float, shape: [c.x[0], c.w[0]] + geometry.outputSize)
            Self.chainConv(x: x.floats, w: w.floats, bias: b.floats, out: expected.floats, shape: shape, relu: index % 2 == 0)
            for kernel in kernels {
                XCTAssertTrue(GEMM.select(kernel))
                let conv = ConvKernel(shape)
                conv.fusedRelu = index % 2 == 0
                let y = Tensor(dataType: .float, shape: expected.shape)
                try conv.run(inputs: [x, w, b], outputs: [y])
                assertBitIdentical(y.floats, expected.floats, count: y.count, "case \(index) \(kernel)")
                // Filters and images subsets over a poisoned output.
                y.floats.update(repeating: .nan, count: y.count)
                let filters = (shape.filters / 3)..<max(shape.filters / 3 + 1, shape.filters - 1)
                let images = (shape.batch / 2)..<shape.batch
                try conv.run(inputs: [x, w, b], output: y, filters: filters, images: images)
                for n in images {
                    for f in filters {
                        let offset = (n * shape.filters + f) * shape.outputPixels
                        assertBitIdentical(y.floats + offset, expected.floats + offset, count: shape.outputPixels,
                                           "case \(index) \(kernel) filter \(f) image \(n)")
                    }
                }
            }
        }
    }

    /// The convolution as the GEMM contract defines it: for each output element, the fma chain
    /// over (input channel, tap) in weight order, padding reading +0.
    static func chainConv(x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                          out: UnsafeMutablePointer<Float>, shape s: ConvShape, relu: Bool) {
        for n in 0..<s.batch {
            for f in 0..<s.filters {
                let g = f / s.filtersPerGroup
                for od in 0..<s.outD { for oh in 0..<s.outH { for ow in 0..<s.outW {
                    var acc: Float = 0
                    for c in 0..<s.channelsPerGroup {
                        for kd in 0..<s.kD { for kh in 0..<s.kH { for kw in 0..<s.kW {
                            let id = od * s.strideD - s.padFront + kd * s.dilationD
                            let ih = oh * s.strideH - s.padTop + kh * s.dilationH
                            let iw = ow * s.strideW - s.padLeft + kw * s.dilationW
                            var xv: Float = 0
                            if id >= 0 && id < s.inD && ih >= 0 && ih < s.inH && iw >= 0 && iw < s.inW {
                                let channel = n * s.channels + g * s.channelsPerGroup + c
                                xv = x[((channel * s.inD + id) * s.inH + ih) * s.inW + iw]
                            }
                            let wv = w[(((f * s.channelsPerGroup + c) * s.kD + kd) * s.kH + kh) * s.kW + kw]
                            acc = acc.addingProduct(wv, xv)
                        } } }
                    }
                    var v = acc + (bias?[f] ?? 0)
                    if bias == nil { v = acc }
                    if relu && v < 0 { v = 0 }
                    out[(((n * s.filters + f) * s.outD + od) * s.outH + oh) * s.outW + ow] = v
                } } }
            }
        }
    }
}
