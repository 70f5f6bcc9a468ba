import XCTest
@testable import SEUOnnx

/// The Shape → Gather → Unsqueeze → Concat → Reshape chain PyTorch's legacy exporter writes
/// for `x.view(x.size(0), -1)` folds at plan time: only the Reshape's copy runs, at any batch.
final class ShapeArithmeticFoldingTests: XCTestCase {
    /// The chain at `opset` (Unsqueeze axes as an attribute before 13, as an input from 13).
    func viewModel(opset: Int) -> Model {
        let unsqueeze = opset >= 13
            ? Node(name: "unsqueeze", opType: "Unsqueeze", inputs: ["batch", "axes0"], outputs: ["batch1"])
            : Node(name: "unsqueeze", opType: "Unsqueeze", inputs: ["batch"], outputs: ["batch1"], attributes: ["axes": .ints([0])])
        let nodes = [
            Node(name: "shape", opType: "Shape", inputs: ["x"], outputs: ["shape"]),
            Node(name: "zero", opType: "Constant", inputs: [], outputs: ["zero"],
                 attributes: ["value": .tensor(Tensor(scalar: Int64(0)))]),
            Node(name: "gather", opType: "Gather", inputs: ["shape", "zero"], outputs: ["batch"], attributes: ["axis": .int(0)]),
            unsqueeze,
            Node(name: "minus1", opType: "Constant", inputs: [], outputs: ["minus1"],
                 attributes: ["value": .tensor(Tensor(shape: [1], elements: [Int64(-1)]))]),
            Node(name: "concat", opType: "Concat", inputs: ["batch1", "minus1"], outputs: ["target"], attributes: ["axis": .int(0)]),
            Node(name: "reshape", opType: "Reshape", inputs: ["x", "target"], outputs: ["y"]),
        ]
        let graph = Graph(name: "view", nodes: nodes,
                          inputs: [ValueInfo(name: "x", type: TensorType(dataType: .float, shape: [.symbolic("batch"), .fixed(3), .fixed(4)]))],
                          outputs: [ValueInfo(name: "y", type: nil)],
                          initializers: opset >= 13 ? [("axes0", Tensor(shape: [1], elements: [Int64(0)]))] : [])
        return Model(irVersion: 8, opsetImports: ["": opset], graph: graph)
    }

    func testChainFoldsAndRunsAtAnyBatch() throws {
        for opset in [9, 13] {
            let session = try InferenceSession(model: viewModel(opset: opset))
            for batch in [1, 5] {
                let x = Tensor(shape: [batch, 3, 4], floats: (0..<(batch * 12)).map { Float($0) * 0.5 })
                let plan = try session.plan(for: [ValueType(.float, [batch, 3, 4])])
                XCTAssertEqual(plan.steps.map(\.node.opType), ["Reshape"], "opset \(opset): the shape chain must fold")
                XCTAssertEqual(plan.value(named: "target")?.elements(as: Int64.self), [Int64(batch), -1])
                let y = try session.run([x])[0]
                XCTAssertEqual(y.shape, [batch, 12])
                XCTAssertEqual(y.elements(as: Float.self), x.elements(as: Float.self))
            }
        }
    }
}
