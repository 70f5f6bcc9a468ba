import CONNXProto
import CProtobufC
import Foundation

/// `seu-onnx convert MODEL --to float16|bfloat16 -o OUT.onnx`: a float32 model rewritten in a
/// 16-bit format, on the decoded ModelProto (`ProtoModel`), so everything else in the file is
/// kept as it was.
///
/// - Whole model (default): every float32 tensor — initializers, Constant values,
///   ConstantOfShape values, in subgraphs too — is rounded to the target (nearest, ties to
///   even) and stored in raw_data; every float32 value type (inputs, outputs, value_info) and
///   every `Cast`/`dtype` to float32 becomes the target type. Inputs that ONNX requires in
///   float32 (Resize and Upsample `scales`) stay float32. With `keepIOTypes`, the graph's inputs
///   and outputs stay float32 and Casts convert them at the boundary.
/// - Weights only: the weights and biases (`WeightAnalysis`) are stored in the target type,
///   each followed by a Cast to float32, so the rest of the graph is unchanged and computes in
///   float32: the deployment form "16-bit storage, float32 compute", which runs anywhere.
///
/// Tensors stored as external data stay external: all of them (converted or not) are written
/// to one new file, `OUT.onnx.data`. Quantized models and models with local functions are
/// not converted.
public struct FormatConversion {
    public enum Scope: Sendable { case wholeModel, weightsOnly }

    public let target: DataType
    public let scope: Scope
    public let keepIOTypes: Bool

    /// What a conversion did.
    public struct Summary: Sendable {
        public var tensors = 0
        public var elements = 0
        /// Finite float32 values that became ±inf (beyond the target's range).
        public var overflows = 0
        /// Nonzero values that became zero (below the target's smallest subnormal).
        public var underflows = 0
        /// Float tensors left in float32 (names), and why.
        public var keptFloat32: [(name: String, reason: String)] = []
        public var castsAdded = 0
        public var externalTensors = 0
    }

    /// The converted model's bytes, its external data file (if any) and a summary.
    public struct Output {
        public let modelBytes: Data
        /// Contents of `OUT.onnx.data`; nil when the model has no external data.
        public let externalData: Data?
        public let summary: Summary
    }

    public init(to target: DataType, scope: Scope = .wholeModel, keepIOTypes: Bool = false) throws {
        guard target == .float16 || target == .bfloat16 else {
            throw SEUError(.invalidArgument, "convert writes float16 or bfloat16 models, not \(target)", location: .init(argument: "--to"))
        }
        guard !(scope == .weightsOnly && keepIOTypes) else {
            throw SEUError(.invalidArgument, "--weights-only keeps every input and output in float32 already", location: .init(argument: "--keep-io-types"))
        }
        self.target = target
        self.scope = scope
        self.keepIOTypes = keepIOTypes
    }

    /// Converts the model at `url`; `dataFileName` is the name the external data file will
    /// have next to the output (`OUT.onnx.data`).
    public func convert(contentsOf url: URL, dataFileName: String) throws -> Output {
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch {
            throw SEUError(.io, "cannot read: \(error.localizedDescription)", location: .init(file: url.path))
        }
        let model = try ONNXImporter.load(data: bytes, baseDirectory: url.deletingLastPathComponent(), url: url)
        try checkConvertible(model)
        let proto = try ProtoModel(bytes: bytes)
        guard let graph = proto.message.pointee.graph else { throw SEUError(.invalidModel, "the model has no graph") }
        var editor = Editor(conversion: self, model: model, graph: graph, decoder: TensorDecoder(baseDirectory: url.deletingLastPathComponent()),
                            dataFileName: dataFileName)
        try editor.run()
        return Output(modelBytes: proto.pack(), externalData: editor.externalBlob, summary: editor.summary)
    }

