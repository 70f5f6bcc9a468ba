import CONNXProto
import CProtobufC
import Foundation

/// Small edits of a decoded graph (`ProtoModel`'s protobuf-c structures) for format
/// conversion: renaming values, changing declared element types, adding Cast nodes and
/// replacing tensor payloads.
///
/// Memory: protobuf-c frees an unpacked message with `free` (its default allocator), so every
/// string, array and message added here is allocated with `malloc`/`strdup`. A string that is
/// empty may be protobuf-c's shared default: it is replaced but never freed.
enum ProtoGraphEdit {
    /// Replaces a C string field's value.
    static func setString(_ field: inout UnsafeMutablePointer<CChar>?, _ value: String) {
        if let old = field, old.pointee != 0 { free(old) }
        field = strdup(value)
    }

    /// Every node of `graph` and of the subgraphs in its nodes' attributes, depth first.
    static func forEachNode(_ graph: UnsafeMutablePointer<Onnx__GraphProto>,
                            _ body: (UnsafeMutablePointer<Onnx__NodeProto>) throws -> Void) rethrows {
        for i in 0..<graph.pointee.n_node {
            guard let node = graph.pointee.node[i] else { continue }
            try body(node)
            for a in 0..<node.pointee.n_attribute {
                guard let attribute = node.pointee.attribute[a] else { continue }
                if let g = attribute.pointee.g { try forEachNode(g, body) }
                for j in 0..<attribute.pointee.n_graphs { if let g = attribute.pointee.graphs[j] { try forEachNode(g, body) } }
            }
        }
    }

    /// Renames every node input that reads `old` (in subgraphs too, which may capture it).
    static func renameInputs(in graph: UnsafeMutablePointer<Onnx__GraphProto>, from old: String, to new: String) {
        forEachNode(graph) { node in
            for i in 0..<node.pointee.n_input where ONNXImporter.cString(node.pointee.input[i]) == old {
                setString(&node.pointee.input[i], new)
            }
        }
    }

    /// Renames the node output `old` of the main graph's nodes.
    static func renameOutputs(in graph: UnsafeMutablePointer<Onnx__GraphProto>, from old: String, to new: String) {
        for n in 0..<graph.pointee.n_node {
            guard let node = graph.pointee.node[n] else { continue }
            for i in 0..<node.pointee.n_output where ONNXImporter.cString(node.pointee.output[i]) == old {
                setString(&node.pointee.output[i], new)
            }
        }
    }

    /// The declared element type of a value, if it is a tensor with one.
    static func elementType(_ value: UnsafeMutablePointer<Onnx__ValueInfoProto>) -> Int32? {
        guard let type = value.pointee.type, type.pointee.value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE,
              let tensor = type.pointee.tensor_type, tensor.pointee.has_elem_type != 0 else { return nil }
        return tensor.pointee.elem_type
    }

    static func setElementType(_ value: UnsafeMutablePointer<Onnx__ValueInfoProto>, _ dataType: DataType) {
        guard let type = value.pointee.type, type.pointee.value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE,
              let tensor = type.pointee.tensor_type else { return }
        tensor.pointee.has_elem_type = 1
        tensor.pointee.elem_type = dataType.rawValue
    }

    /// The value infos of a graph: inputs, outputs and annotations of intermediate values.
    static func valueInfos(_ graph: UnsafeMutablePointer<Onnx__GraphProto>) -> (inputs: [UnsafeMutablePointer<Onnx__ValueInfoProto>],
                                                                             outputs: [UnsafeMutablePointer<Onnx__ValueInfoProto>],
                                                                             annotations: [UnsafeMutablePointer<Onnx__ValueInfoProto>]) {
        let g = graph.pointee
        return ((0..<g.n_input).compactMap { g.input[$0] }, (0..<g.n_output).compactMap { g.output[$0] },
                (0..<g.n_value_info).compactMap { g.value_info[$0] })
    }

    /// A new `Cast` node (`to` = `type`) from `input` to `output`.
    static func makeCast(name: String, input: String, output: String, to type: DataType) throws -> UnsafeMutablePointer<Onnx__NodeProto> {
        let node = try mallocArray(Onnx__NodeProto.self, 1)
        onnx__node_proto__init(node)
        node.pointee.name = strdup(name)
        node.pointee.op_type = strdup("Cast")
        node.pointee.n_input = 1
        node.pointee.input = try mallocArray(UnsafeMutablePointer<CChar>?.self, 1)
        node.pointee.input[0] = strdup(input)
        node.pointee.n_output = 1
        node.pointee.output = try mallocArray(UnsafeMutablePointer<CChar>?.self, 1)
        node.pointee.output[0] = strdup(output)
        let attribute = try mallocArray(Onnx__AttributeProto.self, 1)
        onnx__attribute_proto__init(attribute)
        attribute.pointee.name = strdup("to")
        attribute.pointee.has_type = 1
        attribute.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
        attribute.pointee.has_i = 1
        attribute.pointee.i = Int64(type.rawValue)
        node.pointee.n_attribute = 1
        node.pointee.attribute = try mallocArray(UnsafeMutablePointer<Onnx__AttributeProto>?.self, 1)
        node.pointee.attribute[0] = attribute
        return node
    }

