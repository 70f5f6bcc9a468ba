import XCTest
@testable import SEUOnnx

/// Resize across its opsets and Upsample, against onnxruntime values.
final class ResizeTests: XCTestCase {
    /// 0...15 as 1×1×4×4.
    let x = Tensor(shape: [1, 1, 4, 4], floats: (0..<16).map(Float.init))
    /// 0...5 as 1×1×2×3.
    let small = Tensor(shape: [1, 1, 2, 3], floats: (0..<6).map(Float.init))

    func scales(_ values: [Float]) -> Tensor { Tensor(shape: [values.count], floats: values) }
    var none: Tensor { Tensor(shape: [0], floats: []) }

    func testResize10NearestUsesLegacyRounding() throws {
        // Downsampling rounds source coordinates up, upsampling truncates (asymmetric).
        let down = try GraphRunner.run("Resize", inputs: [x, scales([1, 1, 0.6, 0.6])], attributes: ["mode": .string("nearest")], opset: 10)[0]
        assertTensor(down, shape: [1, 1, 2, 2], [0, 2, 8, 10])
        let up = try GraphRunner.run("Resize", inputs: [small, scales([1, 1, 1.5, 2.5])], opset: 10)[0]
        assertTensor(up, shape: [1, 1, 3, 7], [0, 0, 0, 1, 1, 2, 2, 0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5])
    }

    func testResize10Linear() throws {
        let xs = Tensor(shape: [1, 1, 2, 2], floats: [0, 1, 4, 5])
        let y = try GraphRunner.run("Resize", inputs: [xs, scales([1, 1, 2, 2])], attributes: ["mode": .string("linear")], opset: 10)[0]
        assertTensor(y, shape: [1, 1, 4, 4], [0, 0.5, 1, 1, 2, 2.5, 3, 3, 4, 4.5, 5, 5, 4, 4.5, 5, 5])
    }

    func testUpsampleNearestAndLinear() throws {
        let xs = Tensor(shape: [1, 1, 2, 2], floats: [0, 1, 4, 5])
        let nearest = try GraphRunner.run("Upsample", inputs: [xs, scales([1, 1, 2, 3])], attributes: ["mode": .string("nearest")], opset: 9)[0]
        assertTensor(nearest, shape: [1, 1, 4, 6], [0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 4, 4, 4, 5, 5, 5, 4, 4, 4, 5, 5, 5])
        let linear = try GraphRunner.run("Upsample", inputs: [xs], attributes: ["mode": .string("linear"), "scales": .floats([1, 1, 2, 3])], opset: 7)[0]
        assertTensor(linear, shape: [1, 1, 4, 6], [0, 1.0 / 3, 2.0 / 3, 1, 1, 1, 2, 7.0 / 3, 8.0 / 3, 3, 3, 3,
                                                   4, 13.0 / 3, 14.0 / 3, 5, 5, 5, 4, 13.0 / 3, 14.0 / 3, 5, 5, 5])
        let v1 = try GraphRunner.run("Upsample", inputs: [xs], attributes: ["height_scale": .float(2), "width_scale": .float(3)], opset: 1)[0]
        assertTensor(v1, shape: [1, 1, 4, 6], nearest.floatValues())
    }

    func testResize11AlignCornersSizesAndCubic() throws {
        let sizes = Tensor(shape: [4], elements: [Int64(1), 1, 3, 5])
        let aligned = try GraphRunner.run("Resize", inputs: [small, none, none, sizes], attributes: [
            "mode": .string("linear"), "coordinate_transformation_mode": .string("align_corners"),
        ], opset: 11)[0]
        assertTensor(aligned, shape: [1, 1, 3, 5], [0, 0.5, 1, 1.5, 2, 1.5, 2, 2.5, 3, 3.5, 3, 3.5, 4, 4.5, 5])
        let cubic = try GraphRunner.run("Resize", inputs: [x, none, scales([1, 1, 0.5, 0.5])], attributes: ["mode": .string("cubic")], opset: 13)[0]
        assertTensor(cubic, shape: [1, 1, 2, 2], [2.03125, 4.21875, 10.78125, 12.96875], tolerance: 1e-5)
        let nn = try GraphRunner.run("Resize", inputs: [x, none, none, Tensor(shape: [4], elements: [Int64(1), 1, 3, 3])],
                                     attributes: ["coordinate_transformation_mode": .string("tf_half_pixel_for_nn")], opset: 11)[0]
        assertTensor(nn, shape: [1, 1, 3, 3], [5, 6, 7, 9, 10, 11, 13, 14, 15])
    }

