import CONNXProto
import CProtobufC
import Foundation

/// One bit flipped in an exported file: the site, the element's type and shape, where it is
/// stored, and the element's bit pattern before and after (for several flips of one element,
/// each flip sees the previous one's result).
public struct AppliedFlip: Equatable, Sendable {
    public let site: FaultSite
    public let dataType: DataType
    /// Shape of the tensor (to report row-major coordinates).
    public let shape: [Int]
    /// `raw_data`, `float_data`, `int32_data`, ... or `external LOCATION`.
    public let storage: String
    public let bitsBefore: UInt64
    public let bitsAfter: UInt64

    public var before: Double { BitLayout(dataType).value(of: bitsBefore) }
    public var after: Double { BitLayout(dataType).value(of: bitsAfter) }
    public var field: String { BitLayout(dataType).field(of: site.bit) }

    /// The element's row-major coordinates (`[i, j, k, l]` for a 4-D tensor).
    public var coordinates: [Int] {
        var rest = site.index
        var result = [Int](repeating: 0, count: shape.count)
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
            result[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return result
    }
}

/// Flips bits in the payloads of a decoded model (`ProtoModel`) and in copies of its external
/// data files, exactly where the element is stored:
///
/// - `raw_data`, and typed fields whose in-memory layout is the raw layout (`float_data` of
///   float/complex64, `double_data`, `int64_data`, `int32_data` of int32, `uint64_data` of
///   uint64): the same byte and mask as `Tensor.flipBit`, on little-endian storage. In the
///   file, raw_data, float_data and double_data are fixed-width, so exactly that bit changes;
///   the integer fields are varints, re-encoded with the new value.
/// - narrow types widened into `int32_data` (float16/bfloat16 patterns, int8/16, uint8/16,
///   bool) or uint32 in `uint64_data`: the narrow pattern is flipped and re-encoded the way the
///   file encoded it (sign- or zero-extended). These fields are varints, so the encoded length
///   can change; the value changes in exactly the flipped bit.
/// - external data: the byte in the copy of the data file, at offset + element byte.
///
/// It records the net XOR expected in each inline payload byte and data-file byte, so that
/// `FaultyModel` can check its outputs against them.
final class PayloadEditor {
    let proto: ProtoModel
    let baseDirectory: URL?
    /// Locations of the external data files in order of first reference.
    private(set) var locations: [String] = []
    /// The data files as read, and the copies that receive the flips.
    private(set) var originalData: [String: Data] = [:]
    private(set) var editedData: [String: [UInt8]] = [:]
    /// Net XOR mask per data-file byte, by location.
    private(set) var expectedDataMasks: [String: [Int: UInt8]] = [:]
    /// Net XOR mask per inline payload byte (keyed by the byte's address in the message).
    private var expectedInlineMasks: [UInt: UInt8] = [:]
    /// Sites applied to varint-encoded fields (the packed length may then differ, so these
    /// are checked on the decoded values instead of the bytes).
    private(set) var varintSites: [FaultSite] = []
    var editedVarints: Bool { !varintSites.isEmpty }

    private let initializers: [String: UnsafeMutablePointer<Onnx__TensorProto>]
    private let sparseNames: Set<String>
    /// Byte ranges of every external tensor, by location (to refuse flips in shared bytes).
    private var externalRanges: [String: [(name: String, range: Range<Int>)]] = [:]

    init(proto: ProtoModel, baseDirectory: URL?) throws {
        self.proto = proto
        self.baseDirectory = baseDirectory
        initializers = proto.initializers()
        sparseNames = proto.sparseInitializerNames()
        var ranges: [String: [(String, Range<Int>)]] = [:]
        try proto.forEachTensor { t in
            guard let reference = try ExternalReference(t.pointee) else { return }
            if originalData[reference.location] == nil { try load(reference.location) }
            let name = ONNXImporter.cString(t.pointee.name)
            if let bytes = Self.byteCount(t.pointee) {
                let (end, overflow) = reference.offset.addingReportingOverflow(bytes)
                guard !overflow else { throw SEUError(.invalidModel, "external data offset \(reference.offset) is out of range", location: .init(tensor: name)) }
                ranges[reference.location, default: []].append((name, reference.offset..<end))
            }
        }
        externalRanges = ranges.mapValues { $0.map { (name: $0.0, range: $0.1) } }
    }

    /// Net number of inline payload bits the edits changed.
    var expectedInlineBits: Int { expectedInlineMasks.values.reduce(0) { $0 + $1.nonzeroBitCount } }

    private func load(_ location: String) throws {
        guard let baseDirectory else {
            throw SEUError(.missingExternalData, "external data file '\(location)' cannot be located (model given as bytes without a folder)")
        }
        let url = try ExternalReference.url(of: location, base: baseDirectory)
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw SEUError(.missingExternalData, "cannot read external data file '\(url.path)': \(error.localizedDescription)")
        }
        locations.append(location)
        originalData[location] = data
        editedData[location] = [UInt8](data)
    }

