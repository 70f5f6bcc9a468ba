import Foundation
import SEUOnnx

do {
    let args = CommandLine.arguments
    let model = try Model(path: args[1])
    let session = try InferenceSession(model: model)
    let x = try NPY.read(path: args[2])
    let t0 = Date()
    let y = try session.run([x])[0]
    print(y.shape, Date().timeIntervalSince(t0), BLAS.summary)
    if args.count > 3 {
        let ref = try NPY.read(path: args[3])
        let a = y.floatValues(), b = ref.floatValues()
        var maxErr: Float = 0, maxRef: Float = 0
        for i in 0..<a.count { maxErr = max(maxErr, abs(a[i]-b[i])); maxRef = max(maxRef, abs(b[i])) }
        print("max abs err", maxErr, "max ref", maxRef, "rel", maxErr/maxRef)
    }
} catch {
    print("error: \(error)")
    exit(1)
}
