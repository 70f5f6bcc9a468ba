/// The side-by-side text `seu-onnx inject --as F1,F2,...` prints: one column per storage
/// format for the overall figures, then per field and per bit position.
public struct FormatComparisonReport {
    public let formats: [DataType]
    public let summaries: [CampaignSummary]

    public init(formats: [DataType], summaries: [CampaignSummary]) {
        self.formats = Array(formats.prefix(summaries.count))
        self.summaries = summaries
    }

    public var text: String {
        guard let first = summaries.first else { return "no campaign ran" }
        let metric = first.metricName, short = first.hasLabels ? "accuracy" : "mismatch"
        var lines: [String] = []
        lines.append("storage formats: \(formats.map(\.name).joined(separator: ", ")) (weights rounded to each format, nearest even; faults flip the stored bits; compute in float32)")
        let mode: String
        switch first.mode {
        case .exhaustive: mode = "every element and bit of \(first.tensors.count) tensor\(first.tensors.count == 1 ? "" : "s") in each format"
        default: mode = "the same \(Format.grouped(first.plannedInjections)) elements in every format (seed \(first.seed)); each format's bit drawn uniformly over its selected bits, coupled by position from the MSB"
        }
        lines.append("faults: \(mode)")
        lines.append("data: \(first.samples) input\(first.samples == 1 ? "" : "s"); metric: \(metric)")
        lines.append("")

        var overall = TextTable(header: [""] + formats.map(\.name), rightAligned: Set(1...formats.count))
        func row(_ label: String, _ value: (CampaignSummary) -> String) { overall.add([label] + summaries.map(value)) }
        overall.add(["bits per weight"] + formats.map { String($0.bitWidth) })
        row("baseline \(short)") { Format.fixed($0.baselineMetric) }
        row("injections") { s in Format.grouped(s.overall.injections) + (s.interrupted ? " (stopped)" : "") }
        row("mean \(short)") { Format.fixed($0.meanMetric) }
        row("mean Δ") { Format.signed($0.meanDelta) }
        row("worst \(short)") { Format.fixed($0.hasLabels ? $0.overall.metricMin : $0.overall.metricMax) }
        row("non-finite") { Self.count($0.overall.nonfinite, of: $0.overall.injections) }
        row("sdc") { Self.count($0.overall.sdc, of: $0.overall.injections) }
        row("masked") { Self.count($0.overall.masked, of: $0.overall.injections) }
        row("time") { "\(Format.fixed($0.elapsedSeconds, 1)) s" }
        lines.append(overall.render(indent: ""))

        lines.append("")
        lines.append("per field (injections, mean Δ \(short), sdc):")
        let layouts = formats.map(BitLayout.init)
        var fields = TextTable(header: ["field"] + formats.flatMap { ["\($0.name) n", "mean Δ", "sdc"] },
                               rightAligned: Set(1...(3 * formats.count)))
        for field in ["sign", "exponent", "mantissa"] {
            var cells = [field]
            for (summary, layout) in zip(summaries, layouts) {
                let group = summary.perBit.filter { layout.field(of: $0.key) == field }.values.reduce(into: CampaignSummary.Group()) { $0.absorb($1) }
                cells += Self.cells(group, baseline: summary.baselineMetric)
            }
            fields.add(cells)
        }
        lines.append(fields.render())

        lines.append("")
        lines.append("per bit (0 = most significant; injections, mean Δ \(short)):")
        let width = layouts.map(\.width).max() ?? 0
        var numeric: Set<Int> = [0]
        for f in 0..<formats.count {
            numeric.insert(3 * f + 2)
            numeric.insert(3 * f + 3)
        }
        let bitHeader: [String] = formats.flatMap { format -> [String] in [format.name, "n", "mean Δ"] }
        var bits = TextTable(header: ["bit"] + bitHeader, rightAligned: numeric)
        for bit in 0..<width {
            var cells = [String(bit)]
            var any = false
            for (summary, layout) in zip(summaries, layouts) {
                guard bit < layout.width else { cells += ["", "", ""]; continue }
                let group = summary.perBit[bit]
                if group != nil { any = true }
                cells += [layout.field(of: bit), Format.grouped(group?.injections ?? 0),
                          group.map { Format.signed($0.meanMetric - summary.baselineMetric) } ?? "-"]
            }
            if any { bits.add(cells) }
        }
        lines.append(bits.render())
        return lines.joined(separator: "\n")
    }

    static func count(_ n: Int, of total: Int) -> String {
        "\(Format.grouped(n)) (\(Format.percent(total > 0 ? Double(n) / Double(total) : 0)))"
    }

    static func cells(_ group: CampaignSummary.Group, baseline: Double) -> [String] {
        guard group.injections > 0 else { return ["0", "-", "-"] }
        return [Format.grouped(group.injections), Format.signed(group.meanMetric - baseline), String(group.sdc)]
    }
}

extension CampaignSummary.Group {
    /// Adds another group's injections (for per-field totals of per-bit groups).
    mutating func absorb(_ other: CampaignSummary.Group) {
        injections += other.injections
        metricSum += other.metricSum
        metricMin = Swift.min(metricMin, other.metricMin)
        metricMax = Swift.max(metricMax, other.metricMax)
        nonfinite += other.nonfinite
        sdc += other.sdc
        masked += other.masked
    }
}
