import XCTest
@testable import SEUOnnx

/// The default fault-injection selection covers the parameters of every weight-bearing op and
/// nothing else, and `info` names the op and input role that reads each initializer.
final class WeightAnalysisTests: XCTestCase {
    private func floats(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { Float($0 % 7) * 0.1 + 0.1 })
    }

    private func ints(_ values: [Int64]) -> Tensor { Tensor(shape: [values.count], elements: values) }

    private func model(_ nodes: [Node], inputs: [ValueInfo], outputs: [String], initializers: [(String, Tensor)]) -> Model {
        let graph = Graph(name: "g", nodes: nodes, inputs: inputs,
                          outputs: outputs.map { ValueInfo(name: $0, type: nil) }, initializers: initializers)
        return Model(irVersion: 8, opsetImports: ["": 17], graph: graph)
    }

    private func input(_ name: String, _ type: DataType = .float, _ shape: [Int]) -> ValueInfo {
        ValueInfo(name: name, type: TensorType(dataType: type, shape: shape.map { .fixed($0) }))
    }

    /// Conv → BatchNormalization → Reshape → Gemm, with a float scalar Mul and a Conv weight
    /// read by two Convs.
    private func convolutional() -> Model {
        let nodes = [
            Node(name: "c1", opType: "Conv", inputs: ["x", "conv.w", "conv.b"], outputs: ["a"]),
            Node(name: "c2", opType: "Conv", inputs: ["x", "conv.w"], outputs: ["a2"]),
            Node(name: "add", opType: "Add", inputs: ["a", "a2"], outputs: ["a3"]),
            Node(name: "bn", opType: "BatchNormalization", inputs: ["a3", "bn.scale", "bn.bias", "bn.mean", "bn.var"], outputs: ["b"]),
            Node(name: "half", opType: "Mul", inputs: ["b", "half"], outputs: ["c"]),
            Node(name: "flat", opType: "Reshape", inputs: ["c", "shape"], outputs: ["d"]),
            Node(name: "fc", opType: "Gemm", inputs: ["d", "fc.w", "fc.b"], outputs: ["y"], attributes: ["transB": .int(1)]),
        ]
        return model(nodes, inputs: [input("x", .float, [1, 1, 3, 3])], outputs: ["y"], initializers: [
            ("conv.w", floats([2, 1, 3, 3])), ("conv.b", floats([2])),
            ("bn.scale", floats([2])), ("bn.bias", floats([2])), ("bn.mean", floats([2])), ("bn.var", floats([2])),
            ("half", Tensor(shape: [], floats: [0.5])), ("shape", ints([1, 2])),
            ("fc.w", floats([3, 2])), ("fc.b", floats([3])),
        ])
    }

    func testConvolutionalSelectionAndRoles() throws {
        let model = convolutional()
        XCTAssertEqual(try TensorSelection.weights.resolve(in: model),
                       ["conv.w", "conv.b", "bn.scale", "bn.bias", "bn.mean", "bn.var", "fc.w", "fc.b"])
        let usages = WeightAnalysis(graph: model.graph).usages
        XCTAssertEqual(usages["conv.w"]?.usesDescription, "Conv (weight) ×2")
        XCTAssertEqual(usages["conv.w"]?.nodeCount, 2)
        XCTAssertEqual(usages["conv.b"]?.usesDescription, "Conv (bias)")
        XCTAssertEqual(usages["conv.b"]?.nodeCount, 1)
        XCTAssertEqual(usages["bn.var"]?.usesDescription, "BatchNormalization (var)")
        XCTAssertEqual(usages["fc.w"]?.usesDescription, "Gemm (weight)")
        XCTAssertEqual(usages["shape"]?.usesDescription, "Reshape (shape)")
        XCTAssertEqual(usages["half"]?.isWeight, false, "a scalar operand is a constant, not a weight")
        XCTAssertEqual(usages["shape"]?.isWeight, false)
        let text = ModelSummary(model: model).text
        XCTAssertTrue(text.contains("Conv (weight) ×2 — shared by 2 nodes [weight]"), text)
        XCTAssertTrue(text.contains("BatchNormalization (mean) [weight]"), text)
        XCTAssertTrue(text.contains("fault-injection targets by default ([weight]): 8 tensors, 37 elements"), text)
    }

    /// LSTM with W/R/B, a zero initial state and sequence lengths; GRU after it.
    func testRecurrentParametersButNotStates() throws {
        let nodes = [
            Node(name: "lstm", opType: "LSTM", inputs: ["x", "W", "R", "B", "lens", "h0", "h0"], outputs: ["y", "", ""],
                 attributes: ["hidden_size": .int(2)]),
            Node(name: "sq", opType: "Squeeze", inputs: ["y", "axis1"], outputs: ["s"]),
            Node(name: "gru", opType: "GRU", inputs: ["s", "gW", "gR", "gB", "", "h0"], outputs: ["z"],
                 attributes: ["hidden_size": .int(2)]),
        ]
        let model = model(nodes, inputs: [input("x", .float, [3, 1, 4])], outputs: ["z"], initializers: [
            ("W", floats([1, 8, 4])), ("R", floats([1, 8, 2])), ("B", floats([1, 16])),
            ("lens", Tensor(shape: [1], elements: [Int32(3)])), ("h0", Tensor(shape: [1, 1, 2], floats: [0, 0])),
            ("axis1", ints([1])), ("gW", floats([1, 6, 2])), ("gR", floats([1, 6, 2])), ("gB", floats([1, 12])),
        ])
        XCTAssertEqual(try TensorSelection.weights.resolve(in: model), ["W", "R", "B", "gW", "gR", "gB"])
        let usages = WeightAnalysis(graph: model.graph).usages
        XCTAssertEqual(usages["R"]?.usesDescription, "LSTM (R)")
        XCTAssertEqual(usages["gB"]?.usesDescription, "GRU (B)")
        XCTAssertEqual(usages["lens"]?.usesDescription, "LSTM (sequence_lens)")
        XCTAssertEqual(usages["h0"]?.usesDescription, "LSTM (initial_c), LSTM (initial_h), GRU (initial_h)")
        XCTAssertEqual(usages["h0"]?.nodeCount, 2)
        XCTAssertEqual(usages["h0"]?.isWeight, false, "initial states are constants of the export")
    }

    /// The pieces of an exported Transformer: embedding Gather, class token through Expand and
    /// Concat, attention projection behind Transpose, fused in-projection cut by Slice, LayerNorm.
    func testTransformerPiecesThroughDataMovement() throws {
        let nodes = [
            Node(name: "embed", opType: "Gather", inputs: ["table", "tokens"], outputs: ["e"]),
            Node(name: "cls", opType: "Expand", inputs: ["cls_token", "cls_shape"], outputs: ["c"]),
            Node(name: "cat", opType: "Concat", inputs: ["c", "e"], outputs: ["h"], attributes: ["axis": .int(1)]),
            Node(name: "pos", opType: "Add", inputs: ["h", "position"], outputs: ["h1"]),
            Node(name: "ln", opType: "LayerNormalization", inputs: ["h1", "ln.scale", "ln.bias"], outputs: ["h2"],
                 attributes: ["axis": .int(-1)]),
            Node(name: "wt", opType: "Transpose", inputs: ["q.weight"], outputs: ["qT"], attributes: ["perm": .ints([1, 0])]),
            Node(name: "q", opType: "MatMul", inputs: ["h2", "qT"], outputs: ["q"]),
            Node(name: "cut", opType: "Slice", inputs: ["in_proj", "starts", "ends", "axes"], outputs: ["k.weight"]),
            Node(name: "k", opType: "MatMul", inputs: ["h2", "k.weight"], outputs: ["k"]),
            Node(name: "qk", opType: "Add", inputs: ["q", "k"], outputs: ["y"]),
        ]
        let model = model(nodes, inputs: [input("tokens", .int64, [1, 2])], outputs: ["y"], initializers: [
            ("table", floats([5, 4])), ("cls_token", floats([1, 1, 4])), ("cls_shape", ints([1, 1, 4])),
            ("position", floats([1, 3, 4])), ("ln.scale", floats([4])), ("ln.bias", floats([4])),
            ("q.weight", floats([4, 4])), ("in_proj", floats([4, 8])),
            ("starts", ints([0])), ("ends", ints([4])), ("axes", ints([1])),
        ])
        XCTAssertEqual(try TensorSelection.weights.resolve(in: model),
                       ["table", "cls_token", "position", "ln.scale", "ln.bias", "q.weight", "in_proj"])
        let usages = WeightAnalysis(graph: model.graph).usages
        XCTAssertEqual(usages["table"]?.usesDescription, "Gather (table)")
        XCTAssertEqual(usages["cls_token"]?.usesDescription, "Add (bias via Expand, Concat)")
        XCTAssertEqual(usages["q.weight"]?.usesDescription, "MatMul (weight via Transpose)")
        XCTAssertEqual(usages["in_proj"]?.usesDescription, "MatMul (weight via Slice)")
        XCTAssertEqual(usages["ln.bias"]?.usesDescription, "LayerNormalization (bias)")
        XCTAssertEqual(usages["ends"]?.usesDescription, "Slice (ends)")
        XCTAssertEqual(usages["cls_shape"]?.usesDescription, "Expand (shape)")
        let y = try InferenceSession(model: model).run([Tensor(shape: [1, 2], elements: [Int64(1), 3])])[0]
        XCTAssertEqual(y.shape, [1, 3, 4])
    }

    func testIdentityChainsCountEveryReader() throws {
        // The legacy exporter re-shares a deduplicated initializer through Identity nodes.
        let nodes = [
            Node(name: "id", opType: "Identity", inputs: ["bias"], outputs: ["bias_copy"]),
            Node(name: "ln", opType: "LayerNormalization", inputs: ["x", "scale", "bias"], outputs: ["a"]),
            Node(name: "fc", opType: "Gemm", inputs: ["a", "w", "bias_copy"], outputs: ["y"], attributes: ["transB": .int(1)]),
        ]
        let model = model(nodes, inputs: [input("x", .float, [1, 3])], outputs: ["y"], initializers: [
            ("scale", floats([3])), ("bias", floats([3])), ("w", floats([3, 3])),
        ])
        let usage = try XCTUnwrap(WeightAnalysis(graph: model.graph).usages["bias"])
        XCTAssertEqual(usage.usesDescription, "LayerNormalization (bias), Gemm (bias)")
        XCTAssertEqual(usage.nodeCount, 2)
        XCTAssertTrue(ModelSummary(model: model).text.contains("LayerNormalization (bias), Gemm (bias) — shared by 2 nodes [weight]"))
    }
}
