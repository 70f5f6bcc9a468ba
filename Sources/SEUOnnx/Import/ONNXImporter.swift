import CONNXProto
import CProtobufC
import Foundation

/// Reads ONNX files through the protobuf-c bindings generated from Debian's onnx.proto and
/// converts them into the Swift IR (`Model`, `Graph`, `Node`, `Tensor`).
///
/// Everything is copied out of the C message, which is freed before returning. Fields the
/// schema does not know (newer ONNX additions such as node `metadata_props`) are not needed
/// here; the exporter re-reads the original file, so they survive a round trip.
public enum ONNXImporter {
    /// Loads the model at `url`; external data is resolved relative to its folder.
    public static func load(url: URL) throws -> Model {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SEUError(.io, "no such file", location: .init(file: path))
        }
        guard !isDirectory.boolValue else {
            throw SEUError(.io, "is a directory, not an ONNX file", location: .init(file: path))
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SEUError(.io, "cannot read: \(error.localizedDescription)", location: .init(file: path))
        }
        do {
            return try load(data: data, baseDirectory: url.deletingLastPathComponent(), url: url)
        } catch let error as SEUError {
            throw error.located(file: path)
        }
    }

    /// Decodes a serialized ModelProto. `baseDirectory` resolves external data locations.
    public static func load(data: Data, baseDirectory: URL?, url: URL? = nil) throws -> Model {
        let message = try ModelMessage.unpack(data)
        defer { onnx__model_proto__free_unpacked(message, nil) }
        let proto = message.pointee
        guard let graphProto = proto.graph else {
            throw SEUError(.invalidModel, "not an ONNX model: it has no graph")
        }
        var opsets: [String: Int] = [:]
        for i in 0..<proto.n_opset_import {
            guard let entry = proto.opset_import[i]?.pointee else { continue }
            opsets[normalizedDomain(cString(entry.domain))] = entry.has_version != 0 ? Int(entry.version) : 1
        }
        if opsets.isEmpty {
            // Required since IR 3; its absence usually means the file was cut after the graph.
            guard proto.has_ir_version == 0 || proto.ir_version < 3 else {
                throw SEUError(.invalidModel, "no opset_import (the file may be truncated)")
            }
            opsets[""] = 1
        }
        guard proto.has_ir_version != 0 || graphProto.pointee.n_node > 0 else {
            throw SEUError(.invalidModel, "not an ONNX model: no ir_version and no nodes")
        }
        let decoder = TensorDecoder(baseDirectory: baseDirectory)
        let graph = try convertGraph(graphProto.pointee, decoder: decoder)
        var functions: [Function] = []
        for i in 0..<proto.n_functions {
            guard let f = proto.functions[i]?.pointee else { continue }
            functions.append(try convertFunction(f, decoder: decoder))
        }
        var metadata: [(key: String, value: String)] = []
        for i in 0..<proto.n_metadata_props {
            guard let entry = proto.metadata_props[i]?.pointee else { continue }
            metadata.append((cString(entry.key), cString(entry.value)))
        }
        return Model(irVersion: proto.has_ir_version != 0 ? Int(proto.ir_version) : 0,
                     opsetImports: opsets,
                     producerName: cString(proto.producer_name),
                     producerVersion: cString(proto.producer_version),
                     domain: cString(proto.domain),
                     modelVersion: proto.has_model_version != 0 ? Int(proto.model_version) : 0,
                     docString: cString(proto.doc_string),
                     metadata: metadata, graph: graph, functions: functions, url: url)
    }

    // MARK: Graph

    static func convertGraph(_ g: Onnx__GraphProto, decoder: TensorDecoder) throws -> Graph {
        var initializers: [(String, Tensor)] = []
        var sources: [String: TensorSource] = [:]
        for i in 0..<g.n_initializer {
            guard let t = g.initializer[i] else { continue }
            let name = cString(t.pointee.name)
            do {
                let (tensor, source) = try decoder.decode(t.pointee)
                initializers.append((name, tensor))
                sources[name] = source
            } catch let error as SEUError {
                throw error.located(tensor: name)
            }
        }
        for i in 0..<g.n_sparse_initializer {
            guard let s = g.sparse_initializer[i]?.pointee, let values = s.values else { continue }
            let name = cString(values.pointee.name)
            do {
                initializers.append((name, try decoder.decodeSparse(s)))
            } catch let error as SEUError {
                throw error.located(tensor: name)
            }
        }
        var nodes: [Node] = []
        nodes.reserveCapacity(g.n_node)
        for i in 0..<g.n_node {
            guard let n = g.node[i]?.pointee else { continue }
            nodes.append(try convertNode(n, index: i, decoder: decoder))
        }
        return Graph(name: cString(g.name), nodes: nodes,
                     inputs: valueInfos(g.input, g.n_input), outputs: valueInfos(g.output, g.n_output),
                     valueInfo: valueInfos(g.value_info, g.n_value_info),
                     initializers: initializers, sources: sources)
    }

    static func convertNode(_ n: Onnx__NodeProto, index: Int, decoder: TensorDecoder) throws -> Node {
        let opType = cString(n.op_type)
        var name = cString(n.name)
        if name.isEmpty { name = "\(opType)_\(index)" }
        var attributes: [String: AttributeValue] = [:]
        for i in 0..<n.n_attribute {
            guard let a = n.attribute[i]?.pointee else { continue }
            let attributeName = cString(a.name)
            do {
                attributes[attributeName] = try convertAttribute(a, decoder: decoder)
            } catch let error as SEUError {
                throw error.located(node: name, opType: opType, attribute: attributeName)
            }
        }
        return Node(name: name, opType: opType, domain: normalizedDomain(cString(n.domain)),
                    inputs: strings(n.input, n.n_input), outputs: strings(n.output, n.n_output),
                    attributes: attributes)
    }

    static func convertFunction(_ f: Onnx__FunctionProto, decoder: TensorDecoder) throws -> Function {
        var nodes: [Node] = []
        for i in 0..<f.n_node {
            guard let n = f.node[i]?.pointee else { continue }
            nodes.append(try convertNode(n, index: i, decoder: decoder))
        }
        var opsets: [String: Int] = [:]
        for i in 0..<f.n_opset_import {
            guard let entry = f.opset_import[i]?.pointee else { continue }
            opsets[normalizedDomain(cString(entry.domain))] = entry.has_version != 0 ? Int(entry.version) : 1
        }
        return Function(name: cString(f.name), domain: normalizedDomain(cString(f.domain)),
                        inputs: strings(f.input, f.n_input), outputs: strings(f.output, f.n_output),
                        attributeNames: strings(f.attribute, f.n_attribute), nodes: nodes,
                        opsetImports: opsets)
    }

    static func convertAttribute(_ a: Onnx__AttributeProto, decoder: TensorDecoder) throws -> AttributeValue {
        let refName = cString(a.ref_attr_name)
        if !refName.isEmpty { return .reference(refName) }
        var type = a.has_type != 0 ? a.type : ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED
        if type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED {
            // IR < 4 files may omit `type`: infer it from the populated field.
            if a.has_f != 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT }
            else if a.has_i != 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT }
            else if a.has_s != 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING }
            else if a.t != nil { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR }
            else if a.g != nil { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH }
            else if a.n_floats > 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS }
            else if a.n_ints > 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS }
            else if a.n_strings > 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS }
        }
        switch type {
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: return .float(a.f)
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: return .int(Int(a.i))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: return .string(bytesString(a.s))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
            guard let t = a.t else { throw SEUError(.invalidModel, "tensor attribute without a tensor") }
            return .tensor(try decoder.decode(t.pointee).0)
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR:
            guard let s = a.sparse_tensor else { return .unsupported("sparse_tensor") }
            return .tensor(try decoder.decodeSparse(s.pointee))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH:
            guard let g = a.g else { throw SEUError(.invalidModel, "graph attribute without a graph") }
            return .graph(try convertGraph(g.pointee, decoder: decoder))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
            return .floats(Array(UnsafeBufferPointer(start: a.floats, count: a.n_floats)))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
            return .ints(UnsafeBufferPointer(start: a.ints, count: a.n_ints).map { Int($0) })
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS:
            return .strings(UnsafeBufferPointer(start: a.strings, count: a.n_strings).map(bytesString))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS:
            var tensors: [Tensor] = []
            for i in 0..<a.n_tensors {
                if let t = a.tensors[i] { tensors.append(try decoder.decode(t.pointee).0) }
            }
            return .tensors(tensors)
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS:
            var graphs: [Graph] = []
            for i in 0..<a.n_graphs {
                if let g = a.graphs[i] { graphs.append(try convertGraph(g.pointee, decoder: decoder)) }
            }
            return .graphs(graphs)
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTO: return .unsupported("type_proto")
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTOS: return .unsupported("type_protos")
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSORS: return .unsupported("sparse_tensors")
        default: return .unsupported("undefined")
        }
    }

    // MARK: Value infos

    static func valueInfos(_ list: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__ValueInfoProto>?>?,
                           _ count: Int) -> [ValueInfo] {
        guard let list else { return [] }
        return (0..<count).compactMap { i in
            guard let v = list[i]?.pointee else { return nil }
            return ValueInfo(name: cString(v.name), type: v.type.flatMap { tensorType($0.pointee) },
                             docString: cString(v.doc_string))
        }
    }

    static func tensorType(_ t: Onnx__TypeProto) -> TensorType? {
        guard t.value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE, let tensor = t.tensor_type?.pointee else {
            return nil
        }
        let dataType = tensor.has_elem_type != 0 ? DataType(rawValue: tensor.elem_type) : nil
        guard let shapeProto = tensor.shape?.pointee else { return TensorType(dataType: dataType, shape: nil) }
        var dims: [Dimension] = []
        for i in 0..<shapeProto.n_dim {
            guard let d = shapeProto.dim[i]?.pointee else { dims.append(.unknown); continue }
            switch d.value_case {
            case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE: dims.append(.fixed(Int(d.dim_value)))
            case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM:
                let name = cString(d.dim_param)
                dims.append(name.isEmpty ? .unknown : .symbolic(name))
            default: dims.append(.unknown)
            }
        }
        return TensorType(dataType: dataType, shape: dims)
    }

    // MARK: C helpers

    static func cString(_ p: UnsafeMutablePointer<CChar>?) -> String {
        p.map { String(cString: $0) } ?? ""
    }

    static func strings(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int) -> [String] {
        guard let list else { return [] }
        return (0..<count).map { cString(list[$0]) }
    }

    static func bytesString(_ b: ProtobufCBinaryData) -> String {
        guard let data = b.data, b.len > 0 else { return "" }
        return String(decoding: UnsafeBufferPointer(start: data, count: b.len), as: UTF8.self)
    }

    static func normalizedDomain(_ domain: String) -> String { domain == "ai.onnx" ? "" : domain }
}
