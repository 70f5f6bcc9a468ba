import CONNXProto
import CProtobufC
import Foundation

/// A tensor read from a file holding one serialized `onnx.TensorProto` (the `.pb` files of
/// ONNX's backend test data), with the name stored in the proto ("" when absent).
public struct TensorFile {
    public var name: String
    public var tensor: Tensor
}

extension ONNXImporter {
    /// Decodes one serialized `TensorProto` (raw_data or typed fields, any layout the model
    /// importer accepts). External data is resolved relative to `baseDirectory` when given.
    /// Throws `.unsupportedDataType` for strings and types `DataType` lacks (float8, 4-bit),
    /// `.invalidModel` when the bytes are not a consistent TensorProto.
    public static func loadTensor(data: Data, baseDirectory: URL? = nil) throws -> Tensor {
        try loadTensorFile(data: data, baseDirectory: baseDirectory).tensor
    }

    /// Reads a `.pb` file holding one serialized `TensorProto`.
    public static func loadTensor(url: URL) throws -> Tensor {
        try loadTensorFile(url: url).tensor
    }

    /// Reads a `.pb` TensorProto file, keeping the tensor's stored name.
    public static func loadTensorFile(url: URL) throws -> TensorFile {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SEUError(.io, "cannot read: \(error.localizedDescription)", location: .init(file: url.path))
        }
        do {
            return try loadTensorFile(data: data, baseDirectory: url.deletingLastPathComponent())
        } catch let error as SEUError {
            throw error.located(file: url.path)
        }
    }

    /// Decodes one serialized `TensorProto`, keeping its stored name.
    public static func loadTensorFile(data: Data, baseDirectory: URL? = nil) throws -> TensorFile {
        // An empty message is a valid (empty) protobuf but not a tensor: it has no data type.
        let message: UnsafeMutablePointer<Onnx__TensorProto>? = data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return nil }
            return onnx__tensor_proto__unpack(nil, raw.count, base.assumingMemoryBound(to: UInt8.self))
        }
        guard let message else {
            throw SEUError(.invalidModel, "not a serialized TensorProto (empty, truncated or not protobuf)")
        }
        defer { onnx__tensor_proto__free_unpacked(message, nil) }
        let name = cString(message.pointee.name)
        do {
            let tensor = try TensorDecoder(baseDirectory: baseDirectory).decode(message.pointee).0
            return TensorFile(name: name, tensor: tensor)
        } catch let error as SEUError {
            throw name.isEmpty ? error : error.located(tensor: name)
        }
    }
}

extension TensorFile {
    /// The tensor as a serialized `TensorProto` (`raw_data`, little-endian; name set when not
    /// empty): the format of ONNX test data's `.pb` files. Strings cannot be written.
    public func serialized() throws -> Data {
        guard tensor.dataType != .string else {
            throw SEUError(.unsupportedDataType, "string tensors cannot be serialized")
        }
        var proto = Onnx__TensorProto()
        onnx__tensor_proto__init(&proto)
        proto.has_data_type = 1
        proto.data_type = tensor.dataType.rawValue
        proto.has_raw_data = 1
        var dims = tensor.shape.map { Int64($0) }
        return dims.withUnsafeMutableBufferPointer { dimBuffer in
            name.withCString { cName in
                proto.n_dims = dimBuffer.count
                proto.dims = dimBuffer.baseAddress
                // protobuf-c only reads these while packing; nothing is freed through them.
                proto.name = name.isEmpty ? nil : UnsafeMutablePointer(mutating: cName)
                proto.raw_data = ProtobufCBinaryData(len: tensor.byteCount,
                                                     data: tensor.storage.bytes.assumingMemoryBound(to: UInt8.self))
                let size = onnx__tensor_proto__get_packed_size(&proto)
                var bytes = [UInt8](repeating: 0, count: size)
                let written = bytes.withUnsafeMutableBufferPointer { onnx__tensor_proto__pack(&proto, $0.baseAddress) }
                return Data(bytes.prefix(written))
            }
        }
    }
}
