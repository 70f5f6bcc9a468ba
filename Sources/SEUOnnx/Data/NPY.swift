import Foundation

/// NumPy `.npy` files (format versions 1–3): little-endian or single-byte dtypes, C order.
///
/// Read: float32/64, float16, int8/16/32/64, uint8/16/32/64, bool. Written: any tensor type
/// with a NumPy equivalent (bfloat16 is written as its raw uint16 patterns).
public enum NPY {
    public static func read(contentsOf url: URL) throws -> Tensor {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SEUError(.io, "cannot read: \(error.localizedDescription)", location: .init(file: url.path))
        }
        do {
            return try decode(data)
        } catch let error as SEUError {
            throw error.located(file: url.path)
        }
    }

    public static func read(path: String) throws -> Tensor { try read(contentsOf: URL(fileURLWithPath: path)) }

    public static func decode(_ data: Data) throws -> Tensor {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw SEUError(.invalidArray, "not a .npy file (bad magic)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else if major == 2 || major == 3 {
            guard bytes.count >= 12 else { throw SEUError(.invalidArray, "truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        } else {
            throw SEUError(.invalidArray, "unsupported .npy version \(major)")
        }
        guard data.count >= headerStart + headerLength else { throw SEUError(.invalidArray, "truncated .npy header") }
        let header = String(decoding: data[data.startIndex + headerStart ..< data.startIndex + headerStart + headerLength], as: UTF8.self)
        guard let descr = field("descr", in: header), let shapeText = tuple("shape", in: header) else {
            throw SEUError(.invalidArray, "malformed .npy header: \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        if let order = field("fortran_order", in: header), order == "True" {
            throw SEUError(.invalidArray, "Fortran-ordered arrays are not supported (save with np.ascontiguousarray)")
        }
        guard let dataType = dataType(forDescr: descr) else {
            throw SEUError(.invalidArray, "unsupported dtype '\(descr)' (use float32, float64, float16, int*, uint*, bool)")
        }
        var shape: [Int] = []
        for part in shapeText.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let dim = Int(trimmed.replacingOccurrences(of: "L", with: "")), dim >= 0 else {
                throw SEUError(.invalidArray, "malformed shape (\(shapeText))")
            }
            shape.append(dim)
        }
        let payload = headerStart + headerLength
        // Checked before allocating: the header's shape is whatever the file says.
        guard let needed = Tensor.checkedByteCount(shape, dataType), data.count - payload >= needed else {
            let size = Tensor.checkedByteCount(shape, dataType).map { "\($0) needed" } ?? "too large"
            throw SEUError(.invalidArray, "truncated .npy data: \(data.count - payload) bytes for shape \(shape) of \(dataType) (\(size))")
        }
        let tensor = Tensor(dataType: dataType, shape: shape)
        data.withUnsafeBytes { raw in
            if let base = raw.baseAddress, tensor.byteCount > 0 {
                tensor.storage.bytes.copyMemory(from: base + payload, byteCount: tensor.byteCount)
            }
        }
        return tensor
    }

    /// Serializes a tensor as a version-1 .npy file.
    public static func encode(_ tensor: Tensor) -> Data {
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(\(tensor.shape.map(String.init).joined(separator: ", ")))"
        var header = "{'descr': '\(descr(for: tensor.dataType))', 'fortran_order': False, 'shape': \(shape), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = header.utf8.count
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(bytes: tensor.storage.bytes, count: tensor.byteCount))
        return data
    }

    /// Writes atomically (temporary file, then rename).
    public static func write(_ tensor: Tensor, to url: URL) throws {
        do {
            try encode(tensor).write(to: url, options: .atomic)
        } catch {
            throw SEUError(.io, "cannot write: \(error.localizedDescription)", location: .init(file: url.path))
        }
    }

    static func dataType(forDescr descr: String) -> DataType? {
        var code = descr
        if let first = code.first, "<|=".contains(first) { code.removeFirst() }
        else if code.first == ">" && !code.hasSuffix("1") { return nil }
        else if code.first == ">" { code.removeFirst() }
        switch code {
        case "f4": return .float
        case "f8": return .double
        case "f2": return .float16
        case "i1": return .int8
        case "i2": return .int16
        case "i4": return .int32
        case "i8": return .int64
        case "u1": return .uint8
        case "u2": return .uint16
        case "u4": return .uint32
        case "u8": return .uint64
        case "b1": return .bool
        default: return nil
        }
    }

    static func descr(for type: DataType) -> String {
        switch type {
        case .float: return "<f4"
        case .double: return "<f8"
        case .float16: return "<f2"
        case .int8: return "|i1"
        case .int16: return "<i2"
        case .int32: return "<i4"
        case .int64: return "<i8"
        case .uint8: return "|u1"
        case .uint16, .bfloat16: return "<u2"
        case .uint32: return "<u4"
        case .uint64: return "<u8"
        case .bool: return "|b1"
        case .complex64: return "<c8"
        case .complex128: return "<c16"
        case .string: return "|O"
        }
    }

    private static func field(_ key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        let rest = header[range.upperBound...].drop(while: { $0 == " " })
        if rest.first == "'" {
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: "'") else { return nil }
            return String(body[..<end])
        }
        let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
        return rest[..<end].trimmingCharacters(in: .whitespaces)
    }

    private static func tuple(_ key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':"),
              let open = header[range.upperBound...].firstIndex(of: "("),
              let close = header[open...].firstIndex(of: ")") else { return nil }
        return String(header[header.index(after: open)..<close])
    }
}
