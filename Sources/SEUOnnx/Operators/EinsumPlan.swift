/// How an Einsum is computed, decided at plan time from the equation and the shapes:
///
/// 1. each operand is reduced on its own — diagonals of repeated labels taken and labels that
///    no other operand and not the output use summed out — unless that would be a plain copy;
/// 2. the operands are contracted left to right, two at a time, as batched matrix products
///    [batch, M, K] × [batch, K, N] (batch: labels both share and still need; K: labels both
///    share and nothing later needs; M, N: each one's own labels). An operand already laid
///    out that way (or transposed) is read in place; otherwise it is copied into that layout;
/// 3. the result is copied into the output's label order, unless the last product already
///    wrote it there.
struct EinsumPlan {
    enum Buffer: Equatable { case input(Int), scratch(Int), output }
    enum Target: Equatable { case scratch(Int), output }

    /// A batched product C[b] = op(A[b]) · op(B[b]), each operand contiguous per batch.
    struct Product {
        let a: Buffer, b: Buffer, target: Target
        let batch: Int, m: Int, n: Int, k: Int
        let transposeA: Bool, transposeB: Bool

        /// The plain loop: float64 and integer kernels, and the reference for sgemm.
        static func loop<T: Numeric>(_ p: Product, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>) {
            for i in 0..<p.m {
                for j in 0..<p.n {
                    var sum: T = 0
                    for t in 0..<p.k {
                        let av = p.transposeA ? a[t * p.m + i] : a[i * p.k + t]
                        let bv = p.transposeB ? b[j * p.k + t] : b[t * p.n + j]
                        sum += av * bv
                    }
                    c[i * p.n + j] = sum
                }
            }
        }
    }

    enum Step {
        case copy(source: Buffer, target: Target, StridedSum)
        case product(Product)
    }

    /// An operand while planning: where it is, its labels and sizes, its strides.
    private struct Term {
        var buffer: Buffer
        var labels: [Int]
        var sizes: [Int]
        var strides: [Int]

        var isContiguous: Bool { strides == AxisMap.strides(sizes) }
    }

    private(set) var steps: [Step] = []
    /// Element counts of the scratch buffers.
    private(set) var scratchSizes: [Int] = []
    /// Largest number of summed positions of a strided copy (a plan-time size check).
    private(set) var sumPositions = 0

    init(_ equation: EinsumEquation, shapes: [[Int]]) {
        let output = equation.output
        var terms = zip(equation.operands, shapes).enumerated().map { i, pair in
            Term(buffer: .input(i), labels: pair.0, sizes: pair.1, strides: AxisMap.strides(pair.1))
        }
        // 1. Diagonals and labels used by this operand alone.
        for i in terms.indices {
            let others = Set(output).union(terms.indices.filter { $0 != i }.flatMap { equation.operands[$0] })
            terms[i] = reduce(terms[i], keeping: unique(terms[i].labels).filter { others.contains($0) })
        }
        // 2. Left-to-right contractions.
        var current = terms[0]
        if terms.count > 1 {
            for next in 1..<terms.count {
                let later = Set(output).union(terms[(next + 1)...].flatMap(\.labels))
                current = contract(current, terms[next], keep: later, sizes: equation.sizes, last: next == terms.count - 1,
                                   output: output)
            }
        }
        // 3. Into the output's order (broadcasting size-1 axes up to the output's sizes).
        if current.buffer != .output {
            let sizes = output.map { equation.sizes[$0] ?? 1 }
            let strides = output.map { label -> Int in
                guard let axis = current.labels.firstIndex(of: label), current.sizes[axis] != 1 else { return 0 }
                return current.strides[axis]
            }
            let summed = current.labels.indices.filter { !output.contains(current.labels[$0]) }
            let loop = StridedSum(sizes: sizes, strides: strides, sumSizes: summed.map { current.sizes[$0] },
                                  sumStrides: summed.map { current.strides[$0] })
            sumPositions = max(sumPositions, loop.sumOffsets.count)
            steps.append(.copy(source: current.buffer, target: .output, loop))
        }
    }

    private func unique(_ labels: [Int]) -> [Int] {
        var seen = Set<Int>()
        return labels.filter { seen.insert($0).inserted }
    }

    /// `term` with only the `kept` labels (each once), summing the others; itself when it
    /// already is that.
    private mutating func reduce(_ term: Term, keeping kept: [Int]) -> Term {
        guard kept != term.labels else { return term }
        func axes(_ label: Int) -> [Int] { term.labels.indices.filter { term.labels[$0] == label } }
        func size(_ label: Int) -> Int { axes(label).first.map { term.sizes[$0] } ?? 1 }
        func stride(_ label: Int) -> Int { axes(label).reduce(0) { $0 + term.strides[$1] } }
        let summed = unique(term.labels).filter { !kept.contains($0) }
        let loop = StridedSum(sizes: kept.map(size), strides: kept.map(stride),
                              sumSizes: summed.map(size), sumStrides: summed.map(stride))
        sumPositions = max(sumPositions, loop.sumOffsets.count)
        let target = newScratch(kept.map(size).reduce(1, *))
        steps.append(.copy(source: term.buffer, target: target, loop))
        let sizes = kept.map(size)
        return Term(buffer: buffer(target), labels: kept, sizes: sizes, strides: AxisMap.strides(sizes))
    }