    /// Flips one bit; throws `.invalidFault` for a site that does not exist in the file.
    func apply(_ site: FaultSite) throws -> AppliedFlip {
        guard let tensor = initializers[site.tensor] else {
            let why = sparseNames.contains(site.tensor) ? "'\(site.tensor)' is a sparse initializer, which export cannot edit"
                                                        : "no initializer named '\(site.tensor)'"
            throw SEUError(.invalidFault, why, location: .init(tensor: site.tensor))
        }
        let t = tensor.pointee
        guard t.has_data_type != 0, let dataType = DataType(rawValue: t.data_type), dataType != .string else {
            throw SEUError(.invalidFault, "the tensor's data type cannot be bit-flipped", location: .init(tensor: site.tensor))
        }
        let shape = (0..<t.n_dims).map { Int(t.dims[$0]) }
        guard let count = Self.elementCount(shape) else {
            throw SEUError(.invalidModel, "tensor of shape \(shape) has an invalid size", location: .init(tensor: site.tensor))
        }
        guard site.index >= 0 && site.index < count else {
            throw SEUError(.invalidFault, "element \(site.index) is out of range (tensor has \(count) elements)", location: .init(tensor: site.tensor))
        }
        guard site.bit >= 0 && site.bit < dataType.bitWidth else {
            throw SEUError(.invalidFault, "bit \(site.bit) is out of range for \(dataType) (0...\(dataType.bitWidth - 1), 0 = most significant)", location: .init(tensor: site.tensor))
        }
        let width = dataType.byteWidth
        let (byteInElement, mask) = BitLayout(dataType).location(of: site.bit)
        let edit: Edit
        do {
            edit = try flip(tensor, dataType: dataType, count: count, index: site.index,
                                                byte: site.index * width + byteInElement, mask: mask, bit: site.bit)
        } catch let error as SEUError {
            throw error.located(tensor: site.tensor)
        }
        if edit.varint { varintSites.append(site) }
        return AppliedFlip(site: site, dataType: dataType, shape: shape, storage: edit.storage, bitsBefore: edit.before, bitsAfter: edit.after)
    }

    /// The element's bits before and after one flip, where it is stored, and whether the field
    /// is varint-encoded.
    private struct Edit {
        var before: UInt64, after: UInt64
        var storage: String
        var varint = false
    }

    /// Flips byte `byte` (element byte offset) with `mask` in whichever field holds the data.
    private func flip(_ tensor: UnsafeMutablePointer<Onnx__TensorProto>, dataType: DataType, count: Int, index: Int,
                      byte: Int, mask: UInt8, bit: Int) throws -> Edit {
        let t = tensor.pointee
        let width = dataType.byteWidth
        let byteCount = count * width
        if let reference = try ExternalReference(t) {
            if let length = reference.length, length != byteCount {
                throw SEUError(.invalidModel, "external data length \(length) does not match the \(byteCount) bytes the shape needs")
            }
            guard var file = editedData[reference.location], reference.offset <= file.count - byteCount else {
                throw SEUError(.missingExternalData, "external data file '\(reference.location)' is too short for this tensor")
            }
            let offset = reference.offset + byte
            let name = ONNXImporter.cString(t.name)
            if let other = externalRanges[reference.location]?.first(where: { $0.name != name && $0.range.contains(offset) }) {
                throw SEUError(.invalidFault, "its bytes in '\(reference.location)' are shared with tensor '\(other.name)'; flipping them would change both")
            }
            editedData[reference.location] = nil  // unique reference: mutate without a copy
            let start = reference.offset + index * width
            let before = Self.bits(file, start, width)
            file[offset] ^= mask
            let after = Self.bits(file, start, width)
            editedData[reference.location] = file
            expectedDataMasks[reference.location, default: [:]][offset, default: 0] ^= mask
            return Edit(before: before, after: after, storage: "external \(reference.location)")
        }
        if t.has_raw_data != 0 {
            guard t.raw_data.len == byteCount, let data = t.raw_data.data else {
                throw SEUError(.invalidModel, "raw_data holds \(t.raw_data.len) bytes, the shape needs \(byteCount)")
            }
            return flipInline(UnsafeMutableRawPointer(data), byteCount, index: index, width: width, byte: byte, mask: mask, storage: "raw_data")
        }
        let complex = dataType == .complex64 || dataType == .complex128
        let expected = count * (complex ? 2 : 1)
        func check(_ n: Int, _ field: String, _ allowed: Bool) throws {
            guard allowed else { throw SEUError(.invalidModel, "\(field) cannot hold \(dataType) values") }
            guard n == expected else { throw SEUError(.invalidModel, "\(field) holds \(n) values, the shape needs \(expected)") }
        }
        if t.n_float_data > 0 {
            try check(t.n_float_data, "float_data", dataType == .float || dataType == .complex64)
            let bytes = try Self.bytes(t.float_data, "float_data")
            return flipInline(bytes, byteCount, index: index, width: width, byte: byte, mask: mask, storage: "float_data")
        }
        if t.n_int32_data > 0 {
            if dataType == .int32 {
                try check(t.n_int32_data, "int32_data", true)
                let bytes = try Self.bytes(t.int32_data, "int32_data")
                return flipInline(bytes, byteCount, index: index, width: width, byte: byte, mask: mask, storage: "int32_data", varint: true)
            }
            try check(t.n_int32_data, "int32_data", width <= 2)
            guard let values = t.int32_data else { throw SEUError(.invalidModel, "int32_data is missing") }
            let (before, after) = Self.flipWidened(&values[index], bits: width * 8, bit: bit, signed: dataType.isSignedInteger)
            return Edit(before: before, after: after, storage: "int32_data", varint: true)
        }
        if t.n_int64_data > 0 {
            try check(t.n_int64_data, "int64_data", dataType == .int64)
            let bytes = try Self.bytes(t.int64_data, "int64_data")
            return flipInline(bytes, byteCount, index: index, width: width, byte: byte, mask: mask, storage: "int64_data", varint: true)
        }
        if t.n_double_data > 0 {
            try check(t.n_double_data, "double_data", dataType == .double || dataType == .complex128)
            let bytes = try Self.bytes(t.double_data, "double_data")
            return flipInline(bytes, byteCount, index: index, width: width, byte: byte, mask: mask, storage: "double_data")
        }
        if t.n_uint64_data > 0 {
            try check(t.n_uint64_data, "uint64_data", dataType == .uint64 || dataType == .uint32)
            if dataType == .uint64 {
                let bytes = try Self.bytes(t.uint64_data, "uint64_data")
                return flipInline(bytes, byteCount, index: index, width: width, byte: byte, mask: mask, storage: "uint64_data", varint: true)
            }
            guard let values = t.uint64_data else { throw SEUError(.invalidModel, "uint64_data is missing") }
            let before = values[index] & 0xFFFF_FFFF
            values[index] ^= UInt64(1) << UInt64(31 - bit)
            return Edit(before: before, after: values[index] & 0xFFFF_FFFF, storage: "uint64_data", varint: true)
        }
        throw SEUError(.invalidModel, "the tensor has no data")
    }

