import Foundation
import SEUOnnx

/// `seu-onnx plan MODEL --margin E [--confidence C] ...`: campaign sizes without running.
enum PlanCommand {
    static let command = Command(
        name: "plan",
        abstract: "Size a campaign statistically (or from a threat model) without running it",
        usage: "MODEL [--tensors PATTERNS] [--bits LIST] --margin E [--confidence C] [--expected-rate P] [--per-tensor] [--per-bit] | --upset-rate R --mission-days D",
        options: [
            OptionSpec(name: "--tensors", value: "PATTERNS", help: "initializer names or globs, comma-separated (default: all weights and biases)", repeatable: true),
            OptionSpec(name: "--bits", value: "LIST", help: "bit positions from the MSB (0 = sign): 1 | 0,9-31 | sign,exponent,mantissa,all (default: all)"),
            OptionSpec(name: "--count", value: "N", help: "threat model: missions to simulate (default 300, or planned with --margin)"),
            OptionSpec(name: "--shard", value: "K/N", help: "also show the fault ids of shard K of N"),
            OptionSpec(name: "--strata", value: "N", help: "list at most N strata (default 40)"),
        ] + ScienceOptions.planOptions,
        positionals: 1...1,
        discussion: """
        Leveugle et al. (DATE 2009): n = N / (1 + e²(N−1) / (t² p(1−p))), N = elements × bits in
        scope, t the normal quantile of the confidence, p the expected rate (0.5 = worst case).
        A stratum whose n would exceed half of its population is injected exhaustively.
        `inject` with the same flags runs exactly the faults planned here.
        """
    ) { arguments in try run(arguments) }

    static func run(_ arguments: ParsedArguments) throws {
        let modelPath = arguments.positionals[0]
        guard let mode = try ScienceOptions.mode(arguments) else {
            throw SEUError(.invalidArgument, "give --margin (a planned campaign) or --upset-rate and --mission-days (a threat model)",
                           location: .init(argument: "plan"))
        }
        let model = try CLI.loadModel(modelPath)
        let selection = TensorSelection(patterns: arguments.strings("--tensors"))
        let bits = try arguments.string("--bits").map { try BitSelection(parsing: $0) } ?? .all
        let space = try FaultSpace(model: model, names: try selection.resolve(in: model), bits: bits)
        print("model: \(modelPath)")
        let formats = Set(space.targets.map(\.dataType.name)).sorted().joined(separator: ", ")
        print("population: \(Format.grouped(space.size)) sites (\(space.targets.count) tensor\(space.targets.count == 1 ? "" : "s"), \(Format.grouped(space.targets.reduce(0) { $0 + $1.count })) elements, \(formats), bits \(bits))")
        var total = 0
        switch mode {
        case .planned(let plan):
            print("plan: ±\(Format.trimmed(plan.margin * 100))% at \(Format.trimmed(plan.confidence * 100))% confidence, expected rate \(Format.trimmed(plan.expectedRate)) (Leveugle et al., DATE 2009)")
            print("  n = N / (1 + e²(N−1) / (t² p(1−p))) with t = \(Format.fixed(plan.t, 4)); unlimited population: n = \(Format.grouped(plan.infinitePopulationSize))")
            let strata = plan.strata(of: space)
            total = strata.reduce(0) { $0 + $1.sampleSize }
            let limit = try arguments.int("--strata") ?? 40
            var table = TextTable(header: ["stratum", "population", "sample", "fraction", ""], rightAligned: [1, 2, 3])
            for stratum in strata.prefix(max(0, limit)) {
                table.add([stratum.label, Format.grouped(stratum.population), Format.grouped(stratum.sampleSize),
                           Format.fixed(100 * Double(stratum.sampleSize) / Double(max(stratum.population, 1)), 4) + "%",
                           stratum.isExhaustive ? "exhaustive" : ""])
            }
            print(table.render())
            if strata.count > limit { print("  ... \(Format.count(strata.count - limit, "more stratum", plural: "more strata")) (--strata N lists more)") }
            let exhaustive = strata.filter(\.isExhaustive).count
            print("total: \(Format.grouped(total)) injections in \(strata.count) \(strata.count == 1 ? "stratum" : "strata")\(exhaustive > 0 ? " (\(exhaustive) exhaustive)" : "")")
        case .missions(let threat):
            let lambda = threat.expectedUpsets(bits: space.size)
            let p = threat.probabilityOfUpset(bits: space.size)
            print("threat model: \(threat.upsetsPerBitDay) upsets/bit/day (= \(Format.trimmed(threat.upsetsPerBitDay / ThreatModel.upsetsPerBitDay(fitPerMbit: 1))) FIT/Mbit), mission \(Format.trimmed(threat.missionDays)) days")
            print("expected upsets per mission: λ = \(threat.upsetsPerBitDay) × \(Format.grouped(space.size)) bits × \(Format.trimmed(threat.missionDays)) days = \(lambda)")
            print("P(at least one upset) = 1 − e^(−λ) = \(p); upsets per affected mission: mean λ / (1 − e^(−λ)) = \(Format.fixed(lambda / max(p, .leastNonzeroMagnitude), 4))")
            total = threat.missions
            print("missions: \(Format.grouped(threat.missions)), each with a zero-truncated Poisson(λ) number of upsets at uniform sites")
        default:
            break
        }
        if let shard = try ScienceOptions.shard(arguments) {
            let ids = shard.ids(total: total)
            let shown = Array(ids.prefix(3)).map(String.init).joined(separator: ", ")
            print("shard \(shard): fault ids \(shown)\(ids.count > 3 ? ", ..." : "") (\(Format.grouped(ids.count)) injections)")
        }
    }
}
