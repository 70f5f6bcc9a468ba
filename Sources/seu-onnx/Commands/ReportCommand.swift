import Foundation
import SEUOnnx

/// `seu-onnx report RESULTS... [--html FILE] [--svg DIR]`: summaries and charts from records.
enum ReportCommand {
    static let command = Command(
        name: "report",
        abstract: "Summarize record files (with intervals); write an HTML report or SVG charts",
        usage: "RESULTS.csv|RESULTS.jsonl ... [--html report.html] [--svg DIR] [--confidence C] [--interval wilson|clopper-pearson]",
        options: [
            OptionSpec(name: "--html", value: "FILE", help: "one self-contained HTML page (inline SVG, no network)"),
            OptionSpec(name: "--svg", value: "DIR", help: "write the charts as DIR/bits.svg, DIR/heatmap.svg, DIR/delta.svg"),
            OptionSpec(name: "--confidence", value: "C", help: "confidence level of the intervals (default: the plan's, else 0.95)"),
            OptionSpec(name: "--interval", value: "METHOD", help: "rate intervals: wilson (default) or clopper-pearson"),
            OptionSpec(name: "--top", value: "N", help: "worst faults listed in the HTML report (default 20)"),
        ],
        positionals: 1...100_000,
        discussion: """
        Each record file needs the FILE.campaign.json sidecar `inject --out` writes. Several
        files are combined when they are shards of one campaign (missing or unfinished shards are
        reported as incomplete).
        """
    ) { arguments in try run(arguments) }

    static func run(_ arguments: ParsedArguments) throws {
        let top = try arguments.int("--top")
        if let top, top < 0 { throw SEUError(.invalidArgument, "must be non-negative, got \(top)", location: .init(argument: "--top")) }
        if let path = arguments.string("--html") {
            try OutputSafety.checkWritable(path, inputs: arguments.positionals + arguments.positionals.map(CampaignSidecar.path(for:)), flag: "--html")
        }
        let results = try CampaignResults(paths: arguments.positionals)
        var summary = results.summary()
        try ScienceOptions.configure(&summary, arguments)
        print(CampaignReport(summary: summary).text)
        if !results.missingShards.isEmpty {
            print("note: shards \(results.missingShards.map(String.init).joined(separator: ", ")) of \(results.parts[0].sidecar.settings.shard?.count ?? 0) are missing")
        }
        var report = HTMLReport(summary: summary, records: results.records, sidecar: results.sidecar, sources: arguments.positionals)
        if let top { report.worstCount = top }
        if let path = arguments.string("--html") {
            try write(report.html, to: path, flag: "--html")
            print("wrote \(path)")
        }
        if let folder = arguments.string("--svg") {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw SEUError(.io, "cannot create the folder: \(error.localizedDescription)", location: .init(file: folder, argument: "--svg"))
            }
            let charts = [("bits.svg", ReportCharts.bits(summary)), ("heatmap.svg", ReportCharts.heatmap(summary)),
                          ("delta.svg", ReportCharts.deltas(results.records, summary: summary))]
            for (name, chart) in charts {
                let path = (folder as NSString).appendingPathComponent(name)
                try write(chart.document + "\n", to: path, flag: "--svg")
                print("wrote \(path)")
            }
        }
    }

    static func write(_ text: String, to path: String, flag: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw SEUError(.io, "cannot write: \(error.localizedDescription)", location: .init(file: path, argument: flag))
        }
    }
}
