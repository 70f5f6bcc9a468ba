/// The report's charts as SVG documents: outcome classes per bit position, a tensor × bit
/// heatmap of the critical rate, and the distribution of the metric change.
public enum ReportCharts {
    /// Bit positions: stacked outcome fractions (top panel) and the critical rate with its
    /// confidence interval (bottom panel), with the fields of the first number format marked.
    public static func bits(_ s: CampaignSummary) -> SVG {
        let bits = s.perBit.keys.sorted()
        let format = DataType(name: s.facts.targets.first?.format ?? "float32") ?? .float
        return outcomes(s, title: "Outcome classes per bit position (0 = most significant)", labels: bits.map(String.init),
                        groups: bits.map { s.perBit[$0] ?? .init() },
                        intervals: bits.map { bit in s.rate({ $0.critical }, in: s.perBit[bit] ?? .init(), scope: .bit(bit)) },
                        fields: (bits, BitLayout(format)))
    }

    /// Threat-model missions: outcome classes by the number of upsets in a mission.
    public static func missions(_ s: CampaignSummary) -> SVG {
        let sizes = s.perSiteCount.keys.sorted()
        return outcomes(s, title: "Outcome classes by number of upsets in a mission", labels: sizes.map(String.init),
                        groups: sizes.map { s.perSiteCount[$0] ?? .init() },
                        intervals: sizes.map { k in
                            let g = s.perSiteCount[k] ?? .init()
                            return Intervals.proportion(g.outcomes.critical, of: g.injections, confidence: s.confidence, method: s.rateMethod)
                        }, fields: nil)
    }

