import Foundation
import SEUOnnx

/// `seu-onnx corrupt MODEL (--count N | --ber RATE) --seed S -o OUT.onnx`: a model with
/// random bit flips in its weights.
enum CorruptCommand {
    static let command = Command(
        name: "corrupt",
        abstract: "Write a copy of a model with random bit flips (a count, or a bit error rate)",
        usage: "MODEL (--count N | --ber RATE) [--tensors PATTERNS] [--bits LIST] [--seed S] -o OUT.onnx",
        options: [
            OptionSpec(name: "--count", value: "N", help: "flip N distinct bits, drawn uniformly from the selection"),
            OptionSpec(name: "--ber", value: "RATE", help: "flip every selected bit independently with probability RATE"),
            OptionSpec(name: "--tensors", value: "PATTERNS", help: "initializer names or globs, comma-separated (default: all weights and biases)", repeatable: true),
            OptionSpec(name: "--bits", value: "LIST", help: "bit positions from the MSB (0 = sign): 1 | 0,9-31 | sign,exponent,mantissa,all (default: all)"),
            OptionSpec(name: "--seed", value: "S", help: "seed of the draw (default 0; recorded in the manifest)"),
        ] + ExportOutput.options,
        positionals: 1...1,
        discussion: """
        With --ber, the number of flips is drawn from the binomial law over all selected bits
        (elements × bit positions), then that many distinct bits uniformly: the same as one coin
        per bit. The same seed gives the same flips. The output differs from MODEL only in the
        flipped bits; OUT.onnx.json lists them with the seed and the command line.
        """
    ) { arguments in try run(arguments) }

    static func run(_ arguments: ParsedArguments) throws {
        let modelPath = arguments.positionals[0]
        let output = try ExportOutput.url(arguments)
        let modes = ["--count", "--ber"].filter { arguments.has($0) }
        guard modes.count == 1 else {
            throw SEUError(.invalidArgument, modes.isEmpty ? "choose how many bits to flip: --count N or --ber RATE" : "choose one of --count and --ber",
                           location: .init(argument: modes.count > 1 ? modes[1] : "--count"))
        }
        let bits = try arguments.string("--bits").map { try BitSelection(parsing: $0) } ?? .all
        let seed = try arguments.uint64("--seed") ?? 0
        let model = try CLI.loadModel(modelPath)
        let names = try TensorSelection(patterns: arguments.strings("--tensors")).resolve(in: model)
        let space = try FaultSpace(model: model, names: names, bits: bits)
        var generator = SeededGenerator(seed: seed)
        let sites: [FaultSite]
        var note = ""
        if let count = try arguments.int("--count") {
            sites = try RandomFaults.sites(in: space, count: count, generator: &generator)
        } else {
            let rate = try arguments.double("--ber") ?? 0
            sites = try RandomFaults.sites(in: space, bitErrorRate: rate, generator: &generator)
            note = "bit error rate \(rate) over \(Format.grouped(space.size)) bits (\(names.count) tensor\(names.count == 1 ? "" : "s")): \(Format.grouped(sites.count)) flips drawn (expected \(Format.fixed(Double(space.size) * rate, 2)))"
        }
        let exported = try model.applying(sites).write(to: output, context: ExportOutput.context(arguments, seed: seed))
        ExportOutput.report(exported, sourcePath: modelPath)
        if !note.isEmpty { print(note) }
    }
}
