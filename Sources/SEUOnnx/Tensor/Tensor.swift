/// An n-dimensional array: element type, shape and shared storage.
///
/// Conventions: row-major (C order, the last axis varies fastest); images are NCHW; elements
/// are stored in ONNX's raw little-endian layout, so float16 and bfloat16 tensors hold their
/// 16-bit patterns. A rank-0 tensor (`shape == []`) holds one element.
public struct Tensor: @unchecked Sendable, CustomStringConvertible {
    public let dataType: DataType
    public let shape: [Int]
    public let storage: TensorStorage
    /// Number of elements (product of the shape).
    public let count: Int

    /// A zero-filled tensor.
    public init(dataType: DataType, shape: [Int]) {
        self.dataType = dataType
        self.shape = shape
        self.count = Tensor.elementCount(shape)
        self.storage = TensorStorage(byteCount: count * dataType.byteWidth)
    }

    /// A tensor over existing storage (which must hold at least `count * byteWidth` bytes).
    public init(dataType: DataType, shape: [Int], storage: TensorStorage) {
        self.dataType = dataType
        self.shape = shape
        self.count = Tensor.elementCount(shape)
        precondition(storage.byteCount >= count * dataType.byteWidth, "storage too small for shape")
        self.storage = storage
    }

    /// A tensor holding `elements` (row-major); `elements.count` must equal the shape's product.
    public init<T: TensorElement>(shape: [Int], elements: [T]) {
        precondition(Tensor.elementCount(shape) == elements.count, "element count does not match shape")
        self.init(dataType: T.dataType, shape: shape)
        let destination = storage.bytes.bindMemory(to: T.self, capacity: max(count, 1))
        elements.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { destination.update(from: base, count: count) }
        }
    }

    /// A float32 tensor.
    public init(shape: [Int], floats: [Float]) { self.init(shape: shape, elements: floats) }

    /// A rank-0 tensor.
    public init<T: TensorElement>(scalar: T) { self.init(shape: [], elements: [scalar]) }

    public static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Bytes a tensor of `shape` and `dataType` needs, or nil when that overflows `Int` (shapes
    /// read from files are checked with this before anything is allocated).
    public static func checkedByteCount(_ shape: [Int], _ dataType: DataType) -> Int? {
        var total = dataType.byteWidth
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            if overflow { return nil }
            total = product
        }
        return total
    }

    public var rank: Int { shape.count }
    public var byteCount: Int { count * dataType.byteWidth }

    /// Typed pointer to the elements. The caller guarantees `T` matches `dataType`.
    @inline(__always)
    public func pointer<T>(as type: T.Type) -> UnsafeMutablePointer<T> {
        storage.bytes.assumingMemoryBound(to: T.self)
    }

    /// Pointer to float32 elements (`dataType == .float`).
    @inline(__always)
    public var floats: UnsafeMutablePointer<Float> { storage.bytes.assumingMemoryBound(to: Float.self) }

    /// The elements copied into an array. `T` must match `dataType`.
    public func elements<T: TensorElement>(as type: T.Type) -> [T] {
        precondition(T.dataType == dataType, "elements(as: \(T.self)) on a \(dataType) tensor")
        return Array(UnsafeBufferPointer(start: pointer(as: T.self), count: count))
    }

    /// The same storage viewed with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(Tensor.elementCount(newShape) == count, "reshape changes the element count")
        return Tensor(dataType: dataType, shape: newShape, storage: storage)
    }

    /// A deep copy with its own storage.
    public func copy() -> Tensor {
        let result = Tensor(dataType: dataType, shape: shape)
        result.storage.bytes.copyMemory(from: storage.bytes, byteCount: byteCount)
        return result
    }

    /// Copies the elements of `other` (same type and element count) into this tensor's storage.
    public func assign(from other: Tensor) {
        precondition(other.dataType == dataType && other.count == count, "assign between mismatched tensors")
        if other.storage !== storage { storage.bytes.copyMemory(from: other.storage.bytes, byteCount: byteCount) }
    }

    /// True when both tensors have the same type, shape and bytes.
    public func isBitIdentical(to other: Tensor) -> Bool {
        dataType == other.dataType && shape == other.shape
            && memcmp(storage.bytes, other.storage.bytes, byteCount) == 0
    }

    public var description: String { "Tensor<\(dataType)>\(shape)" }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
