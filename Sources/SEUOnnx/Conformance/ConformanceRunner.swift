import Foundation

/// How a conformance case ended.
public enum ConformanceOutcome: Sendable, CustomStringConvertible {
    /// Every output of every data set matched in data type, shape and value.
    case passed
    /// An output differed; the text names the output, the data set and the first mismatch.
    case failed(String)
    /// Loading or running failed (unsupported operator, invalid node, a kernel error, ...).
    case error(SEUError)
    /// The case uses values the importer cannot represent (strings, sequences, optionals,
    /// float8 and 4-bit types, models to download): not run.
    case skipped(String)

    public enum Status: String, Sendable, CaseIterable {
        case passed, failed, error, skipped
    }

    public var status: Status {
        switch self {
        case .passed: return .passed
        case .failed: return .failed
        case .error: return .error
        case .skipped: return .skipped
        }
    }

    /// One line: why the case did not pass ("" when it passed).
    public var reason: String {
        switch self {
        case .passed: return ""
        case .failed(let text), .skipped(let text): return text
        case .error(let error): return error.description
        }
    }

    public var description: String { reason.isEmpty ? status.rawValue : "\(status.rawValue): \(reason)" }
}

/// The result of running one case.
public struct ConformanceResult: Sendable {
    public let testCase: ConformanceCase
    /// The operator the case is attributed to (see `ModelSignature.operatorLabel`): `Relu`,
    /// `Softmax (expanded)` or `(model)`.
    public let operatorLabel: String
    /// Distinct operators of the model's top-level nodes, in graph order.
    public let operators: [String]
    public let outcome: ConformanceOutcome
    /// Wall-clock time spent on the case (loading, planning, running, comparing).
    public let seconds: Double

    public init(testCase: ConformanceCase, operatorLabel: String, operators: [String],
                outcome: ConformanceOutcome, seconds: Double) {
        self.testCase = testCase
        self.operatorLabel = operatorLabel
        self.operators = operators
        self.outcome = outcome
        self.seconds = seconds
    }

    public var passed: Bool { outcome.status == .passed }
}

/// Runs conformance cases through `InferenceSession` and compares every output with ONNX's
/// tolerance. It never throws: every problem a case's files can cause becomes an outcome.
public struct ConformanceRunner {
    public var tolerance: ConformanceTolerance
    public var registry: OperatorRegistry

    public init(tolerance: ConformanceTolerance = .onnx, registry: OperatorRegistry = .standard) {
        self.tolerance = tolerance
        self.registry = registry
    }

    public func run(_ testCase: ConformanceCase) -> ConformanceResult {
        let start = DispatchTime.now().uptimeNanoseconds
        var label = "(unknown)", operators: [String] = []
        let outcome: ConformanceOutcome
        do {
            outcome = try evaluate(testCase, label: &label, operators: &operators)
        } catch let error as SEUError {
            outcome = .error(error)
        } catch {
            outcome = .error(SEUError(.execution, "\(error)"))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return ConformanceResult(testCase: testCase, operatorLabel: label, operators: operators,
                                 outcome: outcome, seconds: seconds)
    }

    /// The operator label and operators of a case's model without running it (for reporting a
    /// case that could not report itself); `(unknown)` when the model cannot be read.
    public static func attribution(of testCase: ConformanceCase) -> (label: String, operators: [String]) {
        guard let data = try? Data(contentsOf: testCase.modelURL),
              let signature = try? ModelSignature.read(data: data) else { return ("(unknown)", []) }
        return (signature.operatorLabel(caseName: testCase.name), signature.operators)
    }

    private func evaluate(_ testCase: ConformanceCase, label: inout String,
                          operators: inout [String]) throws -> ConformanceOutcome {
        let modelURL = testCase.modelURL
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            if FileManager.default.fileExists(atPath: testCase.directory.appendingPathComponent("data.json").path) {
                return .skipped("no model.onnx: data.json names a model to download")
            }
            throw SEUError(.io, "no model.onnx in the case folder", location: .init(file: testCase.directory.path))
        }
        let data: Data
        do {
            data = try Data(contentsOf: modelURL, options: .alwaysMapped)
        } catch {
            throw SEUError(.io, "cannot read: \(error.localizedDescription)", location: .init(file: modelURL.path))
        }
        let signature = try ModelSignature.read(data: data)
        operators = signature.operators
        label = signature.operatorLabel(caseName: testCase.name)
        if let reason = signature.unrepresentableReason { return .skipped(reason) }

        let model: Model
        do {
            model = try ONNXImporter.load(data: data, baseDirectory: testCase.directory, url: modelURL)
        } catch let error as SEUError where error.kind == .unsupportedDataType {
            return .skipped("the importer cannot represent the model: \(error.description)")
        }
        let session = try InferenceSession(model: model, registry: registry)
        let dataSets = testCase.dataSets()
        guard !dataSets.isEmpty else {
            throw SEUError(.io, "no test_data_set_N folder", location: .init(file: testCase.directory.path))
        }
        for dataSet in dataSets {
            let where_ = dataSets.count > 1 ? " in \(dataSet.name)" : ""
            let inputs: [TensorFile], expected: [TensorFile]
            do {
                inputs = try dataSet.inputs.map(ONNXImporter.loadTensorFile(url:))
                expected = try dataSet.outputs.map(ONNXImporter.loadTensorFile(url:))
            } catch let error as SEUError where error.kind == .unsupportedDataType {
                return .skipped("test data the importer cannot represent: \(error.description)")
            }
            let feeds = zip(ordered(inputs, for: session), session.inputs).map { Self.legacyBFloat16($0, as: $1.type?.dataType) }
            let actual = try session.run(feeds)
            guard actual.count == expected.count else {
                return .failed("\(actual.count) outputs, expected \(expected.count)\(where_)")
            }
            for (index, (got, want)) in zip(actual, expected).enumerated() {
                let wanted = Self.legacyBFloat16(want.tensor, as: index < session.outputs.count ? session.outputs[index].type?.dataType : nil)
                if let mismatch = TensorComparison.compare(got, wanted, tolerance: tolerance) {
                    let name = index < session.outputs.count ? session.outputs[index].name : want.name
                    return .failed("output \(index) '\(name)'\(where_): \(mismatch)")
                }
            }
        }
        return .passed
    }

    /// Test data written before ONNX 1.14 (Debian's libonnx-testdata) stores bfloat16 tensors as
    /// uint16 with the same bits; read them as the bfloat16 the model declares.
    static func legacyBFloat16(_ tensor: Tensor, as declared: DataType?) -> Tensor {
        guard tensor.dataType == .uint16, declared == .bfloat16 else { return tensor }
        return Tensor(dataType: .bfloat16, shape: tensor.shape, storage: tensor.storage)
    }

    /// The input files in the session's input order: by their stored names when every file
    /// names a distinct model input, else in file order (`input_K` feeds the K-th input).
    private func ordered(_ files: [TensorFile], for session: InferenceSession) -> [Tensor] {
        let names = session.inputs.map(\.name)
        let byName = Dictionary(files.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        if files.count == names.count, byName.count == names.count,
           names.allSatisfy({ byName[$0] != nil }) {
            return names.compactMap { byName[$0] }
        }
        return files.map(\.tensor)
    }
}
