import Foundation

/// A data-movement plan where every output axis reads the source through its own table:
/// output element (i0, i1, ...) comes from source element offset `tables[0][i0] + tables[1][i1]
/// + ...`, and a table entry of `AxisMap.fill` means "outside the source: write the fill value".
///
/// One mechanism covers Transpose (tables are strides of the permuted axes), Slice (start +
/// k·step), Expand (0 on broadcast axes), Tile (i mod d) and Pad (edge/reflect/wrap index
/// mappings, `fill` for constant padding). Offsets count elements, not bytes, so the same plan
/// moves any element type: kernels copy bytes and never interpret them.
struct AxisMap {
    /// Table entry for "no source element" (constant padding).
    static let fill = -1

    var outputShape: [Int]
    /// One table per output axis, `tables[a].count == outputShape[a]`; entries are source
    /// element offsets (coordinate × source stride) or `fill`.
    var tables: [[Int]]

    /// Row-major strides (in elements) of a shape.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = acc
            acc *= shape[axis]
        }
        return strides
    }

    /// Merges neighbouring axes that together read one contiguous, increasing run (e.g. the
    /// untouched trailing axes of a Slice) and folds away length-1 axes, so the innermost copy
    /// is as long as possible.
    func coalesced() -> AxisMap {
        guard outputShape.count > 1, !outputShape.contains(0) else { return self }
        var tables: [[Int]] = []
        for table in self.tables {
            tables.append(table)
            // Merging two axes can make the result mergeable with the axis before: repeat.
            while tables.count >= 2, let merged = Self.merge(tables[tables.count - 2], tables[tables.count - 1]) {
                tables.removeLast(2)
                tables.append(merged)
            }
        }
        return AxisMap(outputShape: tables.map(\.count), tables: tables)
    }

    /// One table equivalent to an outer axis followed by an inner one, when there is one.
    private static func merge(_ outer: [Int], _ inner: [Int]) -> [Int]? {
        if outer.count == 1, outer[0] != fill {
            // A single outer position only shifts the inner table.
            return inner.map { $0 == fill ? fill : $0 + outer[0] }
        }
        if inner.count == 1, inner[0] != fill {
            return outer.map { $0 == fill ? fill : $0 + inner[0] }
        }
        if uniformStep(inner) == 1, uniformStep(outer) == inner.count {
            // outer[i] = o0 + i·n, inner[j] = i0 + j  →  merged[k] = o0 + i0 + k.
            let start = outer[0] + inner[0]
            return Array(start..<(start + outer.count * inner.count))
        }
        return nil
    }

    /// The common difference of a table of at least two entries with no fill entries, or nil.
    private static func uniformStep(_ table: [Int]) -> Int? {
        guard table.count >= 2, table[0] != fill else { return nil }
        let step = table[1] - table[0]
        for i in 1..<table.count where table[i] == fill || table[i] - table[i - 1] != step { return nil }
        return step
    }
}

/// Runs an `AxisMap`: input 0 is the source, output 0 the destination (any element type).
/// The fill value is a byte pattern of one element, fixed at build time, or read from input
/// `fillInput` at run time (Pad's constant_value may be a weight a fault campaign flips).
final class AxisMapKernel: Kernel {
    private let map: AxisMap
    private let width: Int
    private let fillInput: Int?
    private var fillBytes: [UInt8]
    /// Innermost axis as runs (output start, source offset or fill, length), used when runs
    /// are long enough for memcpy to pay off.
    private let runs: [(out: Int, source: Int, length: Int)]
    private let useRuns: Bool

