import CONNXProto
import Foundation

/// An ONNX file with bit flips applied to its stored weights: the exact model that a fault
/// produced, to evaluate in another runtime or to hand to someone.
///
/// The output differs from the source only in the flipped bits: the file is decoded with
/// protobuf-c and packed again (which reproduces ONNX files byte for byte; checked on every
/// file), and only the payload bits of the faulted elements change. External data files are
/// copied with the flipped bytes. Construction checks the result: for fixed-width payloads
/// (raw_data, float_data, double_data) the packed file has the source's length and differs in
/// exactly the expected number of bits; each data file differs in exactly the expected bytes
/// and masks; tensors in varint fields (int32_data, int64_data, uint64_data), whose encoded
/// length may change, decode to values that differ in exactly the flipped bits.
///
/// ```swift
/// let faulty = try model.applying([FaultSite(tensor: "conv1.weight", index: 67, bit: 1)])
/// try faulty.write(to: URL(fileURLWithPath: "faulty.onnx"))   // + faulty.onnx.json
/// ```
public final class FaultyModel {
    /// An external data file as it will be written: the flips applied to a copy.
    public struct DataFile {
        /// The location the source model uses (relative to its folder, or absolute).
        public let location: String
        public let sourceURL: URL?
        public let contents: Data
        /// Bits that differ from the source data file.
        public let changedBits: Int
    }

    public let sourceURL: URL?
    public let sourceBytes: Data
    /// Every flip in order, with the element's bits before and after.
    public let flips: [AppliedFlip]
    /// The external data files the model references, in order of first reference.
    public let dataFiles: [DataFile]
    /// Bits that differ between the source model file and `bytes`; nil when a varint-encoded
    /// field changed (int32_data, int64_data, uint64_data), whose encoded length may change.
    public let changedModelBits: Int?

    private let proto: ProtoModel

    /// Reads the model at `url` (and its external data) and flips `sites` in order.
    public convenience init(contentsOf url: URL, flipping sites: [FaultSite]) throws {
        let bytes: Data
        do { bytes = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw SEUError(.io, "cannot read: \(error.localizedDescription)", location: .init(file: url.path))
        }
        do {
            try self.init(bytes: bytes, baseDirectory: url.deletingLastPathComponent(), sourceURL: url, flipping: sites)
        } catch let error as SEUError {
            throw error.located(file: url.path)
        }
    }

    /// Flips `sites` in a serialized model. `baseDirectory` resolves external data locations.
    public init(bytes: Data, baseDirectory: URL?, sourceURL: URL? = nil, flipping sites: [FaultSite]) throws {
        self.sourceURL = sourceURL
        sourceBytes = bytes
        proto = try ProtoModel(bytes: bytes)
        let editor = try PayloadEditor(proto: proto, baseDirectory: baseDirectory)
        flips = try sites.map { try editor.apply($0) }

        let packed = proto.pack()
        if editor.editedVarints {
            try Self.checkVarintEdits(source: bytes, output: packed, sites: editor.varintSites)
            changedModelBits = nil
        } else {
            let changed = Self.differences(packed, bytes).values.reduce(0) { $0 + $1.nonzeroBitCount }
            guard packed.count == bytes.count, changed == editor.expectedInlineBits else {
                throw SEUError(.execution, "export check failed: the re-encoded model differs from the source in \(changed) bits (\(packed.count) vs \(bytes.count) bytes), expected \(editor.expectedInlineBits)")
            }
            changedModelBits = changed
        }
        var files: [DataFile] = []
        for location in editor.locations {
            guard let original = editor.originalData[location], let edited = editor.editedData[location] else { continue }
            let contents = Data(edited)
            let expected = (editor.expectedDataMasks[location] ?? [:]).filter { $0.value != 0 }
            let actual = Self.differences(contents, original)
            guard contents.count == original.count, actual == expected else {
                throw SEUError(.execution, "export check failed: data file '\(location)' differs in \(actual.count) bytes, expected \(expected.count)")
            }
            files.append(DataFile(location: location, sourceURL: try baseDirectory.map { try ExternalReference.url(of: location, base: $0) },
                                  contents: contents, changedBits: actual.values.reduce(0) { $0 + $1.nonzeroBitCount }))
        }
        dataFiles = files
    }

