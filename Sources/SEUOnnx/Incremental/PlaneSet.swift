/// A set of plane indices (see `PlaneKernel`) over `0..<capacity`: a bitset plus the list of
/// members, so that clearing costs the number of members, not the capacity.
struct PlaneSet {
    private var bits: [UInt64]
    /// Members in insertion order.
    private(set) var members: [Int] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        bits = [UInt64](repeating: 0, count: (capacity + 63) / 64)
    }

    var isEmpty: Bool { members.isEmpty }
    var count: Int { members.count }
    var isFull: Bool { members.count == capacity }

    @inline(__always)
    func contains(_ plane: Int) -> Bool { bits[plane >> 6] & (1 << UInt64(plane & 63)) != 0 }

    /// Inserts `plane`; returns true when it was not a member.
    @inline(__always) @discardableResult
    mutating func insert(_ plane: Int) -> Bool {
        let mask: UInt64 = 1 << UInt64(plane & 63)
        if bits[plane >> 6] & mask != 0 { return false }
        bits[plane >> 6] |= mask
        members.append(plane)
        return true
    }

    mutating func insertAll() {
        for plane in 0..<capacity { insert(plane) }
    }

    mutating func removeAll() {
        if members.count * 4 > bits.count {
            for i in bits.indices { bits[i] = 0 }
        } else {
            for plane in members { bits[plane >> 6] = 0 }
        }
        members.removeAll(keepingCapacity: true)
    }

    /// Members in ascending order.
    var sorted: [Int] { members.sorted() }
}
