import Foundation
import SEUOnnx

/// `seu-onnx merge SHARD... --out FILE`: shard outputs → the records of a single run.
enum MergeCommand {
    static let command = Command(
        name: "merge",
        abstract: "Combine the record files of --shard K/N runs into the result of a single run",
        usage: "SHARD.csv|SHARD.jsonl ... --out FILE.csv|FILE.jsonl",
        options: [
            OptionSpec(name: "--out", value: "FILE", help: "merged records (.csv or .jsonl; FILE.campaign.json is written next to it)"),
            OptionSpec(name: "--confidence", value: "C", help: "confidence level of the printed intervals (default: the plan's, else 0.95)"),
            OptionSpec(name: "--interval", value: "METHOD", help: "rate intervals: wilson (default) or clopper-pearson"),
        ],
        positionals: 1...100_000,
        discussion: """
        Each shard needs its FILE.campaign.json sidecar. The shards must share every setting but
        --shard, all N must be present and complete; records are written in fault order, so the
        merged file equals the one an unsharded run writes.
        """
    ) { arguments in
        guard let out = arguments.string("--out") else {
            throw SEUError(.invalidArgument, "needs --out FILE", location: .init(argument: "merge"))
        }
        try OutputSafety.checkWritable(out, inputs: arguments.positionals + arguments.positionals.map(CampaignSidecar.path(for:)), flag: "--out")
        let results = try CampaignResults(paths: arguments.positionals)
        try results.merge(to: out)
        var summary = results.summary()
        try ScienceOptions.configure(&summary, arguments)
        print(CampaignReport(summary: summary).text)
        print("")
        print("merged \(results.parts.count) file\(results.parts.count == 1 ? "" : "s") into \(out) (\(results.records.count) records)")
    }
}
