import Foundation

/// Left/right-aligned plain-text columns for terminal reports.
public struct TextTable {
    public var header: [String]
    public var rows: [[String]] = []
    /// Columns whose cells are right-aligned (numbers).
    public var rightAligned: Set<Int>

    public init(header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// The table with two-space gaps, a rule under the header, each line prefixed by `indent`.
    public func render(indent: String = "  ") -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ row: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in row.enumerated() where i < widths.count {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                parts.append(rightAligned.contains(i) ? pad + cell : (i == row.count - 1 ? cell : cell + pad))
            }
            return indent + parts.joined(separator: "  ")
        }
        var lines = [line(header), indent + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        lines += rows.map(line)
        return lines.joined(separator: "\n")
    }
}

/// Number formatting shared by reports.
public enum Format {
    /// 11689512 → "11,689,512".
    public static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Fixed decimals ("0.98889").
    public static func fixed(_ v: Double, _ decimals: Int = 5) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        // printf-style: never switches to exponent notation for small values ("-5e-05").
        return String(format: "%.\(max(0, decimals))f", v)
    }

    /// Signed fixed decimals ("+0.01200", "-0.51889").
    public static func signed(_ v: Double, _ decimals: Int = 5) -> String {
        // A mean that differs from zero by rounding error only (-1e-16) prints as +0.
        if v.isFinite && (v * pow10(decimals)).rounded() == 0 { return "+" + fixed(0, decimals) }
        return (v >= 0 ? "+" : "") + fixed(v, decimals)
    }

    /// Percentage with one decimal ("12.5%").
    /// "1 tensor", "8 tensors" (thousands grouped).
    public static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(grouped(n)) \(n == 1 ? noun : plural ?? noun + "s")"
    }

    public static func percent(_ fraction: Double) -> String { fixed(fraction * 100, 1) + "%" }

    /// Bytes as KiB/MiB/GiB.
    public static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : fixed(value, 1) + " " + units[unit]
    }

    private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { acc, _ in acc * 10 } }
}
