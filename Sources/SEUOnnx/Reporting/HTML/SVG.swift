/// A minimal SVG writer for the report's charts: elements are appended as text, coordinates
/// in pixels with y pointing down (SVG convention). Output is self-contained (no fonts,
/// scripts or links), so it can be inlined in HTML or saved as a `.svg` file.
public struct SVG {
    public let width: Double
    public let height: Double
    private var body: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String,
                              stroke: String? = nil, title: String? = nil) {
        let strokeText = stroke.map { " stroke=\"\($0)\" stroke-width=\"0.5\"" } ?? ""
        let element = "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(0, w)))\" height=\"\(n(max(0, h)))\" fill=\"\(fill)\"\(strokeText)"
        if let title { body.append(element + "><title>\(Self.escape(title))</title></rect>") } else { body.append(element + "/>") }
    }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#333",
                              width: Double = 1, dash: String? = nil) {
        let dashText = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"\(dashText)/>")
    }

    public mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String, title: String? = nil) {
        let element = "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" fill=\"\(fill)\""
        if let title { body.append(element + "><title>\(Self.escape(title))</title></circle>") } else { body.append(element + "/>") }
    }

    /// Text; `anchor` is start, middle or end. `rotate` turns it about its anchor point.
    public mutating func text(_ x: Double, _ y: Double, _ content: String, size: Double = 11, anchor: String = "start",
                              fill: String = "#222", weight: String? = nil, rotate: Double? = nil) {
        let rotation = rotate.map { " transform=\"rotate(\(n($0)) \(n(x)) \(n(y)))\"" } ?? ""
        let weightText = weight.map { " font-weight=\"\($0)\"" } ?? ""
        body.append("<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(weightText)\(rotation)>\(Self.escape(content))</text>")
    }

    /// The document (`<svg>` root with a viewBox, so it scales with its container).
    public var document: String {
        let head = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" role=\"img\">"
        return ([head, "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"] + body + ["</svg>"]).joined(separator: "\n")
    }

    /// Escapes text for XML and HTML.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Coordinates with at most two decimals.
    private func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : "\(r)"
    }
}

/// Colours and scales shared by the charts.
public enum ChartStyle {
    /// One colour per outcome class (colour-blind safe ordering from light to dark).
    public static func color(_ outcome: OutcomeClass) -> String {
        switch outcome {
        case .masked: return "#d9d9d9"
        case .tolerable: return "#9ecae1"
        case .sdc1: return "#fdae6b"
        case .sdc5: return "#e6550d"
        case .due: return "#756bb1"
        }
    }

    /// White → dark red for a rate in [0, 1], on a square-root scale so that rare outcomes
    /// (1 %) stay visible next to common ones.
    public static func heat(_ rate: Double) -> String {
        let t = min(1, max(0, rate)).squareRoot()
        // Interpolate #fff5f0 → #fb6a4a → #67000d.
        let stops: [(Double, Double, Double)] = [(255, 245, 240), (251, 106, 74), (103, 0, 13)]
        let (a, b, u) = t < 0.5 ? (stops[0], stops[1], t * 2) : (stops[1], stops[2], (t - 0.5) * 2)
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * u).rounded()) }
        return "rgb(\(mix(a.0, b.0)),\(mix(a.1, b.1)),\(mix(a.2, b.2)))"
    }

    /// Percentage with up to two decimals ("12.5%", "0.02%").
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "–" }
        let v = fraction * 100
        return (v >= 10 ? Format.fixed(v, 1) : Format.fixed(v, 2)) + "%"
    }
}
