import Foundation
import SEUOnnx

/// `seu-onnx info MODEL`: what the model contains.
enum InfoCommand {
    static let command = Command(
        name: "info",
        abstract: "Show a model's format, inputs, outputs, operators and initializers",
        usage: "MODEL",
        options: [],
        positionals: 1...1
    ) { arguments in
        let model = try CLI.loadModel(arguments.positionals[0])
        print(ModelSummary(model: model).text)
        // A model written by flip/corrupt/--export-worst: its manifest, digests checked.
        let url = URL(fileURLWithPath: arguments.positionals[0])
        let manifestURL = ExportManifest.url(for: url)
        if FileManager.default.fileExists(atPath: manifestURL.path) {
            print(ManifestReport(manifest: try ExportManifest.read(url: manifestURL), modelURL: url).text)
        }
    }
}