    /// The model file with the flips, external data locations as in the source (so it is
    /// valid next to `dataFiles` written under their original locations).
    public var bytes: Data { proto.pack() }

    /// The model file with each external data location replaced as `names` says
    /// (source location → new location); other locations are kept.
    public func bytes(renamingDataFiles names: [String: String]) -> Data {
        guard !names.isEmpty else { return bytes }
        var renamed: [(UnsafeMutablePointer<Onnx__TensorProto>, String)] = []
        proto.forEachTensor { t in
            guard let reference = try? ExternalReference(t.pointee), let new = names[reference.location] else { return }
            ExternalReference.rewrite(t, to: new)
            renamed.append((t, reference.location))
        }
        // Put the source locations back, so `bytes` and later renames start from the source.
        defer { for (t, location) in renamed { ExternalReference.rewrite(t, to: location) } }
        return proto.pack()
    }

    /// Total number of flipped bits that remain flipped (a bit flipped twice cancels).
    public var changedBits: Int { (changedModelBits ?? netInlineFlips) + dataFiles.reduce(0) { $0 + $1.changedBits } }

    private var netInlineFlips: Int {
        var counts: [FaultSite: Int] = [:]
        for flip in flips where !flip.storage.hasPrefix("external") { counts[flip.site, default: 0] += 1 }
        return counts.values.filter { $0 % 2 == 1 }.count
    }

    /// Varint fields cannot be compared byte for byte: decode the edited tensors from the source
    /// and from the output and check that they differ in exactly the bits flipped an odd number
    /// of times (decoding the output also proves it round-trips).
    static func checkVarintEdits(source: Data, output: Data, sites: [FaultSite]) throws {
        let sourceProto = try ProtoModel(bytes: source), outputProto = try ProtoModel(bytes: output)
        // The pointers live as long as the ProtoModels, which the last use below keeps alive.
        let before = sourceProto.initializers(), after = outputProto.initializers()
        var odd: [String: Set<FaultSite>] = [:]
        for site in sites { odd[site.tensor, default: []].formSymmetricDifference([site]) }
        let decoder = TensorDecoder(baseDirectory: nil)
        for (name, flipped) in odd {
            guard let a = before[name], let b = after[name] else {
                throw SEUError(.execution, "export check failed: tensor '\(name)' is missing from the output")
            }
            let (x, y) = (try decoder.decode(a.pointee).0, try decoder.decode(b.pointee).0)
            let changed = x.byteCount == y.byteCount
                ? differences(Data(bytes: x.storage.bytes, count: x.byteCount), Data(bytes: y.storage.bytes, count: y.byteCount)).values.reduce(0) { $0 + $1.nonzeroBitCount }
                : -1
            guard changed == flipped.count else {
                throw SEUError(.execution, "export check failed: tensor '\(name)' differs in \(changed) bits, expected \(flipped.count)")
            }
        }
        withExtendedLifetime((sourceProto, outputProto)) {}
    }

    /// Byte offsets where `a` and `b` differ, with the XOR of the two bytes (over the common
    /// length). Compares 4 KiB blocks with memcmp first, so equal stretches cost little.
    static func differences(_ a: Data, _ b: Data) -> [Int: UInt8] {
        var result: [Int: UInt8] = [:]
        a.withUnsafeBytes { ra in
            b.withUnsafeBytes { rb in
                guard let pa = ra.baseAddress, let pb = rb.baseAddress else { return }
                let n = min(ra.count, rb.count)
                var start = 0
                while start < n {
                    let length = min(4096, n - start)
                    if memcmp(pa + start, pb + start, length) != 0 {
                        for i in start..<(start + length) {
                            let x = ra[i] ^ rb[i]
                            if x != 0 { result[i] = x }
                        }
                    }
                    start += length
                }
            }
        }
        return result
    }
}
