import XCTest
@testable import SEUOnnx

/// Incremental re-execution equals a full re-run bit for bit: every operator family on a small
/// graph (restricted Conv/Gemm recomputation, dirty images and rows, dirty planes through
/// BatchNorm/Relu/depthwise Conv/Add/pooling/Sigmoid, views, patched initializers read whole by
/// Mul and MatMul, multi-site faults, NaN and Inf patches) and sampled faults in every tensor
/// of the shared models.
final class IncrementalExactnessTests: XCTestCase {
    /// x [2,4,8,8] → Conv 3×3 → BatchNorm → Relu → depthwise Conv → Add (residual) → MaxPool →
    /// AveragePool → Sigmoid → Mul (per-channel initializer, broadcast) → grouped 1×1 Conv →
    /// GlobalAveragePool → Flatten → Gemm (transB) → Relu → Gemm → MatMul (initializer).
    static func familyModel() -> Model {
        var random = TestRandom(seed: 5)
        func t(_ shape: [Int], scale: Float = 0.5, offset: Float = 0) -> Tensor {
            Tensor(shape: shape, floats: (0..<Tensor.elementCount(shape)).map { _ in random.float() * scale + offset })
        }
        let initializers: [(String, Tensor)] = [
            ("w1", t([6, 4, 3, 3])), ("b1", t([6])),
            ("scale", t([6], offset: 1)), ("shift", t([6])), ("mean", t([6], scale: 0.1)), ("var", t([6], scale: 0.2, offset: 0.8)),
            ("wd", t([6, 1, 3, 3])), ("bd", t([6])),
            ("m", t([1, 6, 1, 1], offset: 1)),
            ("wg", t([4, 3, 1, 1])),
            ("f1", t([5, 4])), ("fb1", t([5])),
            ("f2", t([5, 3])), ("fb2", t([3])),
            ("wm", t([3, 3])),
        ]
        let nodes = [
            Node(name: "conv1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "bn", opType: "BatchNormalization", inputs: ["c1", "scale", "shift", "mean", "var"], outputs: ["n1"]),
            Node(name: "relu1", opType: "Relu", inputs: ["n1"], outputs: ["r1"]),
            Node(name: "dw", opType: "Conv", inputs: ["r1", "wd", "bd"], outputs: ["d1"],
                 attributes: ["group": .int(6), "pads": .ints([1, 1, 1, 1])]),
            Node(name: "add", opType: "Add", inputs: ["d1", "r1"], outputs: ["a1"]),
            Node(name: "mp", opType: "MaxPool", inputs: ["a1"], outputs: ["p1"], attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]),
            Node(name: "ap", opType: "AveragePool", inputs: ["p1"], outputs: ["p2"],
                 attributes: ["kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])]),
            Node(name: "sig", opType: "Sigmoid", inputs: ["p2"], outputs: ["s1"]),
            Node(name: "mul", opType: "Mul", inputs: ["s1", "m"], outputs: ["u1"]),
            Node(name: "gconv", opType: "Conv", inputs: ["u1", "wg"], outputs: ["g1"], attributes: ["group": .int(2)]),
            Node(name: "gap", opType: "GlobalAveragePool", inputs: ["g1"], outputs: ["q1"]),
            Node(name: "flat", opType: "Flatten", inputs: ["q1"], outputs: ["v1"]),
            Node(name: "fc1", opType: "Gemm", inputs: ["v1", "f1", "fb1"], outputs: ["h1"], attributes: ["transB": .int(1)]),
            Node(name: "relu2", opType: "Relu", inputs: ["h1"], outputs: ["h2"]),
            Node(name: "fc2", opType: "Gemm", inputs: ["h2", "f2", "fb2"], outputs: ["h3"]),
            Node(name: "mm", opType: "MatMul", inputs: ["h3", "wm"], outputs: ["y"]),
        ]
        let graph = Graph(name: "families", nodes: nodes,
                          inputs: [ValueInfo(name: "x", type: TensorType(dataType: .float, shape: [.symbolic("n"), .fixed(4), .fixed(8), .fixed(8)]))],
                          outputs: [ValueInfo(name: "y", type: nil)], initializers: initializers)
        return Model(irVersion: 8, opsetImports: ["": 17], graph: graph)
    }

    func testEveryOperatorFamilyMatchesAFullRerun() throws {
        let model = Self.familyModel()
        var random = TestRandom(seed: 9)
        let x = random.tensor([3, 4, 8, 8])
        let check = try IncrementalCheck(model: model, feeds: [x])
        let names = model.graph.initializerNames
        var executed: [String: Int] = [:]
        for name in names {
            let count = model.graph.initializers[name]!.count
            // Every element of the small tensors, a spread of the others.
            for index in stride(from: 0, to: count, by: max(1, count / 24)) {
                for bit in [0, 1, 2, 9, 31] {
                    executed[name] = max(executed[name] ?? 0, try check.check([check.flip(name, index, bit: bit)]))
                }
                for value: Float in [.nan, .infinity, -.infinity, 0, -0.0] where index % 3 == 0 {
                    try check.check([check.set(name, index, value)])
                }
            }
        }
        // A fault in the last MatMul's weight re-executes one step; one in the first conv more.
        XCTAssertEqual(executed["wm"], 1)
        XCTAssertGreaterThan(executed["w1"] ?? 0, 5)
        // Several sites at once, in one tensor and across tensors (upstream and downstream).
        try check.check([check.flip("w1", 3, bit: 1), check.flip("w1", 40, bit: 2)])
        try check.check([check.flip("w1", 3, bit: 1), check.flip("f2", 4, bit: 1)])
        try check.check([check.flip("scale", 2, bit: 1), check.flip("wd", 7, bit: 0), check.flip("m", 1, bit: 3)])
        try check.check([check.flip("b1", 0, bit: 1), check.flip("fb1", 2, bit: 1), check.set("wm", 8, .nan)])
        // A patch that changes nothing is masked at once.
        let same = model.graph.initializers["w1"]!.floats[3]
        XCTAssertEqual(try check.check([check.set("w1", 3, same)]), 0)
    }
}

/// Sampled faults in every tensor of the shared reference models.
final class IncrementalReferenceModelTests: XCTestCase {
    /// For each initializer: `perTensor` random elements, each with a random bit (bit 1 —
    /// the exponent's top bit, the flip that makes huge values — every other time) and, for
    /// the first tensor element sampled, a NaN.
    private func sample(_ model: Model, feeds: [Tensor], perTensor: Int, seed: UInt64,
                        minimumSkipped: Int = 0) throws {
        let check = try IncrementalCheck(model: model, feeds: feeds)
        var random = TestRandom(seed: seed)
        var skipped = 0
        for name in model.graph.initializerNames {
            guard let tensor = model.graph.initializers[name], tensor.dataType == .float, tensor.count > 0 else { continue }
            for i in 0..<perTensor {
                let index = random.int(0...(tensor.count - 1))
                let bit = i % 2 == 0 ? 1 : random.int(0...31)
                let executed = try check.check([check.flip(name, index, bit: bit)])
                if executed < check.clean.steps.count { skipped += 1 }
            }
            try check.check([check.set(name, random.int(0...(tensor.count - 1)), .nan)])
        }
        // Incremental runs really run less than the whole plan for most faults.
        XCTAssertGreaterThanOrEqual(skipped, minimumSkipped)
    }

    func testDigitsCNNBothExports() throws {
        let models = try TestPaths.requireSharedModels()
        let x = try NPY.read(path: models.appendingPathComponent("digits_test_x.npy").path)
        let feeds = try CampaignData(inputs: [x], labels: nil).batch(0..<64)
        for file in ["digits_cnn.onnx", "digits_cnn_dynamo.onnx"] {
            try sample(Model(path: models.appendingPathComponent(file).path), feeds: feeds, perTensor: 6, seed: 1, minimumSkipped: 20)
        }
    }

    func testResNet18Digits32() throws {
        let models = try TestPaths.requireSharedModels()
        let x = try NPY.read(path: models.appendingPathComponent("digits32_test_x.npy").path)
        let feeds = try CampaignData(inputs: [x], labels: nil).batch(0..<24)
        try sample(Model(path: models.appendingPathComponent("resnet18_digits32.onnx").path), feeds: feeds, perTensor: 2, seed: 2,
                   minimumSkipped: 60)
    }

    func testResNet18ImageNetShape() throws {
        let models = try TestPaths.requireSharedModels()
        let x = try NPY.read(path: models.appendingPathComponent("resnet18_input.npy").path)
        let feeds = try CampaignData(inputs: [x], labels: nil).batch(0..<1)
        try sample(Model(path: models.appendingPathComponent("resnet18.onnx").path), feeds: feeds, perTensor: 1, seed: 3,
                   minimumSkipped: 30)
    }
}
