import Foundation
import SEUOnnx

/// `seu-onnx convert MODEL --to float16|bfloat16 -o OUT.onnx`: a float32 model in a 16-bit
/// format (see `FormatConversion`).
enum ConvertCommand {
    static let command = Command(
        name: "convert",
        abstract: "Write a float32 model in float16 or bfloat16 (whole model, or weights only with Casts)",
        usage: "MODEL --to float16|bfloat16 -o OUT.onnx [--keep-io-types | --weights-only]",
        options: [
            OptionSpec(name: "--to", value: "FORMAT", help: "float16 or bfloat16"),
            OptionSpec(name: "-o", value: "OUT.onnx", help: "the converted model (external data, if any, goes to OUT.onnx.data)"),
            OptionSpec(name: "--keep-io-types", value: nil, help: "keep the graph's inputs and outputs float32, with Casts at the boundary"),
            OptionSpec(name: "--weights-only", value: nil, help: "store only the weights and biases in 16 bits, each followed by a Cast to float32 (compute stays float32)"),
        ],
        positionals: 1...1,
        discussion: """
        Values are rounded to nearest, ties to even; values beyond the format's range become
        ±inf and are counted. A whole-model conversion also changes every float32 value type,
        Cast and Constant; Resize/Upsample scales stay float32 as ONNX requires. The output is
        checked by running it and the original on a synthetic input.
        """
    ) { arguments in try run(arguments) }

    static func run(_ arguments: ParsedArguments) throws {
        let modelPath = arguments.positionals[0]
        guard let format = arguments.string("--to") else {
            throw SEUError(.invalidArgument, "is required (float16 or bfloat16)", location: .init(argument: "--to"))
        }
        guard ["float16", "bfloat16"].contains(format.lowercased()) else {
            throw SEUError(.invalidArgument, "convert writes float16 or bfloat16, not '\(format)'", location: .init(argument: "--to"))
        }
        let target = try DataType.storageFormat(named: format, flag: "--to")
        guard let outPath = arguments.string("-o") else {
            throw SEUError(.invalidArgument, "is required: the output model file", location: .init(argument: "-o"))
        }
        let conversion = try FormatConversion(to: target, scope: arguments.has("--weights-only") ? .weightsOnly : .wholeModel,
                                              keepIOTypes: arguments.has("--keep-io-types"))
        let source = URL(fileURLWithPath: modelPath), out = URL(fileURLWithPath: outPath)
        let dataURL = out.deletingLastPathComponent().appendingPathComponent(out.lastPathComponent + ".data")
        let original = try CLI.loadModel(modelPath)
        let inputs = [source] + original.graph.initializerSources.values.compactMap { source -> URL? in
            guard case .external(let location, _, _) = source else { return nil }
            return URL(fileURLWithPath: modelPath).deletingLastPathComponent().appendingPathComponent(location)
        }
        try OutputFiles.refuseOverwriting([out, dataURL], inputs: inputs, argument: "-o")
        let output = try conversion.convert(contentsOf: source, dataFileName: dataURL.lastPathComponent)
        var files: [(url: URL, contents: Data)] = [(out, output.modelBytes)]
        if let data = output.externalData { files.append((dataURL, data)) }
        try OutputFiles.writeAll(files)

        let s = output.summary
        print("model: \(modelPath) → \(outPath)\(output.externalData != nil ? " (+ \(dataURL.lastPathComponent))" : "")")
        let scope = conversion.scope == .weightsOnly ? "weights only, each followed by a Cast to float32"
            : (conversion.keepIOTypes ? "whole model, inputs and outputs kept float32" : "whole model")
        print("format: \(target.name) (\(scope))")
        print("tensors converted: \(s.tensors) (\(Format.grouped(s.elements)) values); values that became ±inf: \(s.overflows); nonzero values that became 0: \(s.underflows)")
        for (name, reason) in s.keptFloat32 { print("kept float32: \(name) (\(reason))") }
        if s.castsAdded > 0 { print("casts added: \(s.castsAdded)") }
        let sizes = files.reduce(0) { $0 + $1.contents.count }
        print("size: \(Format.bytes(sizes))")
        let converted = try CLI.loadModel(outPath)
        do {
            let check = try FormatConversion.check(original: original, converted: converted)
            print("check: runs; on a synthetic input, output 0 differs from the original by max |diff| / max |value| = \(String(format: "%.2e", check.relative)); top-1 \(check.sameTop1 ? "equal" : "differs")")
        } catch let error as SEUError where error.kind == .unsupportedOperator {
            // The file is written and loads; seu-onnx just cannot run it to compare.
            print("check: skipped (\(error.message))")
        }
    }
}
