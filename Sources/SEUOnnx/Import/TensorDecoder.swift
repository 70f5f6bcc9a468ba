import CONNXProto
import CProtobufC
import Foundation

/// Decodes `TensorProto` payloads — `raw_data`, the typed repeated fields, or external data
/// files — into tensors in the stored bit layout (float16/bfloat16 keep their 16-bit patterns).
final class TensorDecoder {
    let baseDirectory: URL?
    /// Memory-mapped external data files, by location.
    private var externalFiles: [String: Data] = [:]

    init(baseDirectory: URL?) {
        self.baseDirectory = baseDirectory
    }

    func decode(_ t: Onnx__TensorProto) throws -> (Tensor, TensorSource) {
        guard t.has_data_type != 0, let dataType = DataType(rawValue: t.data_type) else {
            throw SEUError(.unsupportedDataType, "tensor data type \(t.has_data_type != 0 ? String(t.data_type) : "missing") is not supported")
        }
        guard dataType != .string else {
            throw SEUError(.unsupportedDataType, "string tensors are not supported")
        }
        if t.segment != nil { throw SEUError(.unsupportedDataType, "segmented tensors are not supported") }
        var shape: [Int] = []
        for i in 0..<t.n_dims {
            let d = t.dims[i]
            guard d >= 0 else { throw SEUError(.invalidModel, "negative dimension \(d)") }
            shape.append(Int(d))
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        guard !overflow, count < (1 << 40) else { throw SEUError(.invalidModel, "tensor of shape \(shape) is too large") }
        let width = dataType.byteWidth
        let byteCount = count * width
        // The tensor is allocated only once the payload is known to hold `byteCount` bytes:
        // a corrupt shape (say [2^39] with no data) must be an error, not a failed allocation.

        if t.has_data_location != 0 && t.data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL {
            return try readExternal(t, dataType: dataType, shape: shape, byteCount: byteCount)
        }
        if t.has_raw_data != 0 {
            guard t.raw_data.len == byteCount else {
                throw SEUError(.invalidModel, "raw_data holds \(t.raw_data.len) bytes, shape \(shape) of \(dataType) needs \(byteCount)")
            }
            let tensor = Tensor(dataType: dataType, shape: shape)
            if byteCount > 0, let data = t.raw_data.data { tensor.storage.bytes.copyMemory(from: data, byteCount: byteCount) }
            return (tensor, .rawData)
        }
        let components = (dataType == .complex64 || dataType == .complex128) ? 2 : 1
        let expected = count * components
        func check(_ n: Int, _ field: String) throws {
            guard n == expected else {
                throw SEUError(.invalidModel, "\(field) holds \(n) values, shape \(shape) needs \(expected)")
            }
        }
        // Every typed branch below checks the value count before allocating.
        var allocated: Tensor?
        var tensor: Tensor {
            if let allocated { return allocated }
            let made = Tensor(dataType: dataType, shape: shape)
            allocated = made
            return made
        }
        if t.n_float_data > 0 {
            try check(t.n_float_data, "float_data")
            guard dataType == .float || dataType == .complex64 else { throw wrongField("float_data", dataType) }
            tensor.storage.bytes.copyMemory(from: t.float_data, byteCount: byteCount)
            return (tensor, .typedField("float_data"))
        }
        if t.n_int32_data > 0 {
            try check(t.n_int32_data, "int32_data")
            let values = UnsafeBufferPointer(start: t.int32_data, count: t.n_int32_data)
            switch width {
            case 1:
                let out = tensor.pointer(as: UInt8.self)
                for i in 0..<count { out[i] = UInt8(truncatingIfNeeded: values[i]) }
            case 2:
                let out = tensor.pointer(as: UInt16.self)
                for i in 0..<count { out[i] = UInt16(truncatingIfNeeded: values[i]) }
            case 4 where dataType == .int32:
                tensor.storage.bytes.copyMemory(from: t.int32_data, byteCount: byteCount)
            default:
                throw wrongField("int32_data", dataType)
            }
            return (tensor, .typedField("int32_data"))
        }
        if t.n_int64_data > 0 {
            try check(t.n_int64_data, "int64_data")
            guard dataType == .int64 else { throw wrongField("int64_data", dataType) }
            tensor.storage.bytes.copyMemory(from: t.int64_data, byteCount: byteCount)
            return (tensor, .typedField("int64_data"))
        }
        if t.n_double_data > 0 {
            try check(t.n_double_data, "double_data")
            guard dataType == .double || dataType == .complex128 else { throw wrongField("double_data", dataType) }
            tensor.storage.bytes.copyMemory(from: t.double_data, byteCount: byteCount)
            return (tensor, .typedField("double_data"))
        }
        if t.n_uint64_data > 0 {
            try check(t.n_uint64_data, "uint64_data")
            switch dataType {
            case .uint64: tensor.storage.bytes.copyMemory(from: t.uint64_data, byteCount: byteCount)
            case .uint32:
                let out = tensor.pointer(as: UInt32.self)
                for i in 0..<count { out[i] = UInt32(truncatingIfNeeded: t.uint64_data[i]) }
            default: throw wrongField("uint64_data", dataType)
            }
            return (tensor, .typedField("uint64_data"))
        }
        guard count == 0 else {
            throw SEUError(.invalidModel, "no data for a tensor of shape \(shape)")
        }
        return (Tensor(dataType: dataType, shape: shape), .empty)
    }

    /// A sparse tensor (values at flat or coordinate indices) made dense.
    func decodeSparse(_ s: Onnx__SparseTensorProto) throws -> Tensor {
        guard let valuesProto = s.values, let indicesProto = s.indices else {
            throw SEUError(.invalidModel, "sparse tensor without values or indices")
        }
        let values = try decode(valuesProto.pointee).0
        let indices = try decode(indicesProto.pointee).0
        var shape: [Int] = []
        var denseCount = 1
        for i in 0..<s.n_dims {
            let d = s.dims[i]
            let (product, overflow) = denseCount.multipliedReportingOverflow(by: Int(d))
            guard d >= 0, !overflow, product < (1 << 40) else {
                throw SEUError(.invalidModel, "sparse tensor has an invalid or too large shape")
            }
            shape.append(Int(d))
            denseCount = product
        }
        // Indices are either flat ([NNZ]) or coordinates ([NNZ, rank]).
        let n = values.count
        let flatIndices = indices.rank == 1 && indices.count == n
        guard indices.dataType.isInteger,
              flatIndices || (indices.rank == 2 && indices.count == n * shape.count) else {
            throw SEUError(.invalidModel, "sparse tensor indices of shape \(indices.shape) do not match \(n) values of a rank-\(shape.count) tensor")
        }
        let dense = Tensor(dataType: values.dataType, shape: shape)
        let width = values.dataType.byteWidth
        let strides = Self.strides(shape)
        for k in 0..<n {
            var flat = 0
            if flatIndices {
                flat = Int(indices.int64Value(at: k))
            } else {
                for axis in 0..<shape.count {
                    let index = Int(indices.int64Value(at: k * shape.count + axis))
                    guard index >= 0 && index < shape[axis] else { throw SEUError(.invalidModel, "sparse index \(index) out of range") }
                    flat += index * strides[axis]
                }
            }
            guard flat >= 0 && flat < dense.count else { throw SEUError(.invalidModel, "sparse index \(flat) out of range") }
            (dense.storage.bytes + flat * width).copyMemory(from: values.storage.bytes + k * width, byteCount: width)
        }
        return dense
    }

    private func readExternal(_ t: Onnx__TensorProto, dataType: DataType, shape: [Int],
                              byteCount: Int) throws -> (Tensor, TensorSource) {
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
        if let length, length != byteCount {
            throw SEUError(.invalidModel, "external data length \(length) does not match the \(byteCount) bytes the shape needs")
        }
        let data = try externalFile(location)
        let (end, overflow) = offset.addingReportingOverflow(byteCount)
        guard !overflow, end <= data.count else {
            throw SEUError(.missingExternalData,
                           "external data file '\(location)' has \(data.count) bytes, tensor needs \(byteCount) bytes from offset \(offset)")
        }
        let tensor = Tensor(dataType: dataType, shape: shape)
        if byteCount > 0 {
            data.withUnsafeBytes { raw in
                if let base = raw.baseAddress {
                    tensor.storage.bytes.copyMemory(from: base + offset, byteCount: byteCount)
                }
            }
        }
        return (tensor, .external(location: location, offset: offset, length: byteCount))
    }

    private func externalFile(_ location: String) throws -> Data {
        if let cached = externalFiles[location] { return cached }
        guard let baseDirectory else {
            throw SEUError(.missingExternalData, "external data file '\(location)' cannot be located (model loaded from memory)")
        }
        let url = try ExternalReference.url(of: location, base: baseDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw SEUError(.missingExternalData, "external data file '\(location)' not found next to the model (\(url.path))")
        }
        guard !isDirectory.boolValue else {
            throw SEUError(.missingExternalData, "external data '\(location)' is a folder, not a file (\(url.path))")
        }
        do {
            let data = try Data(contentsOf: url, options: .alwaysMapped)
            externalFiles[location] = data
            return data
        } catch {
            throw SEUError(.missingExternalData, "cannot read external data file '\(url.path)': \(error.localizedDescription)")
        }
    }

    private func wrongField(_ field: String, _ type: DataType) -> SEUError {
        SEUError(.invalidModel, "\(field) cannot hold \(type) values")
    }

    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = acc
            acc *= shape[axis]
        }
        return strides
    }
}
