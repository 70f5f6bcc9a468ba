import Foundation
import SEUOnnx

/// Options for statistically planned campaigns, threat-model missions, intervals, resume and
/// shards (`inject` and `plan`).
enum ScienceOptions {
    /// Options that choose and size the fault list (shared by `inject` and `plan`).
    static let planOptions: [OptionSpec] = [
        OptionSpec(name: "--margin", value: "E", help: "plan the sample size for a margin of error E on rates (0.01 = ±1 %; Leveugle et al. 2009)"),
        OptionSpec(name: "--confidence", value: "C", help: "confidence level of the plan and of every interval (default 0.95)"),
        OptionSpec(name: "--expected-rate", value: "P", help: "expected rate for planning (default 0.5, the worst case)"),
        OptionSpec(name: "--per-tensor", value: nil, help: "size each tensor's sample on its own (stratified)"),
        OptionSpec(name: "--per-bit", value: nil, help: "size each (format, bit position) sample on its own (stratified)"),
        OptionSpec(name: "--upset-rate", value: "R", help: "threat model: upsets per bit per day (1e-10) or FIT per Mbit (500fit)"),
        OptionSpec(name: "--mission-days", value: "D", help: "threat model: mission time in days; faults become Poisson multi-bit missions"),
    ]

    /// Options only `inject` has.
    static let injectOptions: [OptionSpec] = planOptions + [
        OptionSpec(name: "--interval", value: "METHOD", help: "rate intervals: wilson (default) or clopper-pearson"),
        OptionSpec(name: "--resume", value: nil, help: "continue the campaign in --out (same settings; checked against FILE.campaign.json)"),
        OptionSpec(name: "--shard", value: "K/N", help: "run only the K-th of N equal parts of the fault list (merge them with seu-onnx merge)"),
    ]

    /// The planned or threat-model mode the flags ask for, or nil when they ask for neither
    /// (then `--exhaustive`, `--probability`, `--count` apply). `--count` is the number of
    /// missions of a threat-model campaign.
    static func mode(_ arguments: ParsedArguments) throws -> CampaignMode? {
        let threat = arguments.has("--upset-rate") || arguments.has("--mission-days")
        let planned = arguments.has("--margin")
        // A replay (--faults) has its list; --as compares formats without record-file state.
        if arguments.has("--faults"), let flag = ["--margin", "--upset-rate", "--mission-days", "--shard"].first(where: arguments.has) {
            throw SEUError(.invalidArgument, "--faults replays the listed faults; it cannot be combined with \(flag)", location: .init(argument: flag))
        }
        if arguments.has("--as"), let flag = ["--resume", "--shard", "--upset-rate", "--mission-days"].first(where: arguments.has) {
            throw SEUError(.invalidArgument, "cannot be combined with --as", location: .init(argument: flag))
        }
        for flag in ["--expected-rate", "--per-tensor", "--per-bit"] where arguments.has(flag) && !planned {
            throw SEUError(.invalidArgument, "needs --margin (the planned margin of error)", location: .init(argument: flag))
        }
        guard threat || planned else { return nil }
        for flag in ["--exhaustive", "--probability"] where arguments.has(flag) {
            throw SEUError(.invalidArgument, "cannot be combined with \(threat ? "--upset-rate/--mission-days" : "--margin")", location: .init(argument: flag))
        }
        let confidence = try arguments.double("--confidence") ?? 0.95
        if threat {
            guard let rateText = arguments.string("--upset-rate") else {
                throw SEUError(.invalidArgument, "a threat model needs --upset-rate too", location: .init(argument: "--mission-days"))
            }
            guard let days = try arguments.double("--mission-days") else {
                throw SEUError(.invalidArgument, "a threat model needs --mission-days too", location: .init(argument: "--upset-rate"))
            }
            for flag in ["--per-tensor", "--per-bit"] where arguments.has(flag) {
                throw SEUError(.invalidArgument, "does not apply to threat-model missions", location: .init(argument: flag))
            }
            if planned && arguments.has("--count") {
                throw SEUError(.invalidArgument, "choose --count (missions) or --margin (planned number of missions)", location: .init(argument: "--count"))
            }
            var missions = try arguments.int("--count") ?? 300
            if planned {
                // Missions are independent draws: the infinite-population sample size.
                missions = try plan(arguments, confidence: confidence, stratification: .none).infinitePopulationSize
            }
            return .missions(try ThreatModel(upsetsPerBitDay: try ThreatModel.parseRate(rateText), missionDays: days, missions: missions))
        }
        if arguments.has("--count") {
            throw SEUError(.invalidArgument, "choose --count or --margin (which sizes the campaign)", location: .init(argument: "--count"))
        }
        let stratification: Stratification
        switch (arguments.has("--per-tensor"), arguments.has("--per-bit")) {
        case (true, true): stratification = .tensorAndBit
        case (true, false): stratification = .tensor
        case (false, true): stratification = .bit
        case (false, false): stratification = .none
        }
        return .planned(try plan(arguments, confidence: confidence, stratification: stratification))
    }