    /// Refuses models this conversion cannot rewrite consistently.
    func checkConvertible(_ model: Model) throws {
        guard model.functions.isEmpty else {
            throw SEUError(.unsupportedOperator, "the model has local functions (\(model.functions.map(\.name).joined(separator: ", "))); convert does not rewrite their bodies")
        }
        let quantized = Set(model.graph.nodes.map(\.opType)).intersection(["QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul",
                                                                            "ConvInteger", "MatMulInteger", "DynamicQuantizeLinear"])
        guard quantized.isEmpty else {
            throw SEUError(.invalidArgument, "the model is quantized (\(quantized.sorted().joined(separator: ", "))); convert rewrites float32 models")
        }
        let floats = model.graph.initializers.values.filter { $0.dataType == .float }.count
        let others = model.graph.initializers.values.filter { $0.dataType == .float16 || $0.dataType == .bfloat16 || $0.dataType == .double }
        guard floats > 0 || others.isEmpty else {
            throw SEUError(.invalidArgument, "the model's weights are \(others[0].dataType), not float32", location: .init(argument: "MODEL"))
        }
    }

    /// Inputs ONNX types as float32 only.
    static let float32Inputs: [String: Set<Int>] = ["Resize": [2], "Upsample": [1]]
    /// Attributes naming an output element type.
    static let typeAttributes: [String: String] = ["Cast": "to", "RandomNormal": "dtype", "RandomUniform": "dtype",
                                                   "RandomNormalLike": "dtype", "RandomUniformLike": "dtype", "EyeLike": "dtype",
                                                   "Bernoulli": "dtype"]
}

extension FormatConversion {
    /// The mutable state of one conversion.
    struct Editor {
        let conversion: FormatConversion
        let model: Model
        let graph: UnsafeMutablePointer<Onnx__GraphProto>
        let decoder: TensorDecoder
        let dataFileName: String
        var summary = Summary()
        var blob = Data()
        var sawExternal = false
        var externalBlob: Data? { sawExternal ? blob : nil }

        init(conversion: FormatConversion, model: Model, graph: UnsafeMutablePointer<Onnx__GraphProto>, decoder: TensorDecoder, dataFileName: String) {
            self.conversion = conversion
            self.model = model
            self.graph = graph
            self.decoder = decoder
            self.dataFileName = dataFileName
        }

        var target: DataType { conversion.target }

        mutating func run() throws {
            switch conversion.scope {
            case .weightsOnly: try convertWeights()
            case .wholeModel: try convertWholeModel()
            }
        }

        /// Names of values that must stay float32 (Resize/Upsample scales).
        func float32Values() -> [String: String] {
            var keep: [String: String] = [:]
            for node in model.graph.nodes {
                for index in FormatConversion.float32Inputs[node.opType] ?? [] where index < node.inputs.count && !node.inputs[index].isEmpty {
                    keep[node.inputs[index]] = "\(node.opType) scales are float32 in ONNX"
                }
            }
            return keep
        }

