/// Float32 weights emulated as stored in another format (`seu-onnx inject --as`): each selected
/// initializer is rounded to the format (nearest, ties to even) and kept as a tensor of that
/// type, where faults flip bits in the format's real layout. The kernels keep reading float32:
/// after every flip (and un-flip) the changed element is decoded into the model's float32
/// initializer.
///
/// This is exactly the deployment form "weights stored in 16 bits, a Cast to float32 after
/// each" (`convert --weights-only`): every stored value decodes to one float32 value (exactly
/// for float16 and bfloat16; float64 rounds to nearest as Cast does), and compute stays
/// float32, so the comparison isolates the storage format. It costs nothing per evaluation,
/// where a Cast node would convert every weight on every run.
public final class StorageEmulation {
    public let format: DataType
    /// Selected tensor name → its values stored in `format` (the tensors faults flip).
    public let stored: [String: Tensor]
    /// Selected tensor name → the float32 initializer of `model` the kernels read.
    private let compute: [String: Tensor]
    /// The model copy whose selected initializers hold the stored values decoded.
    public let model: Model

    /// Rounds the float32 initializers `names` of `model` to `format`. The returned emulation's
    /// `model` is a copy: its selected initializers are new float32 tensors holding the rounded
    /// values; every other initializer is shared with `model` (and never written).
    public init(model source: Model, names: [String], format: DataType) throws {
        guard DataType.storageFormats.contains(format) else {
            throw SEUError(.invalidArgument, "\(format) is not a floating-point storage format (float32, float16, bfloat16, float64)",
                           location: .init(argument: "--as"))
        }
        var graph = source.graph
        var stored: [String: Tensor] = [:], compute: [String: Tensor] = [:]
        for name in names {
            guard let original = graph.initializers[name] else {
                throw SEUError(.noMatchingTensor, "no initializer named '\(name)'", location: .init(tensor: name))
            }
            guard original.dataType == .float else {
                throw SEUError(.invalidArgument, "--as emulates storage formats of float32 weights; '\(name)' is \(original.dataType) (select float32 tensors with --tensors, or convert the model)",
                               location: .init(tensor: name, argument: "--as"))
            }
            // A copy even for float32, so each format's campaign has weights of its own.
            let copy = format == .float ? original.copy() : try original.converted(to: format)
            let decoded = format == .float ? copy : copy.convertedToFloat()
            stored[name] = copy
            compute[name] = decoded
            graph.initializers[name] = decoded
        }
        self.format = format
        self.stored = stored
        self.compute = compute
        model = Model(irVersion: source.irVersion, opsetImports: source.opsetImports, producerName: source.producerName,
                      producerVersion: source.producerVersion, domain: source.domain, modelVersion: source.modelVersion,
                      docString: source.docString, metadata: source.metadata, graph: graph, functions: source.functions,
                      url: source.url)
    }

    /// Decodes stored element `index` of `name` into the float32 initializer (after a flip).
    @inline(__always)
    func refresh(_ name: String, element index: Int) {
        guard format != .float, let source = stored[name], let target = compute[name] else { return }
        target.floats[index] = source.floatValue(at: index)
    }
}
