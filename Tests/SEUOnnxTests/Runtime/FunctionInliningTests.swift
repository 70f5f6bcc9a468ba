import XCTest
@testable import SEUOnnx

/// Model-local functions are expanded into their bodies before planning.
final class FunctionInliningTests: XCTestCase {
    /// custom.TransposeConcat(a, b) = Concat(Transpose(a, perm: @perm), b, axis: @axis);
    /// its second output `t` is the transposed input.
    let transposeConcat = Function(
        name: "TransposeConcat", domain: "custom", inputs: ["a", "b"], outputs: ["y", "t"],
        attributeNames: ["perm", "axis"],
        nodes: [
            Node(name: "transpose", opType: "Transpose", inputs: ["a"], outputs: ["t"],
                 attributes: ["perm": .reference("perm")]),
            Node(name: "concat", opType: "Concat", inputs: ["t", "b"], outputs: ["y"],
                 attributes: ["axis": .reference("axis")]),
        ],
        opsetImports: ["": 13])

    func model(_ nodes: [Node], inputs: [(String, [Int])], outputs: [String], functions: [Function]) -> Model {
        let graph = Graph(name: "g", nodes: nodes,
                          inputs: inputs.map { ValueInfo(name: $0.0, type: TensorType(dataType: .float, shape: $0.1.map { .fixed($0) })) },
                          outputs: outputs.map { ValueInfo(name: $0, type: nil) })
        return Model(irVersion: 8, opsetImports: ["": 13, "custom": 1], graph: graph, functions: functions)
    }

    func testTwoCallsGetSeparateValuesAndTheirOwnAttributes() throws {
        let calls = [
            // perm given: [[0,1,2],[3,4,5]]ᵀ stacked on b along axis 0.
            Node(name: "first", opType: "TransposeConcat", domain: "custom", inputs: ["x", "b"], outputs: ["y1"],
                 attributes: ["perm": .ints([1, 0]), "axis": .int(0)]),
            // perm omitted: Transpose's default (reverse the axes) applies.
            Node(name: "second", opType: "TransposeConcat", domain: "custom", inputs: ["y1", "c"], outputs: ["y2", "t2"],
                 attributes: ["axis": .int(1)]),
        ]
        let m = model(calls, inputs: [("x", [2, 3]), ("b", [1, 2]), ("c", [2, 1])], outputs: ["y2", "t2"], functions: [transposeConcat])
        let graph = try GraphPreparation.prepare(m)
        XCTAssertEqual(graph.nodes.map(\.opType), ["Transpose", "Concat", "Transpose", "Concat"])
        XCTAssertEqual(Set(graph.nodes.map(\.name)).count, 4)
        XCTAssertNotEqual(graph.nodes[0].outputs, graph.nodes[2].outputs, "internal value 't' must be renamed per call")
        XCTAssertNil(graph.nodes[2].attributes["perm"], "an attribute the call does not set is dropped")

        let x = Tensor(shape: [2, 3], floats: [0, 1, 2, 3, 4, 5])
        let b = Tensor(shape: [1, 2], floats: [10, 11]), c = Tensor(shape: [2, 1], floats: [20, 21])
        let outputs = try InferenceSession(model: m).run([x, b, c])
        // y1 = [[0,3],[1,4],[2,5],[10,11]] (4×2); t2 = y1ᵀ (2×4); y2 = [t2 | c] (2×5).
        XCTAssertEqual(outputs[1].shape, [2, 4])
        XCTAssertEqual(outputs[1].elements(as: Float.self), [0, 1, 2, 10, 3, 4, 5, 11])
        XCTAssertEqual(outputs[0].shape, [2, 5])
        XCTAssertEqual(outputs[0].elements(as: Float.self), [0, 1, 2, 10, 20, 3, 4, 5, 11, 21])
    }

    func testNestedFunctionsForwardAttributeReferences() throws {
        // custom.Twice(a) calls TransposeConcat(a, a) with its own @axis passed down.
        let twice = Function(name: "Twice", domain: "custom", inputs: ["a"], outputs: ["out"], attributeNames: ["axis"],
                             nodes: [Node(name: "inner", opType: "TransposeConcat", domain: "custom", inputs: ["a", "a"], outputs: ["out"],
                                          attributes: ["axis": .reference("axis"), "perm": .ints([0, 1])])],
                             opsetImports: ["": 13, "custom": 1])
        let call = Node(name: "call", opType: "Twice", domain: "custom", inputs: ["x"], outputs: ["y"], attributes: ["axis": .int(1)])
        let m = model([call], inputs: [("x", [1, 2])], outputs: ["y"], functions: [twice, transposeConcat])
        let y = try InferenceSession(model: m).run([Tensor(shape: [1, 2], floats: [7, 8])])[0]
        XCTAssertEqual(y.shape, [1, 4])
        XCTAssertEqual(y.elements(as: Float.self), [7, 8, 7, 8])
    }

    func testRecursiveFunctionIsAnError() {
        let loop = Function(name: "Loop", domain: "custom", inputs: ["a"], outputs: ["b"], attributeNames: [],
                            nodes: [Node(name: "again", opType: "Loop", domain: "custom", inputs: ["a"], outputs: ["b"])],
                            opsetImports: ["custom": 1])
        let m = model([Node(name: "call", opType: "Loop", domain: "custom", inputs: ["x"], outputs: ["y"])],
                      inputs: [("x", [1])], outputs: ["y"], functions: [loop])
        XCTAssertThrowsError(try GraphPreparation.prepare(m)) {
            XCTAssertEqual(($0 as? SEUError)?.kind, .invalidModel)
        }
    }

    func testModelWithoutFunctionsIsUnchanged() throws {
        let m = model([Node(name: "id", opType: "Identity", inputs: ["x"], outputs: ["y"])],
                      inputs: [("x", [1])], outputs: ["y"], functions: [])
        XCTAssertEqual(try GraphPreparation.prepare(m).nodes.map(\.name), ["id"])
    }
}
