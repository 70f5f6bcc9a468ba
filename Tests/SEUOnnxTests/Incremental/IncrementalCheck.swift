import XCTest
@testable import SEUOnnx

/// Compares incremental re-execution with a full re-run, bit for bit, for lists of faults.
///
/// The clean plan runs once; each fault is evaluated by an `IncrementalWorker` (patches, no
/// write to the model), then applied in place to the initializers and run in full on a third
/// plan, and the two outputs must have the same bytes.
struct IncrementalCheck {
    let session: InferenceSession
    let feeds: [Tensor]
    let clean: ExecutionPlan
    let worker: IncrementalWorker
    let full: ExecutionPlan

    init(model: Model, feeds: [Tensor]) throws {
        session = try InferenceSession(model: model)
        self.feeds = feeds
        let types = feeds.map { ValueType($0.dataType, $0.shape) }
        clean = try session.makePlan(for: types)
        try clean.run(feeds)
        worker = IncrementalWorker(reference: IncrementalPlan(clean), own: try session.makePlan(for: types))
        full = try session.makePlan(for: types)
    }

    /// The patch flipping `bit` (0 = MSB) of element `index` of float32 initializer `name`.
    func flip(_ name: String, _ index: Int, bit: Int) -> FaultPatch {
        let tensor = session.graph.initializers[name]!
        let bits = UInt64(tensor.floats[index].bitPattern ^ (UInt32(1) << UInt32(31 - bit)))
        return FaultPatch(tensor: name, element: index, bits: bits)
    }

    /// The patch setting element `index` of float32 initializer `name` to `value`.
    func set(_ name: String, _ index: Int, _ value: Float) -> FaultPatch {
        FaultPatch(tensor: name, element: index, bits: UInt64(value.bitPattern))
    }

    /// Checks one fault; returns the number of steps the incremental run executed.
    @discardableResult
    func check(_ patches: [FaultPatch], file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let resolved = patches.compactMap { p in clean.slotIndex[p.tensor].map { (slot: $0, element: p.element, bits: p.bits) } }
        let incremental = try worker.evaluate(resolved).copy()
        // Full re-run with the patches written into the initializers, then restored.
        var saved: [(Tensor, Int, UInt64)] = []
        for p in patches {
            let tensor = session.graph.initializers[p.tensor]!
            saved.append((tensor, p.element, IncrementalWorker.bits(of: tensor, p.element)))
            IncrementalWorker.setBits(of: tensor, p.element, p.bits)
        }
        defer { for (tensor, element, bits) in saved.reversed() { IncrementalWorker.setBits(of: tensor, element, bits) } }
        let expected = try full.run(feeds)[0]
        let description = patches.map { "\($0.tensor)[\($0.element)]=0x\(String($0.bits, radix: 16))" }.joined(separator: ", ")
        XCTAssertEqual(incremental.shape, expected.shape, description, file: file, line: line)
        if !incremental.isBitIdentical(to: expected) {
            let a = incremental.floats, b = expected.floats
            let i = (0..<expected.count).first { a[$0].bitPattern != b[$0].bitPattern } ?? 0
            XCTFail("\(description): output element \(i) is \(a[i]), full re-run gives \(b[i])", file: file, line: line)
        }
        return worker.executedSteps
    }
}