    private static func plan(_ arguments: ParsedArguments, confidence: Double, stratification: Stratification) throws -> SamplePlan {
        guard let margin = try arguments.double("--margin") else {
            throw SEUError(.invalidArgument, "needs --margin", location: .init(argument: "--confidence"))
        }
        return try SamplePlan(margin: margin, confidence: confidence,
                              expectedRate: try arguments.double("--expected-rate") ?? 0.5, stratification: stratification)
    }

    /// Applies `--confidence` and `--interval` to a summary's intervals.
    static func configure(_ summary: inout CampaignSummary, _ arguments: ParsedArguments) throws {
        if let confidence = try arguments.double("--confidence") {
            guard confidence > 0 && confidence < 1 else {
                throw SEUError(.invalidArgument, "must be in (0, 1), got \(confidence)", location: .init(argument: "--confidence"))
            }
            summary.confidence = confidence
        }
        if let method = arguments.string("--interval") { summary.rateMethod = try IntervalMethod(parsingRateMethod: method) }
    }

    static func shard(_ arguments: ParsedArguments) throws -> Shard? {
        try arguments.string("--shard").map { try Shard(parsing: $0) }
    }
}

/// Where `inject` writes records: a new or resumed record file with its sidecar, or nothing.
final class CampaignOutput {
    let file: CampaignRecordFile?
    let remaining: FaultIDs
    let previous: [InjectionRecord]

    /// Opens `--out` for `campaign` (resuming with `--resume`), limited to `--shard`.
    init(_ arguments: ParsedArguments, campaign: Campaign, modelPath: String) throws {
        let shard = try ScienceOptions.shard(arguments)
        if let method = arguments.string("--interval") { _ = try IntervalMethod(parsingRateMethod: method) }
        let ids = shard?.ids(total: campaign.faults.count) ?? FaultIDs(0..<campaign.faults.count)
        guard let path = arguments.string("--out") else {
            if arguments.has("--resume") {
                throw SEUError(.invalidArgument, "needs --out (the record file to continue)", location: .init(argument: "--resume"))
            }
            file = nil
            remaining = ids
            previous = []
            return
        }
        let configuration = campaign.configuration
        let settings = CampaignSettings(
            model: try FileIdentity(path: modelPath),
            inputs: try arguments.strings("--input").map { try FileIdentity(path: $0) },
            labels: try arguments.string("--labels").map { try FileIdentity(path: $0) },
            tensors: configuration.selection.patterns, bits: configuration.bits.description,
            mode: configuration.mode, seed: configuration.seed, batchSize: configuration.batchSize, shard: shard)
        let sidecar = CampaignSidecar(settings: settings, facts: CampaignFacts(campaign: campaign), ids: ids)
        let file = arguments.has("--resume")
            ? try CampaignRecordFile(resuming: path, sidecar: sidecar, faults: campaign.faults)
            : try CampaignRecordFile(creating: path, sidecar: sidecar)
        if file.resumed {
            CLI.note("resuming \(path): \(file.previous.count) of \(ids.count) faults done\(file.droppedPartialLine ? " (dropped a partial last line)" : "")")
        }
        self.file = file
        remaining = file.remaining
        previous = file.previous
    }

    func write(_ record: InjectionRecord) throws { try file?.write(record) }
}
