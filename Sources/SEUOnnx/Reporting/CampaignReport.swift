/// The text summary `seu-onnx inject`, `report` and `merge` print: settings, baseline,
/// outcome classes with confidence intervals (the summary names the method of each), and
/// tables per bit, tensor, format, stratum and mission size.
public struct CampaignReport {
    public let summary: CampaignSummary
    /// The per-tensor table is sorted by mean metric, worst first.
    public init(summary: CampaignSummary) { self.summary = summary }

    public var text: String {
        let s = summary
        var lines: [String] = []
        // A replayed list has no drawn population: its space is just every bit of its tensors.
        var population = ", population \(Format.grouped(s.population)) sites"
        if case .explicit = s.mode { population = "" }
        lines.append("campaign: \(modeText) over \(s.tensors.count) tensor\(s.tensors.count == 1 ? "" : "s")\(population)")
        lines += planLines
        let top5 = s.baselineTop5.map { ", top-5 \(Format.fixed($0))" } ?? ""
        lines.append("baseline: \(s.metricName) \(Format.fixed(s.baselineMetric))\(top5) on \(s.samples) input\(s.samples == 1 ? "" : "s")\(s.hasLabels ? "" : " (no labels: metric = fraction of inputs whose top-1 class differs from the fault-free run)")")
        let done = s.overall.injections
        let incomplete = done < s.plannedInjections
        let timing = s.elapsedSeconds > 0 ? " in \(Format.fixed(s.elapsedSeconds, 2)) s, \(Format.fixed(s.injectionsPerSecond, 1)) injections/s" : ""
        let resumed = s.resumedInjections > 0 ? " (\(Format.grouped(s.resumedInjections)) from the earlier run)" : ""
        lines.append("injections: \(Format.grouped(done))\(resumed)\(incomplete ? " of \(Format.grouped(s.plannedInjections))\(s.interrupted ? " (interrupted)" : " (incomplete)")" : "")\(timing)")
        guard done > 0 else { return lines.joined(separator: "\n") }
        let level = percentLevel
        let rateMethod = s.overallRate { $0.critical }.method
        let deltaInterval = s.overallMeanDelta
        lines.append("intervals (\(level)): rates — \(rateMethod); mean Δ — \(deltaInterval.method)")
        lines.append("\(s.metricName): mean \(Format.fixed(s.meanMetric)) (Δ \(Format.signed(deltaInterval.estimate)) \(Self.bracket(deltaInterval, signed: true))), min \(Format.fixed(s.overall.metricMin)), max \(Format.fixed(s.overall.metricMax))")
        if let w = s.worst {
            let more = w.extraSites.isEmpty ? "" : " (+\(w.extraSites.count) more site\(w.extraSites.count == 1 ? "" : "s"))"
            lines.append("worst: \(w.site)\(more) \(w.field) \(RecordFormat.value(w.before, w.dataType)) → \(RecordFormat.value(w.after, w.dataType)): \(s.metricName) \(Format.fixed(w.metric)) (Δ \(Format.signed(w.delta)))")
        }
        lines.append("")
        lines.append("outcomes (each fault in its most severe class; \(level) intervals):")
        var table = TextTable(header: ["class", s.facts.expectedUpsets == nil ? "faults" : "missions", "rate", "interval", "meaning"], rightAligned: [1, 2])
        for outcome in OutcomeClass.allCases {
            let interval = s.overallRate { $0[outcome] }
            table.add([outcome.description, Format.grouped(s.overall.outcomes[outcome]), Self.percent(interval.estimate), Self.bracket(interval), outcome.meaning])
        }
        let critical = s.overallRate { $0.critical }
        table.add(["critical", Format.grouped(s.overall.outcomes.critical), Self.percent(critical.estimate), Self.bracket(critical), "SDC-1 + SDC-5 + DUE"])
        lines.append(table.render())
        if let p = s.probabilityOfUpset {
            lines.append("per mission (× P(≥1 upset) = \(Format.fixed(p, 6))): critical \(Self.percent(p * critical.estimate)) [\(Self.percent(p * critical.lower)), \(Self.percent(p * critical.upper))], SDC-5 \(Self.percent(p * s.overallRate { $0[.sdc5] }.estimate)), DUE \(Self.percent(p * s.overallRate { $0[.due] }.estimate))")
        }
        let o = s.overall
        lines.append("output error vs fault-free (\(Format.grouped(o.finiteOutputs)) faults with finite outputs): mean MSE \(Self.scientific(o.meanSquaredError)), largest |error| \(Self.scientific(o.finiteOutputs > 0 ? o.maxAbsoluteError : .nan))")

        if !s.perSiteCount.isEmpty {
            // A mission's upsets hit many tensors and bits: tabulate by how many there were.
            lines.append("")
            lines.append("per number of upsets in a mission:")
            var sizes = groupTable(first: ["upsets"])
            for k in s.perSiteCount.keys.sorted() {
                guard let g = s.perSiteCount[k] else { continue }
                sizes.add([String(k)] + groupCells(g, scope: nil))
            }
            lines.append(sizes.render())
            return lines.joined(separator: "\n")
        }

        if s.perSiteKind.count > 1 {
            lines.append("")
            lines.append("per site kind:")
            var kinds = groupTable(first: ["site kind"])
            for (kind, g) in s.perSiteKind.sorted(by: { $0.key < $1.key }) {
                kinds.add([kind.rawValue] + groupCells(g, scope: nil))
            }
            lines.append(kinds.render())
        }

        lines.append("")
        lines.append("per bit (0 = most significant):")
        // One block per stored type when the campaign mixes types (bit 1 of int8 and of
        // float32 are different fields).
        let types = s.perTypeAndBit.keys.sorted { $0.rawValue < $1.rawValue }
        let typed = types.count > 1
        var bits = groupTable(first: (typed ? ["dtype"] : []) + ["bit", "field"])
        let single = types.first ?? s.facts.targets.first.flatMap { DataType(name: $0.format) } ?? .float
        for type in typed ? types : [single] {
            let groups = typed ? (s.perTypeAndBit[type] ?? [:]) : s.perBit
            for bit in groups.keys.sorted() {
                guard let g = groups[bit] else { continue }
                let scope: CampaignSummary.Scope = typed ? .formatBit(type.name, bit) : .bit(bit)
                bits.add((typed ? [type.name] : []) + [String(bit), BitLayout(type).field(of: bit)] + groupCells(g, scope: scope))
            }
        }
        lines.append(bits.render())

        lines.append("")
        lines.append("per tensor (worst first):")
        var tensors = groupTable(first: ["tensor"])
        let ordered = s.perTensor.sorted { a, b in
            let (x, y) = (a.value.meanMetric, b.value.meanMetric)
            return x != y ? (s.hasLabels ? x < y : x > y) : a.key < b.key
        }
        for (name, g) in ordered { tensors.add([name] + groupCells(g, scope: .tensor(name))) }
        lines.append(tensors.render())

        lines.append("")
        lines.append("per format:")
        var formats = groupTable(first: ["format"])
        for name in s.perFormat.keys.sorted() {
            guard let g = s.perFormat[name] else { continue }
            formats.add([name] + groupCells(g, scope: .format(name)))
        }
        lines.append(formats.render())

        return lines.joined(separator: "\n")
    }