    init(map: AxisMap, dataType: DataType, fill: [UInt8]? = nil, fillInput: Int? = nil) {
        self.map = map.coalesced()
        width = dataType.byteWidth
        self.fillInput = fillInput
        fillBytes = fill ?? [UInt8](repeating: 0, count: dataType.byteWidth)
        var runs: [(out: Int, source: Int, length: Int)] = []
        if let inner = self.map.tables.last {
            for (i, source) in inner.enumerated() {
                if let last = runs.last, last.out + last.length == i,
                   (source == AxisMap.fill ? last.source == AxisMap.fill
                                           : last.source != AxisMap.fill && last.source + last.length == source) {
                    runs[runs.count - 1].length += 1
                } else {
                    runs.append((i, source, 1))
                }
            }
            useRuns = runs.count * 4 <= inner.count
        } else {
            useRuns = false
        }
        self.runs = runs
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let out = outputs[0]
        if let index = fillInput, index < inputs.count, let value = inputs[index], value.count > 0 {
            guard value.dataType == out.dataType else {
                throw SEUError(.execution, "fill value of type \(value.dataType) for a \(out.dataType) tensor")
            }
            fillBytes.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: value.storage.bytes, count: width)) }
        }
        guard out.count > 0 else { return }
        let source = UnsafeRawPointer(x.storage.bytes), destination = out.storage.bytes
        let rank = map.outputShape.count
        if rank == 0 {
            destination.copyMemory(from: source, byteCount: width)
            return
        }
        let innerCount = map.outputShape[rank - 1]
        let outerShape = Array(map.outputShape[..<(rank - 1)])
        let rows = outerShape.reduce(1, *)
        let rowBytes = innerCount * width
        let minimumRows = max(1, (1 << 18) / max(rowBytes, 1))
        fillBytes.withUnsafeBytes { fill in
            Parallel.forEach(rows, minimumPerThread: minimumRows) { range in
                copyRows(range, outerShape: outerShape, source: source, destination: destination, fill: fill)
            }
        }
    }

    private func copyRows(_ range: Range<Int>, outerShape: [Int], source: UnsafeRawPointer,
                          destination: UnsafeMutableRawPointer, fill: UnsafeRawBufferPointer) {
        let rank = outerShape.count
        // Odometer over the outer coordinates, started at the chunk's first row.
        var index = [Int](repeating: 0, count: rank)
        var remainder = range.lowerBound
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            index[axis] = remainder % outerShape[axis]
            remainder /= outerShape[axis]
        }
        let inner = map.tables[rank]
        let rowBytes = inner.count * width
        for row in range {
            var base = 0
            var filled = false
            for axis in 0..<rank {
                let entry = map.tables[axis][index[axis]]
                if entry == AxisMap.fill { filled = true; break }
                base += entry
            }
            let rowOut = destination + row * rowBytes
            if filled {
                fillElements(rowOut, count: inner.count, fill: fill)
            } else if useRuns {
                for run in runs {
                    let target = rowOut + run.out * width
                    if run.source == AxisMap.fill {
                        fillElements(target, count: run.length, fill: fill)
                    } else {
                        target.copyMemory(from: source + (base + run.source) * width, byteCount: run.length * width)
                    }
                }
            } else {
                gatherRow(rowOut, source: source, base: base, table: inner, fill: fill)
            }
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < outerShape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// Element-by-element copy of one row, specialised on the element width.
    private func gatherRow(_ out: UnsafeMutableRawPointer, source: UnsafeRawPointer, base: Int,
                           table: [Int], fill: UnsafeRawBufferPointer) {
        func typed<T>(_: T.Type) {
            let o = out.assumingMemoryBound(to: T.self), s = source.assumingMemoryBound(to: T.self)
            let f = fill.loadUnaligned(as: T.self)
            table.withUnsafeBufferPointer { t in
                for i in 0..<t.count { o[i] = t[i] == AxisMap.fill ? f : s[base + t[i]] }
            }
        }
        switch width {
        case 1: typed(UInt8.self)
        case 2: typed(UInt16.self)
        case 4: typed(UInt32.self)
        case 8: typed(UInt64.self)
        default:
            for (i, entry) in table.enumerated() {
                let target = out + i * width
                if entry == AxisMap.fill {
                    if let f = fill.baseAddress { target.copyMemory(from: f, byteCount: width) }
                } else {
                    target.copyMemory(from: source + (base + entry) * width, byteCount: width)
                }
            }
        }
    }

    private func fillElements(_ out: UnsafeMutableRawPointer, count: Int, fill: UnsafeRawBufferPointer) {
        guard let f = fill.baseAddress, count > 0 else { return }
        if fill.allSatisfy({ $0 == 0 }) {
            out.initializeMemory(as: UInt8.self, repeating: 0, count: count * width)
            return
        }
        for i in 0..<count { (out + i * width).copyMemory(from: f, byteCount: width) }
    }
}
