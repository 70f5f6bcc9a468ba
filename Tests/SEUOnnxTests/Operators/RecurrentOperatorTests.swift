import XCTest
@testable import SEUOnnx

/// RNN, GRU and LSTM against onnxruntime 1.32 (values copied from it; layout 1 cases were run
/// in onnxruntime with layout 0 on transposed tensors, since it rejects layout 1). Inputs are
/// deterministic ramps so the tests need no data files.
final class RecurrentOperatorTests: XCTestCase {
    /// Values ((7·i + offset) mod 11 − 5) · scale, row-major: small, signed, non-repeating.
    func ramp(_ shape: [Int], scale: Float, offset: Int) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, floats: (0..<count).map { Float(((7 * $0 + offset) % 11) - 5) * scale })
    }

    func testLSTMForwardWithBiasAndInitialStates() throws {
        let outputs = try GraphRunner.run("LSTM", inputs: [ramp([3, 2, 3], scale: 0.3, offset: 0), ramp([1, 8, 3], scale: 0.2, offset: 1), ramp([1, 8, 2], scale: 0.25, offset: 2), ramp([1, 16], scale: 0.1, offset: 3), nil, ramp([1, 2, 2], scale: 0.5, offset: 4), ramp([1, 2, 2], scale: 0.7, offset: 5)],
                                          attributes: ["hidden_size": .int(2)],
                                          outputCount: 3, opset: 14)
        XCTAssertEqual(outputs[0].shape, [3, 1, 2, 2])
        assertClose(outputs[0].floatValues(), [-0.117646, -0.1349051, 0.8711383, -0.3064931, -0.4352454, -0.603488, 0.7969813, -0.3390788, -0.04475156, -0.1422398, 0.2673001, -0.03290481], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [1, 2, 2])
        assertClose(outputs[1].floatValues(), [-0.04475156, -0.1422398, 0.2673001, -0.03290481], tolerance: 1e-5)
        XCTAssertEqual(outputs[2].shape, [1, 2, 2])
        assertClose(outputs[2].floatValues(), [-0.1052796, -0.5768281, 0.4842475, -0.4123828], tolerance: 1e-5)
    }

    func testLSTMClipBoundsGateInputs() throws {
        let outputs = try GraphRunner.run("LSTM", inputs: [ramp([3, 2, 3], scale: 0.3, offset: 0), ramp([1, 8, 3], scale: 0.2, offset: 1), ramp([1, 8, 2], scale: 0.25, offset: 2), ramp([1, 16], scale: 0.1, offset: 3), nil, ramp([1, 2, 2], scale: 0.5, offset: 4), ramp([1, 2, 2], scale: 0.7, offset: 5)],
                                          attributes: ["clip": .float(0.3), "hidden_size": .int(2)],
                                          outputCount: 3, opset: 14)
        XCTAssertEqual(outputs[0].shape, [3, 1, 2, 2])
        assertClose(outputs[0].floatValues(), [-0.05248786, -0.4018283, 0.4561489, -0.2118209, -0.1107196, -0.4021513, 0.264457, -0.19984, 0.01939592, -0.1522514, 0.1576807, -0.03590503], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [1, 2, 2])
        assertClose(outputs[1].floatValues(), [0.01939592, -0.1522514, 0.1576807, -0.03590503], tolerance: 1e-5)
        XCTAssertEqual(outputs[2].shape, [1, 2, 2])
        assertClose(outputs[2].floatValues(), [0.04090822, -0.3743254, 0.3358054, -0.08457283], tolerance: 1e-5)
    }

    func testLSTMInputForget() throws {
        let outputs = try GraphRunner.run("LSTM", inputs: [ramp([3, 2, 3], scale: 0.3, offset: 0), ramp([1, 8, 3], scale: 0.2, offset: 1), ramp([1, 8, 2], scale: 0.25, offset: 2), ramp([1, 16], scale: 0.1, offset: 3), nil, ramp([1, 2, 2], scale: 0.5, offset: 4), ramp([1, 2, 2], scale: 0.7, offset: 5)],
                                          attributes: ["input_forget": .int(1), "hidden_size": .int(2)],
                                          outputCount: 3, opset: 14)
        XCTAssertEqual(outputs[0].shape, [3, 1, 2, 2])
        assertClose(outputs[0].floatValues(), [-0.117646, -0.09963564, 0.931078, -0.2831737, -0.3946046, -0.4381905, 0.8749237, -0.3549558, -0.1243778, -0.04837192, 0.5597406, -0.02368855], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [1, 2, 2])
        assertClose(outputs[1].floatValues(), [-0.1243778, -0.04837192, 0.5597406, -0.02368855], tolerance: 1e-5)
        XCTAssertEqual(outputs[2].shape, [1, 2, 2])
        assertClose(outputs[2].floatValues(), [-0.302227, -0.1746837, 1.579096, -0.320243], tolerance: 1e-5)
    }

    func testLSTMZeroLengthSequenceGivesZeroState() throws {
        let outputs = try GraphRunner.run("LSTM", inputs: [ramp([3, 2, 3], scale: 0.3, offset: 0), ramp([1, 8, 3], scale: 0.2, offset: 1), ramp([1, 8, 2], scale: 0.25, offset: 2), ramp([1, 16], scale: 0.1, offset: 3), Tensor(shape: [2], elements: [3, 0] as [Int32]), ramp([1, 2, 2], scale: 0.5, offset: 4), ramp([1, 2, 2], scale: 0.7, offset: 5)],
                                          attributes: ["hidden_size": .int(2)],
                                          outputCount: 3, opset: 14)
        XCTAssertEqual(outputs[0].shape, [3, 1, 2, 2])
        assertClose(outputs[0].floatValues(), [-0.117646, -0.1349051, 0, 0, -0.4352454, -0.603488, 0, 0, -0.04475156, -0.1422398, 0, 0], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [1, 2, 2])
        assertClose(outputs[1].floatValues(), [-0.04475156, -0.1422398, 0, 0], tolerance: 1e-5)
        XCTAssertEqual(outputs[2].shape, [1, 2, 2])
        assertClose(outputs[2].floatValues(), [-0.1052796, -0.5768281, 0, 0], tolerance: 1e-5)
    }

    func testLSTMBidirectionalPeepholesSequenceLengths() throws {
        let outputs = try GraphRunner.run("LSTM", inputs: [ramp([3, 2, 3], scale: 0.3, offset: 0), ramp([2, 8, 3], scale: 0.2, offset: 1), ramp([2, 8, 2], scale: 0.25, offset: 2), ramp([2, 16], scale: 0.1, offset: 3), Tensor(shape: [2], elements: [2, 3] as [Int32]), ramp([2, 2, 2], scale: 0.5, offset: 4), ramp([2, 2, 2], scale: 0.7, offset: 5), ramp([2, 6], scale: 0.3, offset: 6)],
                                          attributes: ["direction": .string("bidirectional"), "hidden_size": .int(2)],
                                          outputCount: 3, opset: 14)
        XCTAssertEqual(outputs[0].shape, [3, 2, 2, 2])
        assertClose(outputs[0].floatValues(), [-0.09164213, -0.1141641, 0.2995176, -0.3139043, -0.3265271, 0.4313518, 0.1418172, 0.149916, -0.3938445, -0.1639785, 0.09767905, -0.3234927, -0.2448355, 0.03992482, 0.160768, 0.2534037, 0, 0, 0.07892303, -0.004400853, 0, 0, 0.08038881, 0.6499905], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [2, 2, 2])
        assertClose(outputs[1].floatValues(), [-0.3938445, -0.1639785, 0.07892303, -0.004400853, -0.3265271, 0.4313518, 0.1418172, 0.149916], tolerance: 1e-5)
        XCTAssertEqual(outputs[2].shape, [2, 2, 2])
        assertClose(outputs[2].floatValues(), [-0.5188893, -0.2041921, 0.1559098, -0.02420482, -0.4202057, 0.5940861, 0.2368999, 1.111386], tolerance: 1e-5)
    }

    func testLSTMReverseLayout1() throws {
        let outputs = try GraphRunner.run("LSTM", inputs: [ramp([2, 3, 3], scale: 0.3, offset: 0), ramp([1, 8, 3], scale: 0.2, offset: 1), ramp([1, 8, 2], scale: 0.25, offset: 2), ramp([1, 16], scale: 0.1, offset: 3), Tensor(shape: [2], elements: [1, 3] as [Int32]), ramp([2, 1, 2], scale: 0.5, offset: 4), ramp([2, 1, 2], scale: 0.7, offset: 5)],
                                          attributes: ["direction": .string("reverse"), "hidden_size": .int(2), "layout": .int(1)],
                                          outputCount: 3, opset: 14)
        XCTAssertEqual(outputs[0].shape, [2, 3, 1, 2])
        assertClose(outputs[0].floatValues(), [-0.117646, -0.1349051, 0, 0, 0, 0, 0.04714491, -0.1013853, 0.1486278, -0.04385763, 0.2361773, -0.02202618], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [2, 1, 2])
        assertClose(outputs[1].floatValues(), [-0.117646, -0.1349051, 0.04714491, -0.1013853], tolerance: 1e-5)
        XCTAssertEqual(outputs[2].shape, [2, 1, 2])
        assertClose(outputs[2].floatValues(), [-0.3159927, -2.580695, 0.05261719, -0.1323159], tolerance: 1e-5)
    }

    func testLSTMCustomActivations() throws {
        let outputs = try GraphRunner.run("LSTM", inputs: [ramp([2, 1, 3], scale: 0.3, offset: 0), ramp([1, 12, 3], scale: 0.2, offset: 1), ramp([1, 12, 3], scale: 0.25, offset: 2), ramp([1, 24], scale: 0.1, offset: 3)],
                                          attributes: ["activations": .strings(["HardSigmoid", "LeakyRelu", "Softsign"]), "activation_alpha": .floats([0.3, 0.2]), "activation_beta": .floats([0.4]), "hidden_size": .int(3)],
                                          outputCount: 3, opset: 14)
        XCTAssertEqual(outputs[0].shape, [2, 1, 1, 3])
        assertClose(outputs[0].floatValues(), [0.09345836, 0.2284538, 0, 0.06492363, 0.1840534, -0.0108762], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [1, 1, 3])
        assertClose(outputs[1].floatValues(), [0.06492363, 0.1840534, -0.0108762], tolerance: 1e-5)
        XCTAssertEqual(outputs[2].shape, [1, 1, 3])
        assertClose(outputs[2].floatValues(), [0.06943136, 0.2255703, -0.07397871], tolerance: 1e-5)
    }

    func testGRULinearBeforeResetBidirectional() throws {
        let outputs = try GraphRunner.run("GRU", inputs: [ramp([3, 2, 2], scale: 0.3, offset: 0), ramp([2, 9, 2], scale: 0.2, offset: 1), ramp([2, 9, 3], scale: 0.25, offset: 2), ramp([2, 18], scale: 0.1, offset: 3), Tensor(shape: [2], elements: [3, 2] as [Int32]), ramp([2, 2, 3], scale: 0.5, offset: 4)],
                                          attributes: ["direction": .string("bidirectional"), "linear_before_reset": .int(1), "hidden_size": .int(3)],
                                          outputCount: 2, opset: 14)
        XCTAssertEqual(outputs[0].shape, [3, 2, 2, 3])
        assertClose(outputs[0].floatValues(), [-0.7849185, 0.2043014, 0.9176115, -0.9970285, 2.268597, 0.5884764, 0.4843471, 0.5344449, 0.0312451, 0.5590041, 0.9069541, -0.4539632, -0.1405702, 0.1571522, 0.4567727, -0.7852569, 2.124739, 0.4916306, -0.6212678, 1.4072, 0.0591447, -1.236053, 1.411905, -0.4454939, -0.3122047, 0.5264697, 0.7358156, 0, 0, 0, -0.1252965, 1.576914, -0.007557208, 0, 0, 0], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [2, 2, 3])
        assertClose(outputs[1].floatValues(), [-0.3122047, 0.5264697, 0.7358156, -0.7852569, 2.124739, 0.4916306, 0.4843471, 0.5344449, 0.0312451, 0.5590041, 0.9069541, -0.4539632], tolerance: 1e-5)
    }

    func testGRUResetBeforeLinearBidirectional() throws {
        let outputs = try GraphRunner.run("GRU", inputs: [ramp([3, 2, 2], scale: 0.3, offset: 0), ramp([2, 9, 2], scale: 0.2, offset: 1), ramp([2, 9, 3], scale: 0.25, offset: 2), ramp([2, 18], scale: 0.1, offset: 3), Tensor(shape: [2], elements: [3, 2] as [Int32]), ramp([2, 2, 3], scale: 0.5, offset: 4)],
                                          attributes: ["direction": .string("bidirectional"), "hidden_size": .int(3)],
                                          outputCount: 2, opset: 14)
        XCTAssertEqual(outputs[0].shape, [3, 2, 2, 3])
        assertClose(outputs[0].floatValues(), [-0.1933893, 0.2031673, 0.9820868, -0.9983771, 2.248257, 0.3241455, 0.4744995, 0.579259, 0.04150735, 0.4698631, 0.8952803, -0.5326377, 0.3788776, 0.1476193, 0.1605689, -0.7373821, 2.109294, 0.2405728, -0.6330948, 1.422794, 0.07388823, -1.241855, 1.408784, -0.5221741, 0.01756182, 0.6028751, 0.5572298, 0, 0, 0, -0.1402123, 1.576452, -0.01129562, 0, 0, 0], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [2, 2, 3])
        assertClose(outputs[1].floatValues(), [0.01756182, 0.6028751, 0.5572298, -0.7373821, 2.109294, 0.2405728, 0.4744995, 0.579259, 0.04150735, 0.4698631, 0.8952803, -0.5326377], tolerance: 1e-5)
    }

    func testGRULayout1ClipActivations() throws {
        let outputs = try GraphRunner.run("GRU", inputs: [ramp([3, 2, 2], scale: 0.3, offset: 0), ramp([1, 6, 2], scale: 0.2, offset: 1), ramp([1, 6, 2], scale: 0.25, offset: 2), ramp([1, 12], scale: 0.1, offset: 3), nil, ramp([3, 1, 2], scale: 0.5, offset: 4)],
                                          attributes: ["clip": .float(0.4), "activations": .strings(["HardSigmoid", "Elu"]), "activation_alpha": .floats([0.25, 0.8]), "activation_beta": .floats([0.45]), "hidden_size": .int(2), "layout": .int(1)],
                                          outputCount: 2, opset: 14)
        XCTAssertEqual(outputs[0].shape, [3, 2, 1, 2])
        assertClose(outputs[0].floatValues(), [0.08499999, -1.398498, 0.28975, -0.8878587, 0.1785664, -0.37, -0.1005691, -0.2214481, 1.135, 0.01120383, 0.2258164, 0.1861621], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [3, 1, 2])
        assertClose(outputs[1].floatValues(), [0.28975, -0.8878587, -0.1005691, -0.2214481, 0.2258164, 0.1861621], tolerance: 1e-5)
    }

    func testGRUNoBiasReverse() throws {
        let outputs = try GraphRunner.run("GRU", inputs: [ramp([3, 1, 2], scale: 0.3, offset: 0), ramp([1, 6, 2], scale: 0.2, offset: 1), ramp([1, 6, 2], scale: 0.25, offset: 2)],
                                          attributes: ["direction": .string("reverse"), "hidden_size": .int(2)],
                                          outputCount: 2, opset: 14)
        XCTAssertEqual(outputs[0].shape, [3, 1, 1, 2])
        assertClose(outputs[0].floatValues(), [-0.02320795, -0.5586057, -0.310213, -0.6830098, -0.4911512, 0.1860196], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [1, 1, 2])
        assertClose(outputs[1].floatValues(), [-0.02320795, -0.5586057], tolerance: 1e-5)
    }

    func testRNNBidirectionalReluTanh() throws {
        let outputs = try GraphRunner.run("RNN", inputs: [ramp([3, 2, 2], scale: 0.3, offset: 0), ramp([2, 3, 2], scale: 0.2, offset: 1), ramp([2, 3, 3], scale: 0.25, offset: 2), ramp([2, 6], scale: 0.1, offset: 3), Tensor(shape: [2], elements: [1, 3] as [Int32]), ramp([2, 2, 3], scale: 0.5, offset: 4)],
                                          attributes: ["direction": .string("bidirectional"), "activations": .strings(["Relu", "Tanh"]), "hidden_size": .int(3)],
                                          outputCount: 2, opset: 14)
        XCTAssertEqual(outputs[0].shape, [3, 2, 2, 3])
        assertClose(outputs[0].floatValues(), [0, 0, 0, 4.13, 2.27, 1.51, -0.9986632, 0.3627075, -0.983836, -0.9652181, 0.9347532, -0.8881955, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.7330641, -0.7067308, -0.3678423, 0, 0, 0, 0, 2.46, 0.58, 0, 0, 0, -0.9969977, -0.9654137, -0.3363755], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [2, 2, 3])
        assertClose(outputs[1].floatValues(), [0, 0, 0, 0, 2.46, 0.58, -0.9986632, 0.3627075, -0.983836, -0.9652181, 0.9347532, -0.8881955], tolerance: 1e-5)
    }

    func testRNNAffineScaledTanh() throws {
        let outputs = try GraphRunner.run("RNN", inputs: [ramp([2, 2, 2], scale: 0.3, offset: 0), ramp([2, 2, 2], scale: 0.2, offset: 1), ramp([2, 2, 2], scale: 0.25, offset: 2), ramp([2, 4], scale: 0.1, offset: 3)],
                                          attributes: ["direction": .string("bidirectional"), "activations": .strings(["Affine", "ScaledTanh"]), "activation_alpha": .floats([0.5, 1.5]), "activation_beta": .floats([0.1, 0.7]), "hidden_size": .int(2)],
                                          outputCount: 2, opset: 14)
        XCTAssertEqual(outputs[0].shape, [2, 2, 2, 2])
        assertClose(outputs[0].floatValues(), [0.83, 0.04999999, 0.7400001, -0.49, -0.5800999, -1.161505, -0.7373813, -0.02200752, -0.62625, 0.595, -0.9525, 0.325, 0.4858527, 0.4287184, 0.4858527, 1.172709], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [2, 2, 2])
        assertClose(outputs[1].floatValues(), [-0.62625, 0.595, -0.9525, 0.325, -0.5800999, -1.161505, -0.7373813, -0.02200752], tolerance: 1e-5)
    }

    func testRNNOpset7OnlyLastState() throws {
        let outputs = try GraphRunner.run("RNN", inputs: [ramp([4, 1, 2], scale: 0.3, offset: 0), ramp([1, 3, 2], scale: 0.2, offset: 1), ramp([1, 3, 3], scale: 0.25, offset: 2), ramp([1, 6], scale: 0.1, offset: 3)],
                                          attributes: ["hidden_size": .int(3)],
                                          outputCount: 2, opset: 7)
        XCTAssertEqual(outputs[0].shape, [4, 1, 1, 3])
        assertClose(outputs[0].floatValues(), [0.785664, 0.5370497, -0.6291451, 0.6792939, -0.6079043, -0.8140712, -0.9835896, 0.668649, -0.1645247, -0.0536074, 0.9750732, 0.9769614], tolerance: 1e-5)
        XCTAssertEqual(outputs[1].shape, [1, 1, 3])
        assertClose(outputs[1].floatValues(), [-0.0536074, 0.9750732, 0.9769614], tolerance: 1e-5)
    }

    func testUnknownActivationAndBadShapesAreErrors() {
        let x = ramp([2, 1, 2], scale: 0.3, offset: 0)
        let w = ramp([1, 2, 2], scale: 0.2, offset: 1), r = ramp([1, 2, 2], scale: 0.25, offset: 2)
        XCTAssertThrowsError(try GraphRunner.run("RNN", inputs: [x, w, r], attributes: ["hidden_size": .int(2), "activations": .strings(["Gelu"])])) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .invalidNode)
        }
        XCTAssertThrowsError(try GraphRunner.run("RNN", inputs: [x, w, r], attributes: ["hidden_size": .int(3)])) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .shapeMismatch)
        }
        let lengths = Tensor(shape: [1], elements: [Int32(5)])
        XCTAssertThrowsError(try GraphRunner.run("RNN", inputs: [x, w, r, nil, lengths], attributes: ["hidden_size": .int(2)])) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .execution)
        }
    }

    func testFloat16RunsThroughFloat32() throws {
        // Same as the opset-7 RNN case, with float16 tensors: results rounded to float16.
        let inputs = [ramp([4, 1, 2], scale: 0.3, offset: 0), ramp([1, 3, 2], scale: 0.2, offset: 1),
                      ramp([1, 3, 3], scale: 0.25, offset: 2), ramp([1, 6], scale: 0.1, offset: 3)]
        let half = inputs.map { t -> Tensor in
            let out = Tensor(dataType: .float16, shape: t.shape)
            for i in 0..<t.count { out.pointer(as: UInt16.self)[i] = HalfPrecision.float16Bits(from: t.floats[i]) }
            return out
        }
        let full = try GraphRunner.run("RNN", inputs: inputs, attributes: ["hidden_size": .int(3)], outputCount: 2)
        let reduced = try GraphRunner.run("RNN", inputs: half, attributes: ["hidden_size": .int(3)], outputCount: 2)
        XCTAssertEqual(reduced[1].dataType, .float16)
        assertClose(reduced[1].floatValues(), full[1].floatValues(), tolerance: 2e-3)
    }
}