        mutating func convertWholeModel() throws {
            let keep = float32Values()
            try visitTensors(graph) { keep[$0] == nil }
            let constants = Set(model.graph.nodes.filter { $0.opType == "Constant" }.flatMap(\.outputs))
            for (name, reason) in keep.sorted(by: { $0.key < $1.key })
            where model.graph.initializers[name]?.dataType == .float || constants.contains(name) {
                summary.keptFloat32.append((name, reason))
            }
            // Constants given as float attributes, element types named by attributes.
            var pending: [(String, String)] = []
            ProtoGraphEdit.forEachNode(graph) { node in
                let opType = ONNXImporter.cString(node.pointee.op_type)
                for a in 0..<node.pointee.n_attribute {
                    guard let attribute = node.pointee.attribute[a] else { continue }
                    let name = ONNXImporter.cString(attribute.pointee.name)
                    if FormatConversion.typeAttributes[opType] == name, attribute.pointee.i == Int64(DataType.float.rawValue) {
                        attribute.pointee.i = Int64(target.rawValue)
                    }
                    if opType == "Constant" && (name == "value_float" || name == "value_floats") {
                        pending.append((ONNXImporter.cString(node.pointee.name), name))
                    }
                }
            }
            guard pending.isEmpty else {
                throw SEUError(.unsupportedDataType, "Constant node '\(pending[0].0)' uses \(pending[0].1); convert handles float constants given as tensors only")
            }
            let (inputs, outputs, annotations) = ProtoGraphEdit.valueInfos(graph)
            let runtimeInputs = Set(model.graph.runtimeInputs.map(\.name))
            for value in inputs + outputs + annotations {
                let name = ONNXImporter.cString(value.pointee.name)
                guard ProtoGraphEdit.elementType(value) == DataType.float.rawValue, keep[name] == nil else { continue }
                ProtoGraphEdit.setElementType(value, target)
            }
            guard conversion.keepIOTypes else { return }
            var names = allNames()
            var prepend: [UnsafeMutablePointer<Onnx__NodeProto>] = [], append: [UnsafeMutablePointer<Onnx__NodeProto>] = []
            for value in inputs where runtimeInputs.contains(ONNXImporter.cString(value.pointee.name)) && ProtoGraphEdit.elementType(value) == target.rawValue {
                let name = ONNXImporter.cString(value.pointee.name)
                let converted = unique("\(name)_\(target.name)", &names)
                ProtoGraphEdit.renameInputs(in: graph, from: name, to: converted)
                prepend.append(try ProtoGraphEdit.makeCast(name: unique("Cast_\(converted)", &names), input: name, output: converted, to: target))
                ProtoGraphEdit.setElementType(value, .float)
            }
            for value in outputs where ProtoGraphEdit.elementType(value) == target.rawValue {
                let name = ONNXImporter.cString(value.pointee.name)
                guard !runtimeInputs.contains(name), model.graph.initializers[name] == nil else { continue }
                let converted = unique("\(name)_\(target.name)", &names)
                ProtoGraphEdit.renameOutputs(in: graph, from: name, to: converted)
                ProtoGraphEdit.renameInputs(in: graph, from: name, to: converted)
                append.append(try ProtoGraphEdit.makeCast(name: unique("Cast_\(name)", &names), input: converted, output: name, to: .float))
                ProtoGraphEdit.setElementType(value, .float)
            }
            summary.castsAdded = prepend.count + append.count
            try ProtoGraphEdit.insert(graph, prepend: prepend, append: append)
        }

        mutating func convertWeights() throws {
            let weights = Set(WeightAnalysis(graph: model.graph).usages.values.filter { $0.kind == .weight }.map(\.name))
            try visitTensors(graph, initializersOnly: true) { weights.contains($0) }
            let converted = model.graph.initializerNames.filter { weights.contains($0) && model.graph.initializers[$0]?.dataType == .float }
            var names = allNames()
            var casts: [UnsafeMutablePointer<Onnx__NodeProto>] = []
            let (inputs, _, annotations) = ProtoGraphEdit.valueInfos(graph)
            for name in converted {
                let widened = unique("\(name)_float32", &names)
                ProtoGraphEdit.renameInputs(in: graph, from: name, to: widened)
                casts.append(try ProtoGraphEdit.makeCast(name: unique("Cast_\(widened)", &names), input: name, output: widened, to: .float))
                // Older files list initializers as graph inputs; the dynamo exporter annotates them.
                for value in inputs + annotations where ONNXImporter.cString(value.pointee.name) == name {
                    ProtoGraphEdit.setElementType(value, target)
                }
            }
            summary.castsAdded = casts.count
            try ProtoGraphEdit.insert(graph, prepend: casts, append: [])
        }

        /// Visits the float32 tensors of `graph` (initializers, node attribute tensors,
        /// subgraphs), converting those `select` accepts, and moves every external tensor to the
        /// new data file.
        mutating func visitTensors(_ graph: UnsafeMutablePointer<Onnx__GraphProto>, initializersOnly: Bool = false,
                                   select: (String) -> Bool) throws {
            for i in 0..<graph.pointee.n_sparse_initializer {
                guard let sparse = graph.pointee.sparse_initializer[i]?.pointee else { continue }
                for part in [sparse.values, sparse.indices].compactMap({ $0 }) where try ExternalReference(part.pointee) != nil {
                    throw SEUError(.unsupportedDataType, "a sparse initializer is stored as external data; convert does not move it")
                }
            }
            let g = graph.pointee
            for i in 0..<g.n_initializer {
                guard let t = g.initializer[i] else { continue }
                try visit(t, name: ONNXImporter.cString(t.pointee.name), select)
            }
            guard !initializersOnly else { return }
            for i in 0..<g.n_node {
                guard let node = g.node[i] else { continue }
                let output = node.pointee.n_output > 0 ? ONNXImporter.cString(node.pointee.output[0]) : ""
                for a in 0..<node.pointee.n_attribute {
                    guard let attribute = node.pointee.attribute[a] else { continue }
                    if let t = attribute.pointee.t { try visit(t, name: output, select) }
                    if let sub = attribute.pointee.g { try visitTensors(sub, select: select) }
                    for j in 0..<attribute.pointee.n_graphs { if let sub = attribute.pointee.graphs[j] { try visitTensors(sub, select: select) } }
                }
            }
        }

