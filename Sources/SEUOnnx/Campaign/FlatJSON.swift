/// Parses one flat JSON object (`{"key": value, ...}` whose values are strings, numbers,
/// booleans or null — the shape of a JSON Lines record) into the values' texts. Numbers are
/// kept as written, so `Double(text)` reads them back exactly: Foundation's JSONSerialization
/// does not always round decimal numbers correctly (0.9777777777777777 came back one ulp off),
/// which would break the exact-resume and merge guarantees.
enum FlatJSON {
    /// Keys mapped to texts: strings unescaped, numbers and `true`/`false` verbatim; null
    /// values are left out. Returns nil when the line is not such an object.
    static func parse(_ line: String) -> [String: String]? {
        var scalars = Array(line.unicodeScalars)[...]
        func skipSpace() { while let c = scalars.first, c == " " || c == "\t" || c == "\r" || c == "\n" { scalars.removeFirst() } }
        func expect(_ c: Unicode.Scalar) -> Bool {
            skipSpace()
            guard scalars.first == c else { return false }
            scalars.removeFirst()
            return true
        }
        func string() -> String? {
            guard expect("\"") else { return nil }
            var out = String.UnicodeScalarView()
            while let c = scalars.popFirst() {
                switch c {
                case "\"": return String(out)
                case "\\":
                    guard let e = scalars.popFirst() else { return nil }
                    switch e {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "b": out.append("\u{8}")
                    case "f": out.append("\u{C}")
                    case "u":
                        let hex = String(String.UnicodeScalarView(scalars.prefix(4)))
                        scalars = scalars.dropFirst(4)
                        guard hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else { return nil }
                        out.append(scalar)
                    default: out.append(e)
                    }
                default: out.append(c)
                }
            }
            return nil
        }
        guard expect("{") else { return nil }
        var fields: [String: String] = [:]
        if expect("}") { return fields }
        repeat {
            guard let key = string(), expect(":") else { return nil }
            skipSpace()
            if scalars.first == "\"" {
                guard let value = string() else { return nil }
                fields[key] = value
            } else {
                var raw = String.UnicodeScalarView()
                while let c = scalars.first, c != ",", c != "}", c != " ", c != "\t" { raw.append(c); scalars.removeFirst() }
                let text = String(raw)
                guard !text.isEmpty else { return nil }
                if text != "null" { fields[key] = text }
            }
        } while expect(",")
        guard expect("}") else { return nil }
        skipSpace()
        return scalars.isEmpty ? fields : nil
    }
}
