@testable import SEUOnnx

/// Small models built in memory, with values simple enough to check by hand.
enum TinyModels {
    /// logits = x · Wᵀ + b, x: [batch, 4], W: [3, 4] ("fc.weight"), b: [3] ("fc.bias"),
    /// followed by Relu. W is close to an identity so that sample i's class is its largest
    /// feature among the first three.
    static func classifier() -> Model {
        let weight = Tensor(shape: [3, 4], floats: [1.0, 0.1, 0.0, 0.2,
                                                    0.0, 1.0, 0.1, 0.2,
                                                    0.1, 0.0, 1.0, 0.2])
        let bias = Tensor(shape: [3], floats: [0.01, 0.02, 0.03])
        let nodes = [
            Node(name: "fc", opType: "Gemm", inputs: ["x", "fc.weight", "fc.bias"], outputs: ["h"],
                 attributes: ["transB": .int(1)]),
            Node(name: "relu", opType: "Relu", inputs: ["h"], outputs: ["logits"]),
        ]
        let graph = Graph(name: "tiny", nodes: nodes,
                          inputs: [ValueInfo(name: "x", type: TensorType(dataType: .float, shape: [.symbolic("batch"), .fixed(4)]))],
                          outputs: [ValueInfo(name: "logits", type: TensorType(dataType: .float, shape: [.symbolic("batch"), .fixed(3)]))],
                          initializers: [("fc.weight", weight), ("fc.bias", bias)])
        return Model(irVersion: 8, opsetImports: ["": 17], producerName: "tests", graph: graph)
    }

    /// Six samples whose labels the classifier gets right: 0, 1, 2, 0, 1, 2.
    static func classifierData() throws -> CampaignData {
        let x = Tensor(shape: [6, 4], floats: [3, 1, 0, 1,
                                               0, 2, 1, 0,
                                               1, 0, 4, 2,
                                               2, 0, 1, 1,
                                               0, 5, 0, 0,
                                               0, 1, 2, 3])
        let y = Tensor(shape: [6], elements: [Int64(0), 1, 2, 0, 1, 2])
        return try CampaignData(inputs: [x], labels: y)
    }
}