        mutating func visit(_ t: UnsafeMutablePointer<Onnx__TensorProto>, name: String, _ select: (String) -> Bool) throws {
            let external = try ExternalReference(t.pointee) != nil
            let isFloat = t.pointee.has_data_type != 0 && t.pointee.data_type == DataType.float.rawValue
            guard external || isFloat else { return }
            let (tensor, _) = try decoder.decode(t.pointee)
            var stored = tensor
            if isFloat, select(name) {
                stored = try tensor.converted(to: target)
                count(tensor, stored)
            }
            let bytes = [UInt8](UnsafeRawBufferPointer(start: stored.storage.bytes, count: stored.byteCount))
            if external {
                sawExternal = true
                summary.externalTensors += 1
                try ProtoGraphEdit.setExternal(t, location: dataFileName, offset: blob.count, length: bytes.count, type: stored.dataType)
                blob.append(contentsOf: bytes)
            } else if stored.dataType != tensor.dataType {
                try ProtoGraphEdit.setRawData(t, bytes, type: stored.dataType)
            }
        }

        mutating func count(_ source: Tensor, _ converted: Tensor) {
            summary.tensors += 1
            summary.elements += source.count
            for i in 0..<source.count {
                let before = source.floats[i], after = converted.floatValue(at: i)
                if before.isFinite && after.isInfinite { summary.overflows += 1 }
                if before != 0 && after == 0 { summary.underflows += 1 }
            }
        }

        /// Every value, node and initializer name in the graph (to make new names unique).
        func allNames() -> Set<String> {
            var names = Set(model.graph.initializerNames)
            for node in model.graph.nodes { names.insert(node.name); names.formUnion(node.inputs); names.formUnion(node.outputs) }
            for value in model.graph.inputs + model.graph.outputs + model.graph.valueInfo { names.insert(value.name) }
            return names
        }

        func unique(_ base: String, _ names: inout Set<String>) -> String {
            var name = base, n = 1
            while names.contains(name) { n += 1; name = "\(base)_\(n)" }
            names.insert(name)
            return name
        }
    }
}

extension FormatConversion {
    /// Runs `original` and `converted` on one synthetic input (drawn from `seed`, rounded to
    /// each model's input type) and compares output 0: max |diff| / max |original| and
    /// whether the top-1 class of each row agrees. A quick check that a conversion runs and
    /// computes the same function within the target's precision.
    public static func check(original: Model, converted: Model, seed: UInt64 = 0) throws -> (relative: Double, sameTop1: Bool) {
        let reference = try InferenceSession(model: original), session = try InferenceSession(model: converted)
        let inputs = try SyntheticInput.make(for: reference.inputs, seed: seed)
        let a = try reference.run(inputs)[0].convertedToFloat()
        let b = try session.run(session.convertingFloatInputs(inputs))[0].convertedToFloat()
        guard a.count == b.count, a.count > 0 else {
            throw SEUError(.shapeMismatch, "the converted model's output has \(b.count) elements, the original's \(a.count)")
        }
        var maxDiff = 0.0, maxRef = 0.0
        for i in 0..<a.count {
            maxDiff = max(maxDiff, abs(Double(a.floats[i]) - Double(b.floats[i])))
            maxRef = max(maxRef, abs(Double(a.floats[i])))
        }
        let rows = a.rank > 1 ? a.shape[0] : 1, width = a.count / rows
        let same = (0..<rows).allSatisfy { Classification.argmax(a.floats + $0 * width, count: width) == Classification.argmax(b.floats + $0 * width, count: width) }
        return (maxRef > 0 ? maxDiff / maxRef : maxDiff, same)
    }
}