    /// Stacked outcome fractions per column and the critical rate with intervals below.
    static func outcomes(_ s: CampaignSummary, title: String, labels: [String], groups: [CampaignSummary.Group],
                         intervals: [ConfidenceInterval], fields: ([Int], BitLayout)?) -> SVG {
        let left = 56.0, right = 16.0
        let slot = max(12, min(28, 900 / Double(max(labels.count, 1))))
        let width = left + right + slot * Double(labels.count)
        let top1 = 40.0, h1 = 170.0, gap = 36.0, h2 = 130.0
        let top2 = top1 + h1 + gap
        var svg = SVG(width: max(width, 560), height: top2 + h2 + (fields == nil ? 24 : 58))
        svg.text(left, 14, title, size: 13, weight: "bold")
        // Legend.
        var lx = left
        for outcome in OutcomeClass.allCases.reversed() {
            svg.rect(lx, 22, 10, 10, fill: ChartStyle.color(outcome))
            svg.text(lx + 13, 31, outcome.description, size: 10)
            lx += 22 + Double(outcome.description.count) * 6.5
        }
        // Panel 1: 100 % stacked bars, critical classes at the bottom.
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let y = top1 + h1 * (1 - tick)
            svg.line(left - 4, y, left + slot * Double(labels.count), y, stroke: "#e5e5e5")
            svg.text(left - 7, y + 4, "\(Int(tick * 100))%", size: 10, anchor: "end")
        }
        let order: [OutcomeClass] = [.due, .sdc5, .sdc1, .tolerable, .masked]
        for (i, (label, g)) in zip(labels, groups).enumerated() where g.injections > 0 {
            var y = top1 + h1
            let x = left + slot * Double(i) + 1.5
            for outcome in order {
                let fraction = Double(g.outcomes[outcome]) / Double(g.injections)
                let h = h1 * fraction
                y -= h
                svg.rect(x, y, slot - 3, h, fill: ChartStyle.color(outcome),
                         title: "\(label): \(outcome) \(g.outcomes[outcome]) of \(g.injections) (\(ChartStyle.percent(fraction)))")
            }
        }
        // Panel 2: critical rate with intervals, on a scale fitted to the largest upper bound.
        let peak = max(0.01, intervals.map { $0.upper.isFinite ? $0.upper : 0 }.max() ?? 0.01)
        let scale = niceCeiling(peak)
        svg.text(left, top2 - 8, "critical rate (SDC-1 + SDC-5 + DUE) with \(Format.trimmed(s.confidence * 100))% interval (\(intervals.first?.method.description ?? ""))", size: 11)
        for k in 0...4 {
            let value = scale * Double(k) / 4
            let y = top2 + h2 * (1 - value / scale)
            svg.line(left - 4, y, left + slot * Double(labels.count), y, stroke: "#e5e5e5")
            svg.text(left - 7, y + 4, ChartStyle.percent(value), size: 10, anchor: "end")
        }
        for (i, (label, interval)) in zip(labels, intervals).enumerated() where interval.estimate.isFinite {
            let x = left + slot * (Double(i) + 0.5)
            func y(_ v: Double) -> Double { top2 + h2 * (1 - min(v, scale) / scale) }
            let title = "\(label): critical \(ChartStyle.percent(interval.estimate)) [\(ChartStyle.percent(interval.lower)), \(ChartStyle.percent(interval.upper))]"
            if interval.method != .exact {
                svg.line(x, y(interval.lower), x, y(interval.upper), stroke: "#555", width: 1.2)
                svg.line(x - 3, y(interval.lower), x + 3, y(interval.lower), stroke: "#555")
                svg.line(x - 3, y(interval.upper), x + 3, y(interval.upper), stroke: "#555")
            }
            svg.circle(x, y(interval.estimate), r: 2.8, fill: ChartStyle.color(.sdc5), title: title)
        }
        // Column labels and, for bit positions, field brackets.
        let labelY = top2 + h2 + 14
        for (i, label) in labels.enumerated() where labels.count <= 40 || i % 4 == 0 {
            svg.text(left + slot * (Double(i) + 0.5), labelY, label, size: 9.5, anchor: "middle")
        }
        guard let (bits, layout) = fields else { return svg }
        var start = 0
        while start < bits.count {
            let field = layout.field(of: bits[start])
            var end = start
            while end + 1 < bits.count && layout.field(of: bits[end + 1]) == field { end += 1 }
            let x1 = left + slot * Double(start) + 2, x2 = left + slot * Double(end + 1) - 2
            svg.line(x1, labelY + 8, x2, labelY + 8, stroke: "#888")
            svg.text((x1 + x2) / 2, labelY + 21, field, size: 10, anchor: "middle", fill: "#555")
            start = end + 1
        }
        return svg
    }

    /// Tensors (rows, campaign order) × bit positions (columns): the critical rate of each
    /// cell, square-root colour scale; hover a cell for counts.
    public static func heatmap(_ s: CampaignSummary) -> SVG {
        let tensors = s.facts.targets.map(\.name).filter { s.perCell[$0] != nil }
        let bits = Set(s.perCell.values.flatMap(\.keys)).sorted()
        let longest = tensors.map(\.count).max() ?? 10
        let left = min(260, 12 + Double(longest) * 6.3), top = 40.0
        let cellW = max(10, min(24, 820 / Double(max(bits.count, 1)))), cellH = tensors.count > 60 ? 10.0 : 15.0
        let width = left + cellW * Double(bits.count) + 90
        let barH = 160.0
        var svg = SVG(width: max(width, 520), height: max(top + cellH * Double(tensors.count), top + barH) + 24)
        svg.text(8, 16, "Critical rate per tensor × bit position (hover for counts; hatched = not sampled)", size: 13, weight: "bold")
        for (j, bit) in bits.enumerated() where bits.count <= 40 || bit % 4 == 0 {
            svg.text(left + cellW * (Double(j) + 0.5), top - 6, String(bit), size: 9, anchor: "middle")
        }
        for (i, name) in tensors.enumerated() {
            let y = top + cellH * Double(i)
            let label = name.count > 40 ? "…" + name.suffix(39) : name
            svg.text(left - 6, y + cellH * 0.75, label, size: cellH > 12 ? 10 : 8, anchor: "end")
            for (j, bit) in bits.enumerated() {
                let x = left + cellW * Double(j)
                guard let g = s.perCell[name]?[bit], g.injections > 0 else {
                    // Not sampled: hatched, so it cannot be mistaken for a 0 % cell.
                    svg.rect(x, y, cellW, cellH, fill: "#f4f4f4", stroke: "#fff")
                    svg.line(x + 1, y + cellH - 1, x + cellW - 1, y + 1, stroke: "#c8c8c8", width: 0.8)
                    continue
                }
                let rate = Double(g.outcomes.critical) / Double(g.injections)
                svg.rect(x, y, cellW, cellH, fill: ChartStyle.heat(rate), stroke: "#fff",
                         title: "\(name) bit \(bit): \(g.injections) faults, critical \(g.outcomes.critical) (\(ChartStyle.percent(rate))), SDC-5 \(g.outcomes[.sdc5]), DUE \(g.outcomes[.due]), mean Δ \(Format.signed(g.meanMetric - s.baselineMetric))")
            }
        }
        // Colour bar.
        let barX = left + cellW * Double(bits.count) + 24
        for k in 0..<40 {
            let t = 1 - Double(k) / 40
            svg.rect(barX, top + barH * Double(k) / 40, 12, barH / 40 + 0.5, fill: ChartStyle.heat(t * t))
        }
        for value in [0.0, 0.01, 0.05, 0.25, 0.5, 1.0] {
            let y = top + barH * (1 - value.squareRoot())
            svg.line(barX + 12, y, barX + 16, y, stroke: "#555")
            svg.text(barX + 18, y + 3.5, ChartStyle.percent(value), size: 9)
        }
        return svg
    }

    /// Histogram of the metric change over faults (log-scaled counts, since most faults
    /// change nothing), with the zero line and the mean marked.
    public static func deltas(_ records: [InjectionRecord], summary s: CampaignSummary) -> SVG {
        let values = records.map(\.delta).filter(\.isFinite)
        let left = 56.0, top = 30.0, plotW = 760.0, plotH = 200.0
        var svg = SVG(width: left + plotW + 24, height: top + plotH + 52)
        svg.text(left, 16, "Distribution of the \(s.metricName) change over \(Format.grouped(values.count)) faults (counts on a log scale)", size: 13, weight: "bold")
        guard let low = values.min(), let high = values.max() else { return svg }
        let span = max(high - low, 1e-9)
        let binCount = 50
        var counts = [Int](repeating: 0, count: binCount)
        for v in values { counts[min(binCount - 1, Int((v - low) / span * Double(binCount)))] += 1 }
        let peak = Double(counts.max() ?? 1)
        let decades = max(1, log10(peak + 1).rounded(.up))
        func y(_ count: Double) -> Double { top + plotH * (1 - log10(count + 1) / decades) }
        for d in 0...Int(decades) {
            let c = pow(10, Double(d)) - (d == 0 ? 1 : 0)
            svg.line(left - 4, y(c), left + plotW, y(c), stroke: "#e5e5e5")
            svg.text(left - 7, y(c) + 4, d == 0 ? "0" : Format.grouped(Int(pow(10, Double(d)))), size: 10, anchor: "end")
        }
        let binW = plotW / Double(binCount)
        for (i, count) in counts.enumerated() where count > 0 {
            let from = low + span * Double(i) / Double(binCount), to = from + span / Double(binCount)
            svg.rect(left + binW * Double(i) + 0.5, y(Double(count)), binW - 1, top + plotH - y(Double(count)), fill: "#6baed6",
                     title: "Δ in [\(Format.signed(from, 4)), \(Format.signed(to, 4))): \(count) faults")
        }
        func x(_ v: Double) -> Double { left + plotW * (v - low) / span }
        if low <= 0 && high >= 0 { svg.line(x(0), top, x(0), top + plotH, stroke: "#333", dash: "3,3") }
        let mean = s.overall.delta.mean
        svg.line(x(mean), top, x(mean), top + plotH, stroke: ChartStyle.color(.sdc5), width: 1.5)
        let onLeft = x(mean) > left + plotW * 0.7
        svg.text(x(mean) + (onLeft ? -4 : 4), top + 10, "mean \(Format.signed(mean, 4))", size: 10,
                 anchor: onLeft ? "end" : "start", fill: ChartStyle.color(.sdc5))
        for k in 0...5 {
            let v = low + span * Double(k) / 5
            svg.text(x(v), top + plotH + 15, Format.signed(v, 3), size: 10, anchor: "middle")
        }
        svg.text(left + plotW / 2, top + plotH + 36, "\(s.metricName) change against the fault-free run (Δ)", size: 11, anchor: "middle")
        return svg
    }

    /// 1, 2, 5 × 10^k at or above `v`.
    static func niceCeiling(_ v: Double) -> Double {
        let exponent = log10(v).rounded(.down)
        let base = pow(10, exponent)
        for m in [1.0, 2.0, 2.5, 5.0, 10.0] where m * base >= v * 0.999_999 { return min(1, m * base) }
        return min(1, 10 * base)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
