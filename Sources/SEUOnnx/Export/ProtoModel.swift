import CONNXProto
import CProtobufC
import Foundation

/// A serialized ModelProto decoded into protobuf-c's C structures, to be edited in place and
/// packed again.
///
/// Why this route: protobuf-c unpack → pack of the generated onnx.proto reproduces ONNX files
/// byte for byte, including fields the schema does not know (kept as unknown fields), so a
/// change to a payload changes exactly that payload. `init` checks this on the file at hand
/// (it packs the untouched message and compares) and refuses files that do not round-trip,
/// rather than write an output that differs in more than the flipped bits.
final class ProtoModel {
    let message: UnsafeMutablePointer<Onnx__ModelProto>

    /// Decodes `bytes`; throws `.invalidModel` when they are not a ModelProto or when
    /// re-encoding them would not give the same bytes.
    init(bytes: Data) throws {
        message = try ModelMessage.unpack(bytes)
        guard pack() == bytes else {
            throw SEUError(.invalidModel, "re-encoding this file does not reproduce it byte for byte (a non-canonical protobuf encoding); refusing to export, since the output would differ in more than the flipped bits")
        }
    }

    deinit { onnx__model_proto__free_unpacked(message, nil) }

    /// The message serialized.
    func pack() -> Data {
        let size = onnx__model_proto__get_packed_size(message)
        var data = Data(count: size)
        data.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { _ = onnx__model_proto__pack(message, base.assumingMemoryBound(to: UInt8.self)) }
        }
        return data
    }

    /// The main graph's dense initializers by name. With duplicate names the last one wins,
    /// as in the importer, so a fault lands in the tensor the runtime uses.
    func initializers() -> [String: UnsafeMutablePointer<Onnx__TensorProto>] {
        var result: [String: UnsafeMutablePointer<Onnx__TensorProto>] = [:]
        guard let graph = message.pointee.graph?.pointee else { return result }
        for i in 0..<graph.n_initializer {
            guard let t = graph.initializer[i] else { continue }
            result[ONNXImporter.cString(t.pointee.name)] = t
        }
        return result
    }

    /// Names of the main graph's sparse initializers (which export cannot edit).
    func sparseInitializerNames() -> Set<String> {
        var names = Set<String>()
        guard let graph = message.pointee.graph?.pointee else { return names }
        for i in 0..<graph.n_sparse_initializer {
            if let values = graph.sparse_initializer[i]?.pointee.values {
                names.insert(ONNXImporter.cString(values.pointee.name))
            }
        }
        return names
    }

    /// Every TensorProto in the model — initializers, sparse parts, node attributes, subgraphs
    /// and functions — so that external data locations can all be rewritten.
    func forEachTensor(_ body: (UnsafeMutablePointer<Onnx__TensorProto>) throws -> Void) rethrows {
        if let graph = message.pointee.graph { try Self.visit(graph: graph, body) }
        for i in 0..<message.pointee.n_functions {
            guard let function = message.pointee.functions[i]?.pointee else { continue }
            for n in 0..<function.n_node {
                if let node = function.node[n] { try Self.visit(node: node, body) }
            }
        }
    }

    private static func visit(graph: UnsafeMutablePointer<Onnx__GraphProto>,
                              _ body: (UnsafeMutablePointer<Onnx__TensorProto>) throws -> Void) rethrows {
        let g = graph.pointee
        for i in 0..<g.n_initializer { if let t = g.initializer[i] { try body(t) } }
        for i in 0..<g.n_sparse_initializer {
            if let s = g.sparse_initializer[i] { try visit(sparse: s, body) }
        }
        for i in 0..<g.n_node { if let node = g.node[i] { try visit(node: node, body) } }
    }

    private static func visit(sparse: UnsafeMutablePointer<Onnx__SparseTensorProto>,
                              _ body: (UnsafeMutablePointer<Onnx__TensorProto>) throws -> Void) rethrows {
        if let values = sparse.pointee.values { try body(values) }
        if let indices = sparse.pointee.indices { try body(indices) }
    }

    private static func visit(node: UnsafeMutablePointer<Onnx__NodeProto>,
                              _ body: (UnsafeMutablePointer<Onnx__TensorProto>) throws -> Void) rethrows {
        let n = node.pointee
        for i in 0..<n.n_attribute {
            guard let a = n.attribute[i]?.pointee else { continue }
            if let t = a.t { try body(t) }
            for j in 0..<a.n_tensors { if let t = a.tensors[j] { try body(t) } }
            if let g = a.g { try visit(graph: g, body) }
            for j in 0..<a.n_graphs { if let g = a.graphs[j] { try visit(graph: g, body) } }
            if let s = a.sparse_tensor { try visit(sparse: s, body) }
            for j in 0..<a.n_sparse_tensors { if let s = a.sparse_tensors[j] { try visit(sparse: s, body) } }
        }
    }
}

/// The `external_data` entries of a TensorProto stored outside the model file.
struct ExternalReference {
    var location: String
    var offset: Int
    /// Declared length, if any.
    var length: Int?

    /// nil when the tensor is stored in the model file.
    init?(_ t: Onnx__TensorProto) throws {
        guard t.has_data_location != 0 && t.data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL else { return nil }
        var location = "", offset = 0, length: Int? = nil
        for i in 0..<t.n_external_data {
            guard let entry = t.external_data[i]?.pointee else { continue }
            let key = ONNXImporter.cString(entry.key), value = ONNXImporter.cString(entry.value)
            switch key {
            case "location": location = value
            case "offset": offset = Int(value) ?? -1
            case "length": length = Int(value) ?? -1
            default: break
            }
        }
        guard !location.isEmpty else { throw SEUError(.invalidModel, "external data without a location") }
        guard offset >= 0, (length ?? 0) >= 0 else {
            throw SEUError(.invalidModel, "external data '\(location)' has an invalid offset or length")
        }
        self.location = location
        self.offset = offset
        self.length = length
    }

    /// Points every `location` entry of `t` at `newLocation` (the other entries are kept).
    static func rewrite(_ t: UnsafeMutablePointer<Onnx__TensorProto>, to newLocation: String) {
        for i in 0..<t.pointee.n_external_data {
            guard let entry = t.pointee.external_data[i], ONNXImporter.cString(entry.pointee.key) == "location" else { continue }
            // protobuf-c's default allocator is malloc/free, so free_unpacked releases strdup's
            // copy. An empty value might be a shared default string: leave it to leak, not free.
            if let old = entry.pointee.value, old.pointee != 0 { free(old) }
            entry.pointee.value = strdup(newLocation)
        }
    }

    /// The file a location names, relative to the model's folder. As onnxruntime, a location
    /// must stay in that folder or below it (no absolute path, no `..`), so a model file cannot
    /// make the tool read, or `flip`/`corrupt` copy, an arbitrary file.
    static func url(of location: String, base: URL) throws -> URL {
        guard !location.hasPrefix("/"), !location.split(separator: "/").contains("..") else {
            throw SEUError(.invalidModel, "external data location '\(location)' escapes the model's folder")
        }
        return base.appendingPathComponent(location)
    }
}
