/// Reference-counted raw memory for tensor elements: 64-byte aligned (cache lines, AVX-512),
/// zero-initialised, freed when the last tensor using it goes away.
///
/// Elements are stored in ONNX's raw layout: little-endian, row-major (C order), fixed width.
/// Several `Tensor` values may share one storage (reshapes, the initializers a plan reads);
/// writing through one is seen by all, which is how a bit flip in an initializer reaches the
/// executor without copying.
public final class TensorStorage: @unchecked Sendable {
    public let bytes: UnsafeMutableRawPointer
    public let byteCount: Int

    public init(byteCount: Int) {
        self.byteCount = byteCount
        // Allocate at least one byte so that empty tensors still have a valid pointer.
        bytes = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
    }

    public convenience init(copying source: UnsafeRawBufferPointer) {
        self.init(byteCount: source.count)
        if let base = source.baseAddress, source.count > 0 {
            bytes.copyMemory(from: base, byteCount: source.count)
        }
    }

    deinit { bytes.deallocate() }
}