    private var percentLevel: String { "\(Format.trimmed(summary.confidence * 100))%" }

    private var modeText: String {
        let s = summary
        switch s.mode {
        case .exhaustive: return "exhaustive"
        case .count(let n) where n >= s.population: return "exhaustive (count \(n) ≥ population)"
        case .explicit(let n): return "replay of \(Format.grouped(n)) listed fault\(n == 1 ? "" : "s")"
        default: return "\(s.mode.summary) (seed \(s.seed))"
        }
    }

    private var planLines: [String] {
        let s = summary
        switch s.mode {
        case .planned(let plan):
            let strata = s.facts.strata ?? []
            let total = strata.reduce(0) { $0 + $1.sampleSize }
            let exhaustive = strata.filter(\.isExhaustive).count
            let formula = "Leveugle et al. 2009, t = \(Format.fixed(plan.t, 4)), p = \(Format.trimmed(plan.expectedRate))"
            if plan.stratification == .none {
                let how = exhaustive > 0 ? "the whole population (the sample would exceed half of it)" : "\(Format.grouped(total)) of \(Format.grouped(s.population)) sites"
                return ["plan: \(how) (\(formula))"]
            }
            return ["plan: \(strata.count) strata, \(exhaustive) injected exhaustively, \(Format.grouped(total)) faults (\(formula); each stratum sized on its own)"]
        case .missions(let threat):
            let lambda = s.facts.expectedUpsets ?? threat.expectedUpsets(bits: s.population)
            return ["threat model: \(threat.upsetsPerBitDay) upsets/bit/day × \(Format.grouped(s.population)) bits × \(Format.trimmed(threat.missionDays)) days → λ = \(Self.scientific(lambda)) expected upsets per mission; P(≥1 upset) = \(Format.fixed(-expm1(-lambda), 6))",
                    "  missions drawn with ≥1 upset (zero-truncated Poisson), sites uniform over the bits in scope; rates below are given ≥1 upset"]
        default:
            return []
        }
    }

