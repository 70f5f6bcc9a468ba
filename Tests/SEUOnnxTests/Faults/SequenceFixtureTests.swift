import XCTest
@testable import SEUOnnx

/// The LSTM, GRU and Transformer-encoder classifiers of Fixtures/zoo (both PyTorch exporters,
/// made by Examples/zoo/make_sequence_fixtures.py) run like onnxruntime, their default
/// fault-injection selection is every learned parameter, and a campaign runs on each.
final class SequenceFixtureTests: XCTestCase {
    private static let names = ["lstm", "gru", "transformer"]
    private static let exporters = ["legacy", "dynamo"]

    private func fixture(_ name: String) -> URL { TestPaths.fixtures.appendingPathComponent("zoo/\(name)") }

    private func load(_ name: String, _ exporter: String) throws -> Model {
        try Model(contentsOf: fixture("\(name)_\(exporter).onnx"))
    }

    func testOutputsMatchOnnxRuntime() throws {
        for name in Self.names {
            let x = try NPY.read(contentsOf: fixture("\(name)_x.npy"))
            for exporter in Self.exporters {
                let reference = try NPY.read(contentsOf: fixture("\(name)_\(exporter)_ort.npy")).floatValues()
                let logits = try InferenceSession(model: load(name, exporter)).run([x])[0]
                XCTAssertEqual(logits.shape, [2, 3], "\(name) \(exporter)")
                let error = zip(logits.floatValues(), reference).map { abs($0 - $1) }.max() ?? .infinity
                XCTAssertLessThanOrEqual(error, 1e-4 * (reference.map(abs).max() ?? 1), "\(name) \(exporter)")
            }
        }
    }

    /// Every floating-point initializer of more than one element is a learned parameter in
    /// these models, except the recurrent initial states the dynamo exporter writes.
    func testDefaultSelectionIsEveryParameter() throws {
        for name in Self.names {
            for exporter in Self.exporters {
                let model = try load(name, exporter)
                let graph = model.graph
                let usages = WeightAnalysis(graph: graph).usages
                let expected = graph.initializerNames.filter { initializer in
                    guard let tensor = graph.initializers[initializer], tensor.dataType == .float, tensor.count > 1 else { return false }
                    let roles = usages[initializer]?.uses.compactMap(\.role) ?? []
                    return !roles.contains { $0.hasPrefix("initial_") }
                }
                XCTAssertEqual(try TensorSelection.weights.resolve(in: model), expected, "\(name) \(exporter)")
                let parameters = expected.reduce(0) { $0 + (graph.initializers[$1]?.count ?? 0) }
                // LSTM(8→12, bidirectional) + Linear(24→3); GRU(8→12) + Linear(12→3).
                if name == "lstm" { XCTAssertEqual(parameters, 2 * (48 * 8 + 48 * 12 + 96) + 24 * 3 + 3, exporter) }
                if name == "gru" { XCTAssertEqual(parameters, 36 * 8 + 36 * 12 + 72 + 12 * 3 + 3, exporter) }
            }
        }
    }

    func testInfoNamesRolesAndSharing() throws {
        for exporter in Self.exporters {
            let lstm = ModelSummary(model: try load("lstm", exporter)).text
            for role in ["LSTM (W) [weight]", "LSTM (R) [weight]", "LSTM (B) [weight]", "Gemm (weight) [weight]"] {
                XCTAssertTrue(lstm.contains(role), "\(exporter): \(role)\n\(lstm)")
            }
            let transformer = ModelSummary(model: try load("transformer", exporter)).text
            // LayerNorm scales are all ones: both exporters keep one tensor for all four norms.
            XCTAssertTrue(transformer.contains("LayerNormalization (scale) ×4 — shared by 4 nodes [weight]"), transformer)
            XCTAssertTrue(transformer.contains("Gather (table) [weight]"), transformer)
            XCTAssertTrue(transformer.contains("MatMul (weight) [weight]"), transformer)
            XCTAssertTrue(transformer.contains("Gemm (bias)"), transformer)
        }
        let gru = ModelSummary(model: try load("gru", "dynamo")).text
        XCTAssertTrue(gru.contains("GRU (initial_h via Expand, Slice)\n") || gru.contains("GRU (initial_h via Expand, Slice) "), gru)
    }

    func testCampaignRunsOnEach() throws {
        for name in Self.names {
            for exporter in Self.exporters {
                let model = try load(name, exporter)
                let data = try CampaignData(inputs: [NPY.read(contentsOf: fixture("\(name)_x.npy"))], labels: nil)
                let campaign = try Campaign(model: model, data: data, configuration: .init(mode: .count(20), seed: 1))
                var records: [InjectionRecord] = []
                try campaign.run { records.append($0) }
                XCTAssertEqual(records.count, 20, "\(name) \(exporter)")
                XCTAssertTrue(records.allSatisfy { (0...1).contains($0.metric) }, "\(name) \(exporter)")
            }
        }
    }
}
