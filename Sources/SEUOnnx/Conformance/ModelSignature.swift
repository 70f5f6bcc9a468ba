import CONNXProto
import CProtobufC
import Foundation

/// What a conformance case's model declares, read straight from the protobuf so that it is
/// available even when the importer cannot represent the model: the kinds and element types
/// of its graph inputs and outputs, and the operators of its top-level nodes.
///
/// The importer's `ValueInfo` keeps only tensor types (nil for anything else); here a sequence
/// or optional input is named as such, so the runner can skip the case with a clear reason
/// instead of trying to decode a `SequenceProto` file as a tensor.
struct ModelSignature {
    /// The kind of a declared graph value.
    enum ValueKind: Equatable {
        /// A tensor; the element type is ONNX's `TensorProto.DataType` number (nil if undeclared).
        case tensor(elementType: Int32?)
        case sparseTensor, sequence, map, optional
        /// No type declared.
        case undeclared
    }

    struct Value {
        let name: String
        let kind: ValueKind
    }

    /// Declared graph inputs that must be fed (initializers excluded), in order.
    var inputs: [Value] = []
    var outputs: [Value] = []
    /// Distinct operators of the top-level nodes in graph order (`domain.Op` outside ai.onnx).
    var operators: [String] = []
    /// Output names of every top-level node (used to recognise expanded functions).
    var nodeOutputs: [String] = []

    /// Reads the signature of a serialized ModelProto.
    static func read(data: Data) throws -> ModelSignature {
        let message = try ModelMessage.unpack(data)
        defer { onnx__model_proto__free_unpacked(message, nil) }
        guard let graph = message.pointee.graph?.pointee else {
            throw SEUError(.invalidModel, "not an ONNX model: it has no graph")
        }
        var initializers = Set<String>()
        for i in 0..<graph.n_initializer {
            if let t = graph.initializer[i] { initializers.insert(ONNXImporter.cString(t.pointee.name)) }
        }
        for i in 0..<graph.n_sparse_initializer {
            if let values = graph.sparse_initializer[i]?.pointee.values {
                initializers.insert(ONNXImporter.cString(values.pointee.name))
            }
        }
        var signature = ModelSignature()
        signature.inputs = values(graph.input, graph.n_input).filter { !initializers.contains($0.name) }
        signature.outputs = values(graph.output, graph.n_output)
        var seen = Set<String>()
        for i in 0..<graph.n_node {
            guard let node = graph.node[i]?.pointee else { continue }
            let opType = ONNXImporter.cString(node.op_type)
            let domain = ONNXImporter.normalizedDomain(ONNXImporter.cString(node.domain))
            let label = domain.isEmpty ? opType : "\(domain).\(opType)"
            if seen.insert(label).inserted { signature.operators.append(label) }
            signature.nodeOutputs += ONNXImporter.strings(node.output, node.n_output)
        }
        return signature
    }

    private static func values(_ list: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__ValueInfoProto>?>?,
                               _ count: Int) -> [Value] {
        guard let list else { return [] }
        return (0..<count).compactMap { i in
            guard let info = list[i]?.pointee else { return nil }
            return Value(name: ONNXImporter.cString(info.name), kind: kind(info.type?.pointee))
        }
    }

    private static func kind(_ type: Onnx__TypeProto?) -> ValueKind {
        guard let type else { return .undeclared }
        switch type.value_case {
        case ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE:
            guard let tensor = type.tensor_type?.pointee else { return .tensor(elementType: nil) }
            return .tensor(elementType: tensor.has_elem_type != 0 ? tensor.elem_type : nil)
        case ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE: return .sparseTensor
        case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE: return .sequence
        case ONNX__TYPE_PROTO__VALUE_MAP_TYPE: return .map
        case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE: return .optional
        default: return .undeclared
        }
    }

    /// Why the runner cannot feed or compare this model's values, or nil when every graph input
    /// and output is a tensor of a type `DataType` represents (strings excluded).
    var unrepresentableReason: String? {
        for (role, list) in [("input", inputs), ("output", outputs)] {
            for value in list {
                switch value.kind {
                case .tensor(let elementType?):
                    if let type = DataType(rawValue: elementType), type != .string { continue }
                    return "\(role) '\(value.name)' has element type \(Self.typeName(elementType))"
                case .tensor(nil), .undeclared: continue
                case .sparseTensor: return "\(role) '\(value.name)' is a sparse tensor"
                case .sequence: return "\(role) '\(value.name)' is a sequence"
                case .map: return "\(role) '\(value.name)' is a map"
                case .optional: return "\(role) '\(value.name)' is an optional"
                }
            }
        }
        return nil
    }

    /// ONNX's name for an element type number (`FLOAT8E4M3FN`), also for types `DataType` lacks.
    static func typeName(_ elementType: Int32) -> String {
        let names: [Int32: String] = [
            1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64",
            8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64",
            14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16", 17: "FLOAT8E4M3FN", 18: "FLOAT8E4M3FNUZ",
            19: "FLOAT8E5M2", 20: "FLOAT8E5M2FNUZ", 21: "UINT4", 22: "INT4", 23: "FLOAT4E2M1",
            24: "FLOAT8E8M0", 25: "UINT2", 26: "INT2",
        ]
        return names[elementType] ?? "#\(elementType)"
    }

    /// The operator a case exercises, derived from the model's nodes:
    /// - an expanded function (ONNX's `*_expanded` cases, whose node outputs are named
    ///   `<Op>_<case>_function_...`): `<Op> (expanded)` — it proves the body's operators, not `<Op>`;
    /// - a model whose nodes are all one operator: that operator (`Relu`);
    /// - any other multi-operator model: `(model)`.
    func operatorLabel(caseName: String) -> String {
        let marker = "_\(caseName)_function_"
        for output in nodeOutputs {
            if let range = output.range(of: marker), range.lowerBound > output.startIndex {
                return "\(output[..<range.lowerBound]) (expanded)"
            }
        }
        if operators.count == 1 { return operators[0] }
        return operators.isEmpty ? "(no nodes)" : "(model)"
    }
}
