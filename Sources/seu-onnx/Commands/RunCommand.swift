import Foundation
import SEUOnnx

/// `seu-onnx run MODEL --input X.npy [--labels Y.npy] [--output OUT.npy]`: inference.
enum RunCommand {
    static let command = Command(
        name: "run",
        abstract: "Run a model on .npy inputs; print accuracy when labels are given",
        usage: "MODEL [--input X.npy ...] [--labels Y.npy] [--output OUT.npy]",
        options: [
            OptionSpec(name: "--input", value: "X.npy", help: "input samples (one file per model input, in order; default: synthetic)", repeatable: true),
            OptionSpec(name: "--labels", value: "Y.npy", help: "int64 class labels: print top-1/top-5 accuracy"),
            OptionSpec(name: "--output", value: "OUT.npy", help: "write output 0 (all samples) as .npy"),
            OptionSpec(name: "--batch-size", value: "N", help: "samples per inference batch (default 64, as inject)"),
            OptionSpec(name: "--seed", value: "S", help: "seed of the synthetic input when --input is absent (default 0)"),
        ],
        positionals: 1...1
    ) { arguments in
        let modelPath = arguments.positionals[0]
        if let path = arguments.string("--output") {
            try OutputSafety.checkWritable(path, inputs: [modelPath] + arguments.strings("--input") + arguments.strings("--labels"), flag: "--output")
        }
        let model = try CLI.loadModel(modelPath)
        let session = try InferenceSession(model: model)
        let data = try DataOptions.load(arguments, session: session)
        let batchSize = try DataOptions.batchSize(arguments, session: session, data: data)
        let start = Date()
        let outputs = try BatchedInference.run(session: session, data: data, batchSize: batchSize)
        let elapsed = Date().timeIntervalSince(start)
        print("model: \(modelPath)")
        for (info, tensor) in zip(data.inputs.indices.map { session.inputs[$0] }, data.inputs) {
            print("input '\(info.name)': \(tensor.dataType) \(tensor.shape)")
        }
        for (info, tensor) in zip(session.outputs, outputs) {
            print("output '\(info.name)': \(tensor.dataType) \(tensor.shape)")
        }
        print("time: \(Format.fixed(elapsed * 1000, 2)) ms for \(data.sampleCount) sample\(data.sampleCount == 1 ? "" : "s") (batch \(batchSize)); \(Kernels.summary)")
        if let labels = data.labels, let first = outputs.first {
            let hits = try BatchedInference.hits(output: first, labels: labels)
            let n = Double(labels.count)
            print("accuracy: \(Format.fixed(Double(hits.top1) / n)) (\(hits.top1)/\(labels.count)), top-5 \(Format.fixed(Double(hits.top5) / n)) (\(hits.top5)/\(labels.count))")
            if let recorded = ExportManifest.recordedCampaign(besideModel: modelPath), recorded.metricName == "accuracy" {
                print("campaign record \(recorded.id) (export manifest): accuracy \(Format.fixed(recorded.metric)) on \(recorded.samples) samples")
            }
        }
        if let path = arguments.string("--output"), let first = outputs.first {
            try NPY.write(first, to: URL(fileURLWithPath: path))
            print("wrote \(path)")
        }
    }
}
