import Foundation

/// A model-local function (`FunctionProto`): a named subgraph called like an operator.
public struct Function: @unchecked Sendable {
    public var name: String
    public var domain: String
    public var inputs: [String]
    public var outputs: [String]
    /// Names of the attributes a call may set.
    public var attributeNames: [String]
    public var nodes: [Node]
    public var opsetImports: [String: Int]
}

/// An imported ONNX model.
///
/// A class because its initializers are shared mutable state: fault injection flips bits in them
/// in place and restores them; sessions built from the model see the flips.
public final class Model: @unchecked Sendable {
    public let irVersion: Int
    /// Imported operator sets: domain ("" for the default ONNX domain) → version.
    public let opsetImports: [String: Int]
    public let producerName: String
    public let producerVersion: String
    public let domain: String
    public let modelVersion: Int
    public let docString: String
    public let metadata: [(key: String, value: String)]
    public var graph: Graph
    public let functions: [Function]
    /// The file it was loaded from, if any.
    public let url: URL?

    public init(irVersion: Int, opsetImports: [String: Int], producerName: String = "",
                producerVersion: String = "", domain: String = "", modelVersion: Int = 0,
                docString: String = "", metadata: [(key: String, value: String)] = [],
                graph: Graph, functions: [Function] = [], url: URL? = nil) {
        self.irVersion = irVersion
        self.opsetImports = opsetImports
        self.producerName = producerName
        self.producerVersion = producerVersion
        self.domain = domain
        self.modelVersion = modelVersion
        self.docString = docString
        self.metadata = metadata
        self.graph = graph
        self.functions = functions
        self.url = url
    }

    /// The version of the default ONNX operator set.
    public var opsetVersion: Int { opsetImports[""] ?? 1 }

    /// Loads an ONNX file (external data is read from files next to it).
    public convenience init(contentsOf url: URL) throws {
        let imported = try ONNXImporter.load(url: url)
        self.init(copying: imported)
    }

    private init(copying other: Model) {
        self.irVersion = other.irVersion
        self.opsetImports = other.opsetImports
        self.producerName = other.producerName
        self.producerVersion = other.producerVersion
        self.domain = other.domain
        self.modelVersion = other.modelVersion
        self.docString = other.docString
        self.metadata = other.metadata
        self.graph = other.graph
        self.functions = other.functions
        self.url = other.url
    }

    /// Loads an ONNX model from a path.
    public convenience init(path: String) throws {
        try self.init(contentsOf: URL(fileURLWithPath: path))
    }

    /// The initializer with this name, if any.
    public func initializer(named name: String) -> Tensor? { graph.initializers[name] }
}
