// A complete program using the SEUOnnx library: load a model, check it, run a small
// campaign and print the most damaging faults.
//
//   swift run seu-onnx-example [MODEL X.npy Y.npy]
//
// Defaults to the fixture model and digits shipped in Fixtures/.
import Foundation
import SEUOnnx

let arguments = CommandLine.arguments
let modelPath = arguments.count > 1 ? arguments[1] : "Fixtures/tiny_cnn.onnx"
let inputPath = arguments.count > 2 ? arguments[2] : "Fixtures/digits_x.npy"
let labelPath = arguments.count > 3 ? arguments[3] : "Fixtures/digits_y.npy"

do {
    // 1. Load and run the fault-free model.
    let model = try Model(path: modelPath)
    let session = try InferenceSession(model: model)
    let x = try NPY.read(path: inputPath)
    let y = try NPY.read(path: labelPath)
    let logits = try session.run([x])[0]
    let hits = try BatchedInference.hits(output: logits, labels: y.intValues())
    print("fault-free accuracy: \(hits.top1)/\(y.count)")

    // 2. One fault by hand: flip the exponent MSB (bit 1) of the first conv weight.
    guard let weight = model.initializer(named: "conv1.weight") else {
        throw SEUError(.noMatchingTensor, "the model has no initializer named conv1.weight")
    }
    weight.flipBit(at: 1, ofElement: 0)
    let faulty = try session.run([x])[0]
    weight.flipBit(at: 1, ofElement: 0)  // flipping again restores the exact bits
    print("with conv1.weight[0] bit 1 flipped: \(try BatchedInference.hits(output: faulty, labels: y.intValues()).top1)/\(y.count)")

    // 3. A campaign: 200 random faults over every weight bit, seeded.
    let campaign = try Campaign(model: model, session: session,
                                data: CampaignData(inputs: [x], labels: y),
                                configuration: CampaignConfiguration(mode: .count(200), seed: 42))
    var records: [InjectionRecord] = []
    let summary = try campaign.run { records.append($0) }
    print(CampaignReport(summary: summary).text)
    print("\nfive most damaging faults:")
    for record in records.sorted(by: { $0.metric < $1.metric }).prefix(5) {
        print("  \(record.site) \(record.field): accuracy \(record.metric)")
    }

    // 4. Export the worst fault as an ONNX file (only that bit differs from the source) with
    //    its manifest, and replay it: the replay records the same accuracy.
    if let worst = summary.worst {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seu-onnx-example-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let exported = try model.applying(worst.fault).write(to: folder.appendingPathComponent("worst.onnx"))
        print("\nwrote \(exported.url.path): \(exported.manifest.changedBits) bit changed, sha256 \(exported.manifest.output.sha256)")
        let replay = try Campaign(model: model, session: session, data: CampaignData(inputs: [x], labels: y), faults: [worst.fault])
        let again = try replay.inject(worst.fault, id: worst.id)
        print("replayed \(worst.site): accuracy \(again.metric) (campaign: \(worst.metric))")
        try? FileManager.default.removeItem(at: folder)
    }
} catch {
    print("error: \(error)")
    exit(1)
}