    func testAxesAtScaleOneAreNotShifted() throws {
        // tf_half_pixel_for_nn with ceil maps y to ⌈y + 0.5⌉ at scale 1; channels must stay put.
        let x = Tensor(shape: [1, 2, 2, 2], floats: (0..<8).map(Float.init))
        let y = try GraphRunner.run("Resize", inputs: [x, nil, nil, Tensor(shape: [4], elements: [Int64(1), 2, 1, 1])], attributes: [
            "coordinate_transformation_mode": .string("tf_half_pixel_for_nn"), "nearest_mode": .string("ceil"),
        ], opset: 13)[0]
        assertTensor(y, shape: [1, 2, 1, 1], [3, 7])
    }

    func testNearestResizeCopiesIntegers() throws {
        let bytes = Tensor(shape: [1, 1, 2, 3], elements: (0..<6).map { UInt8($0 * 40) })
        let y = try GraphRunner.run("Resize", inputs: [bytes, none, scales([1, 1, 2, 2])], attributes: [
            "coordinate_transformation_mode": .string("asymmetric"), "nearest_mode": .string("floor"),
        ], opset: 13)[0]
        XCTAssertEqual(y.shape, [1, 1, 4, 6])
        XCTAssertEqual(y.elements(as: UInt8.self), [0, 0, 40, 40, 80, 80, 0, 0, 40, 40, 80, 80,
                                                     120, 120, 160, 160, 200, 200, 120, 120, 160, 160, 200, 200])
    }

    func testResize18AxesAndKeepAspectRatio() throws {
        // Sizes only for axes [3, 2]; not_larger keeps the aspect ratio (scale min(6/3, 3/2) = 1.5).
        let y = try GraphRunner.run("Resize", inputs: [small, none, none, Tensor(shape: [2], elements: [Int64(6), 3])], attributes: [
            "axes": .ints([3, 2]), "keep_aspect_ratio_policy": .string("not_larger"),
        ], opset: 18)[0]
        XCTAssertEqual(y.shape, [1, 1, 3, 5])
    }

    func testResizeRejectsBadInputs() throws {
        assertThrowsKind(.invalidNode) {
            _ = try GraphRunner.run("Resize", inputs: [self.x, self.none, self.none, nil], opset: 13)
        }
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("Resize", inputs: [self.x, self.none, self.scales([2, 2])], opset: 13)
        }
        assertThrowsKind(.invalidNode) {
            _ = try GraphRunner.run("Resize", inputs: [self.x, self.none, self.scales([1, 1, 2, 2])],
                                    attributes: ["coordinate_transformation_mode": .string("sideways")], opset: 13)
        }
        assertThrowsKind(.shapeMismatch) {
            _ = try GraphRunner.run("Resize", inputs: [self.x, self.none, self.scales([1, 1, 1e30, 1])], opset: 13)
        }
        assertThrowsKind(.invalidNode) {
            _ = try GraphRunner.run("Resize", inputs: [self.x, self.none, self.scales([1, 1, .nan, 1])], opset: 13)
        }
        // A vanishing scale is an empty output, not a huge antialiasing filter.
        XCTAssertEqual(try GraphRunner.run("Resize", inputs: [x, none, scales([1, 1, 1e-30, 1])],
                                           attributes: ["mode": .string("linear"), "antialias": .int(1)], opset: 18)[0].shape, [1, 1, 0, 4])
    }
}