    /// The product of `a` and `b`, keeping the labels in `keep`.
    private mutating func contract(_ a: Term, _ b: Term, keep: Set<Int>, sizes: [Int: Int], last: Bool, output: [Int]) -> Term {
        let shared = a.labels.filter { b.labels.contains($0) }
        let batch = shared.filter { keep.contains($0) }
        let contracted = shared.filter { !keep.contains($0) }
        let aOwn = a.labels.filter { !b.labels.contains($0) }
        let bOwn = b.labels.filter { !a.labels.contains($0) }
        func size(_ label: Int, _ term: Term) -> Int { term.labels.firstIndex(of: label).map { term.sizes[$0] } ?? 1 }
        func common(_ label: Int) -> Int { max(size(label, a), size(label, b)) }
        let batchSizes = batch.map(common), kSizes = contracted.map(common)
        let aSizes = aOwn.map { size($0, a) }, bSizes = bOwn.map { size($0, b) }
        let (bufferA, transposeA) = layout(a, batch: batch, batchSizes: batchSizes, first: aOwn, firstSizes: aSizes,
                                           second: contracted, secondSizes: kSizes)
        let (bufferB, transposeB) = layout(b, batch: batch, batchSizes: batchSizes, first: contracted, firstSizes: kSizes,
                                           second: bOwn, secondSizes: bSizes)
        let labels = batch + aOwn + bOwn
        let resultSizes = batchSizes + aSizes + bSizes
        let target: Target = last && labels == output && resultSizes == output.map({ sizes[$0] ?? 1 })
            ? .output : newScratch(resultSizes.reduce(1, *))
        steps.append(.product(Product(a: bufferA, b: bufferB, target: target, batch: batchSizes.reduce(1, *),
                                      m: aSizes.reduce(1, *), n: bSizes.reduce(1, *),
                                      k: kSizes.reduce(1, *), transposeA: transposeA, transposeB: transposeB)))
        return Term(buffer: buffer(target), labels: labels, sizes: resultSizes, strides: AxisMap.strides(resultSizes))
    }

    /// Where `term` can be read as [batch, first, second] (transposed: [batch, second, first])
    /// with the given sizes: in place when it is contiguous in one of those orders at those
    /// sizes, else a copy into scratch (size-1 axes broadcast to the common size).
    private mutating func layout(_ term: Term, batch: [Int], batchSizes: [Int], first: [Int], firstSizes: [Int],
                                 second: [Int], secondSizes: [Int]) -> (Buffer, Bool) {
        func own(_ label: Int) -> Int { term.labels.firstIndex(of: label).map { term.sizes[$0] } ?? 1 }
        let fits = term.isContiguous && batch.map(own) == batchSizes
            && first.map(own) == firstSizes && second.map(own) == secondSizes
        if fits && term.labels == batch + first + second { return (term.buffer, false) }
        if fits && term.labels == batch + second + first { return (term.buffer, true) }
        let labels = batch + first + second
        let sizes = batchSizes + firstSizes + secondSizes
        let strides = labels.map { label -> Int in
            guard let axis = term.labels.firstIndex(of: label), term.sizes[axis] != 1 else { return 0 }
            return term.strides[axis]
        }
        let target = newScratch(sizes.reduce(1, *))
        steps.append(.copy(source: term.buffer, target: target, StridedSum(sizes: sizes, strides: strides, sumSizes: [], sumStrides: [])))
        return (buffer(target), false)
    }

    private mutating func newScratch(_ count: Int) -> Target {
        scratchSizes.append(count)
        return .scratch(scratchSizes.count - 1)
    }

    private func buffer(_ target: Target) -> Buffer {
        switch target {
        case .scratch(let i): return .scratch(i)
        case .output: return .output
        }
    }

    /// Runs the steps on elements of type `T`, with `gemm` computing one matrix of a product.
    func execute<T: Numeric>(_: T.Type, _ memory: EinsumBuffers,
                             gemm: (Product, UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void) {
        for step in steps {
            switch step {
            case .copy(let source, let target, let loop):
                loop.run(memory.read(source).assumingMemoryBound(to: T.self), memory.write(target).assumingMemoryBound(to: T.self))
            case .product(let p):
                let a = memory.read(p.a).assumingMemoryBound(to: T.self), b = memory.read(p.b).assumingMemoryBound(to: T.self)
                let c = memory.write(p.target).assumingMemoryBound(to: T.self)
                guard p.batch > 0, p.m > 0, p.n > 0 else { continue }
                guard p.k > 0 else {
                    c.update(repeating: 0, count: p.batch * p.m * p.n)
                    continue
                }
                for i in 0..<p.batch {
                    gemm(p, a + i * p.m * p.k, b + i * p.k * p.n, c + i * p.m * p.n)
                }
            }
        }
    }
}
