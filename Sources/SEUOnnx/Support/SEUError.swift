/// The one error type of seu-onnx.
///
/// Every failure that comes from a file, an argument or a model is reported as an `SEUError`
/// with a stable `kind` (tests and callers match on it) and, where it applies, a `location`
/// naming the culprit (file, node, operator, tensor, attribute or command-line flag).
/// `description` is a single line meant for a terminal.
public struct SEUError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Stable error categories. The raw value appears in messages (`error[kind]: ...`).
    public enum Kind: String, Sendable, CaseIterable {
        /// A file could not be read or written.
        case io = "io"
        /// The file is not a decodable ONNX model (not protobuf, truncated, no graph).
        case invalidModel = "invalid-model"
        /// A tensor referenced external data that is absent or too short.
        case missingExternalData = "missing-external-data"
        /// The model uses operators (or data types) the executor does not implement.
        case unsupportedOperator = "unsupported-operator"
        case unsupportedDataType = "unsupported-data-type"
        /// A node's attributes or inputs are invalid for its operator.
        case invalidNode = "invalid-node"
        /// An input tensor has the wrong shape, type or name.
        case shapeMismatch = "shape-mismatch"
        /// A .npy file is malformed or of an unsupported dtype.
        case invalidArray = "invalid-array"
        /// A command-line flag or API argument is invalid.
        case invalidArgument = "invalid-argument"
        /// A tensor selection (name or glob) matched nothing.
        case noMatchingTensor = "no-matching-tensor"
        /// A fault refers to a tensor, element or bit that does not exist.
        case invalidFault = "invalid-fault"
        /// Refused to overwrite an input file.
        case refusedOverwrite = "refused-overwrite"
        /// A failure while running a kernel (e.g. an index out of range in Gather).
        case execution = "execution"
    }

    /// Where the error happened. Every field is optional; the message names those that are set.
    public struct Location: Equatable, Sendable, CustomStringConvertible {
        public var file: String?
        public var node: String?
        public var opType: String?
        public var tensor: String?
        public var attribute: String?
        public var argument: String?

        public init(file: String? = nil, node: String? = nil, opType: String? = nil,
                    tensor: String? = nil, attribute: String? = nil, argument: String? = nil) {
            self.file = file; self.node = node; self.opType = opType
            self.tensor = tensor; self.attribute = attribute; self.argument = argument
        }

        public var description: String {
            var parts: [String] = []
            if let file { parts.append("file '\(file)'") }
            if let node {
                parts.append(opType.map { "node '\(node)' (\($0))" } ?? "node '\(node)'")
            } else if let opType {
                parts.append("op \(opType)")
            }
            if let tensor { parts.append("tensor '\(tensor)'") }
            if let attribute { parts.append("attribute '\(attribute)'") }
            if let argument { parts.append(argument) }
            return parts.joined(separator: ", ")
        }

        var isEmpty: Bool { description.isEmpty }
    }

    public var kind: Kind
    public var message: String
    public var location: Location

    public init(_ kind: Kind, _ message: String, location: Location = Location()) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    /// One line: `kind: location: message`, newlines folded.
    public var description: String {
        let text = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return location.isEmpty ? "\(kind.rawValue): \(text)" : "\(kind.rawValue): \(location): \(text)"
    }

    /// The same error with location fields filled in where they are still empty.
    public func located(file: String? = nil, node: String? = nil, opType: String? = nil,
                        tensor: String? = nil, attribute: String? = nil) -> SEUError {
        var copy = self
        copy.location.file = copy.location.file ?? file
        copy.location.node = copy.location.node ?? node
        copy.location.opType = copy.location.opType ?? opType
        copy.location.tensor = copy.location.tensor ?? tensor
        copy.location.attribute = copy.location.attribute ?? attribute
        return copy
    }
}