    /// Flips a byte of a fixed-width payload in the message; returns the element's bits.
    private func flipInline(_ bytes: UnsafeMutableRawPointer, _ byteCount: Int, index: Int, width: Int,
                            byte: Int, mask: UInt8, storage: String, varint: Bool = false) -> Edit {
        func element() -> [UInt8] { (0..<width).map { bytes.load(fromByteOffset: index * width + $0, as: UInt8.self) } }
        let before = Self.bits(element(), 0, width)
        bytes.storeBytes(of: bytes.load(fromByteOffset: byte, as: UInt8.self) ^ mask, toByteOffset: byte, as: UInt8.self)
        let after = Self.bits(element(), 0, width)
        if !varint { expectedInlineMasks[UInt(bitPattern: bytes + byte), default: 0] ^= mask }
        return Edit(before: before, after: after, storage: storage, varint: varint)
    }

    /// Flips bit `bit` (from the MSB) of a `bits`-wide pattern stored widened in an int32.
    /// Keeps the file's extension: sign-extended when the old value was negative, or was
    /// ambiguous (a small non-negative value) in a signed type; zero-extended otherwise.
    static func flipWidened(_ value: inout Int32, bits: Int, bit: Int, signed: Bool) -> (UInt64, UInt64) {
        let low = UInt32((1 << bits) - 1)
        let old = value
        let before = UInt32(bitPattern: old) & low
        let after = before ^ (UInt32(1) << UInt32(bits - 1 - bit))
        let signExtended = old < 0 || (signed && old < Int32(1 << (bits - 1)))
        if signExtended {
            let shift = Int32(32 - bits)
            value = Int32(bitPattern: after << UInt32(shift)) >> shift
        } else {
            value = Int32(bitPattern: (UInt32(bitPattern: old) & ~low) | after)
        }
        return (UInt64(before), UInt64(after))
    }

    /// A typed field's values as the bytes they occupy in memory (the raw little-endian layout).
    private static func bytes<T>(_ values: UnsafeMutablePointer<T>?, _ field: String) throws -> UnsafeMutableRawPointer {
        guard let values else { throw SEUError(.invalidModel, "\(field) is missing") }
        return UnsafeMutableRawPointer(values)
    }

    /// Little-endian value of up to 8 bytes at `start`.
    static func bits(_ bytes: [UInt8], _ start: Int, _ width: Int) -> UInt64 {
        var value: UInt64 = 0
        for b in 0..<min(width, 8) { value |= UInt64(bytes[start + b]) << (8 * UInt64(b)) }
        return value
    }

    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, p < (1 << 40) else { return nil }
            count = p
        }
        return count
    }

    /// Bytes a tensor's data occupies (nil for an unknown type or invalid shape).
    static func byteCount(_ t: Onnx__TensorProto) -> Int? {
        guard t.has_data_type != 0, let type = DataType(rawValue: t.data_type), type != .string,
              let count = elementCount((0..<t.n_dims).map { Int(t.dims[$0]) }) else { return nil }
        return count * type.byteWidth
    }
}
