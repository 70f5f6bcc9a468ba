import Foundation

/// The text `seu-onnx info` prints: format, inputs and outputs, operator histogram and every
/// initializer with its type, shape, storage and consumers: each consuming op with the role of
/// the input it reads ("Conv (weight)", "LSTM (R)", "MatMul (weight via Transpose)"), and
/// "shared by N nodes" when several nodes read the same initializer.
public struct ModelSummary {
    public let model: Model

    public init(model: Model) { self.model = model }

    public var text: String {
        let graph = model.graph
        var lines: [String] = []
        if let url = model.url {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
            lines.append("model: \(url.path)\(size.map { " (\(Format.bytes($0)))" } ?? "")")
        }
        let opsets = model.opsetImports.sorted { $0.key < $1.key }
            .map { "\($0.key.isEmpty ? "ai.onnx" : $0.key) \($0.value)" }.joined(separator: ", ")
        let producer = [model.producerName, model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        lines.append("format: ONNX IR \(model.irVersion), opset \(opsets)\(producer.isEmpty ? "" : ", producer \(producer)")")
        if !model.functions.isEmpty {
            lines.append("functions: \(model.functions.map { $0.domain.isEmpty ? $0.name : "\($0.domain).\($0.name)" }.joined(separator: ", "))")
        }
        lines.append("inputs:")
        for input in graph.runtimeInputs { lines.append("  \(input.name)  \(input.type?.description ?? "?")") }
        lines.append("outputs:")
        for output in graph.outputs { lines.append("  \(output.name)  \(output.type?.description ?? "?")") }
        let histogram = graph.operatorCounts().sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        lines.append("operators (\(Format.count(graph.nodes.count, "node"))): " + histogram.map { "\($0.key) \($0.value)" }.joined(separator: ", "))

        let analysis = WeightAnalysis(graph: graph)
        var parameters = 0, bytes = 0, weightCount = 0, weightElements = 0
        var kindCounts: [SiteKind: Int] = [:]
        var table = TextTable(header: ["initializer", "dtype", "shape", "elements", "stored", "used by"], rightAligned: [3])
        for name in graph.initializerNames {
            guard let tensor = graph.initializers[name] else { continue }
            parameters += tensor.count
            bytes += tensor.byteCount
            let usage = analysis.usages[name]
            var usedBy = usage?.usesDescription ?? ""
            if usedBy.isEmpty { usedBy = "(unused)" }
            if let usage, usage.nodeCount > 1 { usedBy += " — shared by \(usage.nodeCount) nodes" }
            if let kind = usage?.kind {
                usedBy += " [\(kind.rawValue)]"
                weightCount += 1
                weightElements += tensor.count
                kindCounts[kind, default: 0] += 1
            }
            table.add([name, tensor.dataType.name, "[\(tensor.shape.map(String.init).joined(separator: ","))]",
                       Format.grouped(tensor.count), graph.initializerSources[name]?.description ?? "", usedBy])
        }
        lines.append("initializers (\(Format.count(graph.initializers.count, "tensor")), \(Format.count(parameters, "parameter")), \(Format.bytes(bytes))):")
        lines.append(table.render())
        let kinds = kindCounts.keys.sorted()
        let kindText = kinds.count > 1 ? " (" + kinds.map { "\(kindCounts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ") + ")" : ""
        lines.append("fault-injection targets by default (\((kinds.isEmpty ? [.weight] : kinds).map { "[\($0.rawValue)]" }.joined(separator: " "))): \(Format.count(weightCount, "tensor"))\(kindText), \(Format.count(weightElements, "element"))")
        return lines.joined(separator: "\n")
    }
}