    /// Inserts nodes at the start (`prepend`) and at the end (`append`) of the graph's list,
    /// keeping it topologically ordered (input and weight Casts first, output Casts last).
    static func insert(_ graph: UnsafeMutablePointer<Onnx__GraphProto>, prepend: [UnsafeMutablePointer<Onnx__NodeProto>],
                       append: [UnsafeMutablePointer<Onnx__NodeProto>]) throws {
        guard !prepend.isEmpty || !append.isEmpty else { return }
        let old = graph.pointee.n_node
        let total = old + prepend.count + append.count
        let nodes = try mallocArray(UnsafeMutablePointer<Onnx__NodeProto>?.self, total)
        for (i, node) in prepend.enumerated() { nodes[i] = node }
        for i in 0..<old { nodes[prepend.count + i] = graph.pointee.node[i] }
        for (i, node) in append.enumerated() { nodes[prepend.count + old + i] = node }
        if let previous = graph.pointee.node { free(previous) }
        graph.pointee.node = nodes
        graph.pointee.n_node = total
    }

    /// Replaces a tensor's payload with `bytes` in raw_data (stored in the file) and sets its
    /// type; the typed fields and external-data entries are cleared.
    static func setRawData(_ t: UnsafeMutablePointer<Onnx__TensorProto>, _ bytes: [UInt8], type: DataType) throws {
        let buffer = try mallocArray(UInt8.self, bytes.count)
        clearPayload(t)
        t.pointee.has_data_type = 1
        t.pointee.data_type = type.rawValue
        bytes.withUnsafeBufferPointer { if let base = $0.baseAddress { buffer.update(from: base, count: bytes.count) } }
        t.pointee.has_raw_data = 1
        t.pointee.raw_data = ProtobufCBinaryData(len: bytes.count, data: buffer)
    }

    /// Points a tensor at `location`, `offset`, `length` in an external data file and sets its
    /// type (inline payloads cleared).
    static func setExternal(_ t: UnsafeMutablePointer<Onnx__TensorProto>, location: String, offset: Int, length: Int, type: DataType) throws {
        clearPayload(t)
        t.pointee.has_data_type = 1
        t.pointee.data_type = type.rawValue
        let entries: [(String, String)] = [("location", location), ("offset", String(offset)), ("length", String(length))]
        t.pointee.n_external_data = entries.count
        t.pointee.external_data = try mallocArray(UnsafeMutablePointer<Onnx__StringStringEntryProto>?.self, entries.count)
        for (i, (key, value)) in entries.enumerated() {
            let entry = try mallocArray(Onnx__StringStringEntryProto.self, 1)
            onnx__string_string_entry_proto__init(entry)
            entry.pointee.key = strdup(key)
            entry.pointee.value = strdup(value)
            t.pointee.external_data[i] = entry
        }
        t.pointee.has_data_location = 1
        t.pointee.data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL
    }

    private static func clearPayload(_ t: UnsafeMutablePointer<Onnx__TensorProto>) {
        if t.pointee.n_float_data > 0 { free(t.pointee.float_data) }
        t.pointee.n_float_data = 0; t.pointee.float_data = nil
        if t.pointee.n_int32_data > 0 { free(t.pointee.int32_data) }
        t.pointee.n_int32_data = 0; t.pointee.int32_data = nil
        if t.pointee.n_double_data > 0 { free(t.pointee.double_data) }
        t.pointee.n_double_data = 0; t.pointee.double_data = nil
        if t.pointee.has_raw_data != 0, let data = t.pointee.raw_data.data { free(data) }
        t.pointee.has_raw_data = 0
        t.pointee.raw_data = ProtobufCBinaryData(len: 0, data: nil)
        for i in 0..<t.pointee.n_external_data {
            if let entry = t.pointee.external_data[i] { onnx__string_string_entry_proto__free_unpacked(entry, nil) }
        }
        if t.pointee.n_external_data > 0 { free(t.pointee.external_data) }
        t.pointee.n_external_data = 0; t.pointee.external_data = nil
        t.pointee.has_data_location = 0
        t.pointee.data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__DEFAULT
    }

    /// `count` zeroed slots from `calloc` (freed by protobuf-c with `free`).
    static func mallocArray<T>(_ type: T.Type, _ count: Int) throws -> UnsafeMutablePointer<T> {
        guard let raw = calloc(max(count, 1), MemoryLayout<T>.stride) else {
            throw SEUError(.io, "out of memory while editing the model (\(count) × \(MemoryLayout<T>.stride) bytes)")
        }
        return raw.assumingMemoryBound(to: T.self)
    }
}
