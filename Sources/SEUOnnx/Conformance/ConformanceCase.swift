import Foundation

/// One case of ONNX's backend test data: a folder holding `model.onnx` and one or more
/// `test_data_set_N/` folders of `input_K.pb` / `output_K.pb` files (serialized
/// `onnx.TensorProto`, K in graph-input / graph-output order).
///
/// Cases live in suites (`node/`, `simple/`, `pytorch-converted/`, `pytorch-operator/`, and in
/// ONNX 1.12's data `real/`, whose folders hold only a `data.json` naming a model to download).
/// A case is named `<suite>/<case>` (`node/test_relu`), the form the allow-list uses.
public struct ConformanceCase: Hashable, Sendable, CustomStringConvertible {
    /// The suite folder's name (`node`).
    public let suite: String
    /// The case folder's name (`test_relu`).
    public let name: String
    public let directory: URL

    public init(suite: String, name: String, directory: URL) {
        self.suite = suite
        self.name = name
        self.directory = directory
    }

    /// `<suite>/<case>`.
    public var id: String { "\(suite)/\(name)" }
    public var description: String { id }

    public var modelURL: URL { directory.appendingPathComponent("model.onnx") }

    /// The inputs and expected outputs of one `test_data_set_N` folder.
    public struct DataSet: Sendable {
        public let name: String
        public let inputs: [URL]
        public let outputs: [URL]
    }

    /// The data sets in numeric order, each with its `input_K.pb` / `output_K.pb` files in
    /// numeric order (`input_10` after `input_9`). Files with other names are ignored.
    public func dataSets() -> [DataSet] {
        let folders = Self.numbered(in: directory, prefix: "test_data_set_", suffix: "")
        return folders.map { folder in
            DataSet(name: folder.lastPathComponent,
                    inputs: Self.numbered(in: folder, prefix: "input_", suffix: ".pb"),
                    outputs: Self.numbered(in: folder, prefix: "output_", suffix: ".pb"))
        }
    }

    /// Entries of `folder` named `<prefix><N><suffix>`, sorted by N.
    static func numbered(in folder: URL, prefix: String, suffix: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let numbered: [(Int, String)] = names.compactMap { name in
            guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count > prefix.count + suffix.count else { return nil }
            let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
            guard digits.allSatisfy(\.isASCII), let n = Int(digits), n >= 0 else { return nil }
            return (n, name)
        }
        return numbered.sorted { $0.0 < $1.0 }.map { folder.appendingPathComponent($0.1) }
    }

    // MARK: Discovery

    /// The cases under `root`, sorted by id. `root` may be a data folder holding suites
    /// (`onnx-1.23/`), a single suite (`onnx-1.23/node/`) or a single case folder.
    /// Throws `.io` when `root` is not a readable folder.
    public static func discover(in root: URL) throws -> [ConformanceCase] {
        guard isDirectory(root) else {
            throw SEUError(.io, "not a folder of ONNX test cases", location: .init(file: root.path))
        }
        let root = root.standardizedFileURL
        if isCase(root) {
            return [ConformanceCase(suite: root.deletingLastPathComponent().lastPathComponent,
                                    name: root.lastPathComponent, directory: root)]
        }
        let children = subfolders(of: root)
        if children.contains(where: isCase) {
            return cases(inSuite: root)
        }
        return children.flatMap(cases(inSuite:)).sorted { $0.id < $1.id }
    }

    private static func cases(inSuite suite: URL) -> [ConformanceCase] {
        subfolders(of: suite).filter(isCase).map {
            ConformanceCase(suite: suite.lastPathComponent, name: $0.lastPathComponent, directory: $0)
        }
    }

    /// A case folder has a model, a `data.json` (a model to download) or a data set.
    static func isCase(_ folder: URL) -> Bool {
        let manager = FileManager.default
        if manager.fileExists(atPath: folder.appendingPathComponent("model.onnx").path)
            || manager.fileExists(atPath: folder.appendingPathComponent("data.json").path) {
            return true
        }
        return !numbered(in: folder, prefix: "test_data_set_", suffix: "").isEmpty
    }

    private static func subfolders(of folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }
            .map { folder.appendingPathComponent($0) }
            .filter(isDirectory)
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }
}
