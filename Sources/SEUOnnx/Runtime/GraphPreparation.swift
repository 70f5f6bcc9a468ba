/// Graph rewrites applied before planning.
///
/// Model-local functions (`ModelProto.functions`) are inlined: every node whose (domain, op
/// type) names a local function is replaced by the function's body, with
/// - the body's formal inputs/outputs bound to the call's actual values (an input the call
///   omits becomes "", an output it omits gets a fresh internal name),
/// - every other value renamed uniquely (`<call node>/<function>/<value>#<n>`), so two calls
///   never share intermediates,
/// - attribute references (`ref_attr_name`) replaced by the calling node's attribute, and
///   dropped when the call does not set it (the body's operator then uses its default),
/// - nested calls expanded the same way (recursion is an error).
enum GraphPreparation {
    /// Calls nested deeper than this are treated as recursion.
    static let maximumDepth = 64

    /// The graph a session executes for `model`.
    static func prepare(_ model: Model) throws -> Graph {
        guard !model.functions.isEmpty else { return model.graph }
        var inliner = FunctionInliner(functions: model.functions)
        var graph = model.graph
        graph.nodes = try inliner.expand(graph.nodes, depth: 0)
        return graph
    }
}

/// The state of one inlining pass: the functions by key and a counter for unique names.
struct FunctionInliner {
    private var functions: [String: Function] = [:]
    private var counter = 0

    init(functions: [Function]) {
        for function in functions { self.functions[Self.key(function.domain, function.name)] = function }
    }

    static func key(_ domain: String, _ name: String) -> String {
        (domain == "ai.onnx" ? "" : domain) + "::" + name
    }

    /// `nodes` with every function call replaced by the (recursively expanded) body.
    mutating func expand(_ nodes: [Node], depth: Int) throws -> [Node] {
        var result: [Node] = []
        result.reserveCapacity(nodes.count)
        for node in nodes {
            guard let function = functions[Self.key(node.domain, node.opType)] else {
                result.append(node)
                continue
            }
            guard depth < GraphPreparation.maximumDepth else {
                throw node.error(.invalidModel, "function '\(function.name)' calls itself (nesting deeper than \(GraphPreparation.maximumDepth))")
            }
            let body = try instantiate(function, at: node)
            result += try expand(body, depth: depth + 1)
        }
        return result
    }

    /// The body of `function` for one call: values renamed, attributes substituted.
    private mutating func instantiate(_ function: Function, at call: Node) throws -> [Node] {
        guard call.inputs.count <= function.inputs.count, call.outputs.count <= function.outputs.count else {
            throw call.error(.invalidModel, "calls function '\(function.name)' with \(call.inputs.count) inputs and \(call.outputs.count) outputs; it declares \(function.inputs.count) and \(function.outputs.count)")
        }
        counter += 1
        let prefix = "\(call.name)/\(function.name)#\(counter)/"
        var names: [String: String] = [:]
        for (i, formal) in function.inputs.enumerated() where !formal.isEmpty {
            names[formal] = i < call.inputs.count ? call.inputs[i] : ""
        }
        for (i, formal) in function.outputs.enumerated() where !formal.isEmpty {
            let actual = i < call.outputs.count ? call.outputs[i] : ""
            names[formal] = actual.isEmpty ? prefix + formal : actual
        }
        func rename(_ name: String) -> String {
            if name.isEmpty { return name }
            if let bound = names[name] { return bound }
            let fresh = prefix + name
            names[name] = fresh
            return fresh
        }
        return try function.nodes.map { node in
            var copy = node
            copy.name = prefix + node.name
            copy.inputs = node.inputs.map(rename)
            copy.outputs = node.outputs.map(rename)
            copy.attributes = try Self.substitute(node.attributes, from: call, names: names)
            return copy
        }
    }

    /// Attributes with references to the caller's attributes resolved (unset ones dropped);
    /// subgraphs get the same substitution and the body's renamed outer values.
    private static func substitute(_ attributes: [String: AttributeValue], from call: Node,
                                   names: [String: String]) throws -> [String: AttributeValue] {
        var result: [String: AttributeValue] = [:]
        for (name, value) in attributes {
            switch value {
            case .reference(let target):
                if let bound = call.attributes[target] { result[name] = bound }
            case .graph(let graph):
                result[name] = .graph(try substitute(graph, from: call, names: names))
            case .graphs(let graphs):
                result[name] = .graphs(try graphs.map { try substitute($0, from: call, names: names) })
            default:
                result[name] = value
            }
        }
        return result
    }

    /// A subgraph (If/Loop/Scan body) inside a function: names it reads from the function body
    /// are renamed, names it defines itself are kept.
    private static func substitute(_ graph: Graph, from call: Node, names: [String: String]) throws -> Graph {
        var local = Set(graph.inputs.map(\.name))
        local.formUnion(graph.initializerNames)
        for node in graph.nodes { local.formUnion(node.outputs) }
        func outer(_ name: String) -> String { local.contains(name) ? name : (names[name] ?? name) }
        var copy = graph
        copy.nodes = try graph.nodes.map { node in
            var n = node
            n.inputs = node.inputs.map(outer)
            n.attributes = try substitute(node.attributes, from: call, names: names)
            return n
        }
        copy.outputs = graph.outputs.map { info in
            var renamed = info
            renamed.name = outer(info.name)
            return renamed
        }
        return copy
    }
}
