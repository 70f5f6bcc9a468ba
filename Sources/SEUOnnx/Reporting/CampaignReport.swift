/// The text summary `seu-onnx inject` prints after a campaign.
public struct CampaignReport {
    public let summary: CampaignSummary
    /// The faults-per-bit and per-tensor tables are sorted by metric, worst first.
    public init(summary: CampaignSummary) { self.summary = summary }

    public var text: String {
        let s = summary
        var lines: [String] = []
        let mode: String
        switch s.mode {
        case .exhaustive: mode = "exhaustive"
        case .bernoulli(let p): mode = "random, each site with probability \(p) (seed \(s.seed))"
        case .count(let n): mode = n >= s.population ? "exhaustive (count \(n) ≥ population)" : "random, \(Format.grouped(n)) distinct sites (seed \(s.seed))"
        case .explicit(let n): mode = "replay of \(Format.grouped(n)) listed fault\(n == 1 ? "" : "s")"
        }
        // A replayed list has no drawn population: its space is just every bit of its tensors.
        var population = ", population \(Format.grouped(s.population)) sites"
        if case .explicit = s.mode { population = "" }
        lines.append("campaign: \(mode) over \(s.tensors.count) tensor\(s.tensors.count == 1 ? "" : "s")\(population)")
        let top5 = s.baselineTop5.map { ", top-5 \(Format.fixed($0))" } ?? ""
        lines.append("baseline: \(s.metricName) \(Format.fixed(s.baselineMetric))\(top5) on \(s.samples) input\(s.samples == 1 ? "" : "s")\(s.hasLabels ? "" : " (no labels: metric = fraction of inputs whose top-1 class differs from the fault-free run)")")
        let done = s.overall.injections
        let rate = Format.fixed(s.injectionsPerSecond, 1)
        lines.append("injections: \(Format.grouped(done))\(s.interrupted ? " of \(Format.grouped(s.plannedInjections)) (interrupted)" : "") in \(Format.fixed(s.elapsedSeconds, 2)) s, \(rate) injections/s")
        guard done > 0 else { return lines.joined(separator: "\n") }
        lines.append("\(s.metricName): mean \(Format.fixed(s.meanMetric)) (Δ \(Format.signed(s.meanDelta))), min \(Format.fixed(s.overall.metricMin)), max \(Format.fixed(s.overall.metricMax))")
        if let w = s.worst {
            lines.append("worst: \(w.site) \(w.field) \(RecordFormat.value(w.before, w.dataType)) → \(RecordFormat.value(w.after, w.dataType)): \(s.metricName) \(Format.fixed(w.metric)) (Δ \(Format.signed(w.delta)))")
        }
        lines.append("non-finite outputs (NaN/Inf): \(s.overall.nonfinite) injection\(s.overall.nonfinite == 1 ? "" : "s") (\(Format.percent(Double(s.overall.nonfinite) / Double(done))))")
        lines.append("top-1 changed on some input (SDC): \(s.overall.sdc) (\(Format.percent(Double(s.overall.sdc) / Double(done)))); masked (outputs bit-identical): \(s.overall.masked) (\(Format.percent(Double(s.overall.masked) / Double(done))))")

        lines.append("")
        lines.append("per bit (0 = most significant):")
        var bits = TextTable(header: ["bit", "field", "injections", "mean \(shortName)", "mean Δ", "worst", "non-finite", "sdc"],
                             rightAligned: [0, 2, 3, 4, 5, 6, 7])
        let layoutType = s.worst?.dataType ?? .float
        for bit in s.perBit.keys.sorted() {
            guard let g = s.perBit[bit] else { continue }
            bits.add([String(bit), BitLayout(layoutType).field(of: bit), Format.grouped(g.injections),
                      Format.fixed(g.meanMetric), Format.signed(g.meanMetric - s.baselineMetric),
                      Format.fixed(s.hasLabels ? g.metricMin : g.metricMax), String(g.nonfinite), String(g.sdc)])
        }
        lines.append(bits.render())

        lines.append("")
        lines.append("per tensor (worst first):")
        var tensors = TextTable(header: ["tensor", "injections", "mean \(shortName)", "mean Δ", "worst", "non-finite", "sdc"],
                                rightAligned: [1, 2, 3, 4, 5, 6])
        let ordered = s.perTensor.sorted { a, b in
            let (x, y) = (a.value.meanMetric, b.value.meanMetric)
            return x != y ? (s.hasLabels ? x < y : x > y) : a.key < b.key
        }
        for (name, g) in ordered {
            tensors.add([name, Format.grouped(g.injections), Format.fixed(g.meanMetric),
                         Format.signed(g.meanMetric - s.baselineMetric),
                         Format.fixed(s.hasLabels ? g.metricMin : g.metricMax), String(g.nonfinite), String(g.sdc)])
        }
        lines.append(tensors.render())
        return lines.joined(separator: "\n")
    }

    private var shortName: String { summary.hasLabels ? "accuracy" : "mismatch" }
}
