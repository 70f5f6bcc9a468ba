/// The concrete type of a value at plan time: element type and shape.
public struct ValueType: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var dataType: DataType
    public var shape: [Int]

    public init(_ dataType: DataType, _ shape: [Int]) {
        self.dataType = dataType
        self.shape = shape
    }

    public var count: Int { Tensor.elementCount(shape) }
    public var rank: Int { shape.count }
    public var description: String { "\(dataType)\(shape)" }
}

/// A compiled operator instance: computes a node's outputs from its inputs.
///
/// Kernels are built once per plan with the input types known, so `run` does no shape logic
/// and no allocation for its outputs: `outputs` are preallocated with the types the builder
/// returned. `inputs[i]` is nil for an omitted optional input.
///
/// Rule for builders: plan-time constants (`NodeContext.constant`) may decide shapes and
/// options (axes, pads, target shapes), but floating-point *data* must be read from `inputs`
/// in `run`, because fault injection changes initializer values between runs.
public protocol Kernel: AnyObject {
    func run(inputs: [Tensor?], outputs: [Tensor]) throws
}

/// A kernel from a closure, for simple operators.
public final class ClosureKernel: Kernel {
    let body: ([Tensor?], [Tensor]) throws -> Void
    public init(_ body: @escaping ([Tensor?], [Tensor]) throws -> Void) { self.body = body }
    public func run(inputs: [Tensor?], outputs: [Tensor]) throws { try body(inputs, outputs) }
}

/// What an operator builder returns for one node.
public struct KernelBuild {
    /// The kernel, or nil when every output is a plan-time constant.
    public var kernel: Kernel?
    /// Types of the node's outputs, in order.
    public var outputTypes: [ValueType]
    /// Output values that are known at plan time whatever the inputs' values (Shape, Size,
    /// Constant). When set, the node does not run.
    public var constantOutputs: [Tensor]?

    public init(kernel: Kernel, outputTypes: [ValueType]) {
        self.kernel = kernel
        self.outputTypes = outputTypes
        self.constantOutputs = nil
    }

    public init(kernel: Kernel, outputType: ValueType) {
        self.init(kernel: kernel, outputTypes: [outputType])
    }

    /// Outputs known at plan time.
    public init(constants: [Tensor]) {
        self.kernel = nil
        self.outputTypes = constants.map { ValueType($0.dataType, $0.shape) }
        self.constantOutputs = constants
    }
}

/// Thrown by a builder that needs the value of a non-constant input to decide output shapes
/// (e.g. Reshape fed by a graph input). The planner then plans again with the inputs' values.
struct PlanTimeValueRequired: Error {
    let node: String
    let input: Int
}