    private func groupTable(first: [String]) -> TextTable {
        let metric = summary.hasLabels ? "accuracy" : "mismatch"
        // Without labels the output error is the other figure to read (regression models).
        let errors = summary.hasLabels ? [] : ["mean MSE"]
        let header = first + ["faults", "mean \(metric)", "mean Δ"] + errors + ["masked", "tolerable", "SDC-1", "SDC-5", "DUE", "critical", "interval"]
        return TextTable(header: header, rightAligned: Set(first.count..<(header.count - 1)))
    }

    private func groupCells(_ g: CampaignSummary.Group, scope: CampaignSummary.Scope?) -> [String] {
        let s = summary
        let rate = Double(g.outcomes.critical) / Double(max(g.injections, 1))
        let interval = scope.map { s.rate({ $0.critical }, in: g, scope: $0) }
            ?? (s.isCensus ? Intervals.exact(rate, confidence: s.confidence)
                : Intervals.proportion(g.outcomes.critical, of: g.injections, confidence: s.confidence, method: s.rateMethod))
        let errors = s.hasLabels ? [] : [Self.scientific(g.meanSquaredError)]
        return [Format.grouped(g.injections), Format.fixed(g.meanMetric), Format.signed(g.meanMetric - s.baselineMetric)] + errors + [
                Format.grouped(g.outcomes[.masked]), Format.grouped(g.outcomes[.tolerable]), Format.grouped(g.outcomes[.sdc1]),
                Format.grouped(g.outcomes[.sdc5]), Format.grouped(g.outcomes[.due]), Self.percent(interval.estimate), Self.bracket(interval)]
    }

    /// "12.34%".
    static func percent(_ fraction: Double) -> String { fraction.isNaN ? "-" : Format.fixed(fraction * 100, 2) + "%" }

    /// "[11.10, 13.60]%" (or "exact" for a census).
    static func bracket(_ interval: ConfidenceInterval, signed: Bool = false) -> String {
        if interval.method == .exact { return "exact" }
        if signed {
            return "[\(Format.signed(interval.lower)), \(Format.signed(interval.upper))]"
        }
        return "[\(Format.fixed(interval.lower * 100, 2)), \(Format.fixed(interval.upper * 100, 2))]%"
    }

    static func scientific(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == 0 { return "0" }
        if abs(v) >= 1e-3 && abs(v) < 1e5 { return Format.fixed(v, 4) }
        let exponent = Int(log10(abs(v)).rounded(.down))
        let mantissa = v / pow(10, Double(exponent))
        return "\(Format.fixed(mantissa, 3))e\(exponent)"
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
