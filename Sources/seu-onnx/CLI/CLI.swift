import Foundation
import SEUOnnx

/// Dispatch, help and error reporting shared by all subcommands.
enum CLI {
    static let version = SEUOnnxVersion.string

    /// Runs the subcommand named by `arguments[1]`. Errors print one line on stderr:
    /// exit 2 for usage errors, 1 for everything else.
    static func main(_ arguments: [String], commands: [Command]) -> Int32 {
        guard arguments.count >= 2 else {
            print(overview(commands))
            return 2
        }
        let name = arguments[1]
        if name == "--help" || name == "-h" || name == "help" {
            if arguments.count > 2, let command = commands.first(where: { $0.name == arguments[2] }) {
                print(command.help)
            } else {
                print(overview(commands))
            }
            return 0
        }
        if name == "--version" { print("seu-onnx \(version)"); return 0 }
        guard let command = commands.first(where: { $0.name == name }) else {
            fail(SEUError(.invalidArgument, "unknown command '\(name)'; commands: \(commands.map(\.name).joined(separator: ", "))"))
            return 2
        }
        do {
            guard let parsed = try command.parse(Array(arguments.dropFirst(2)), commandLine: arguments) else {
                print(command.help)
                return 0
            }
            try command.run(parsed)
            // Ctrl-C or SIGTERM stops a campaign cleanly (summary printed, records complete);
            // the status still says it did not finish, as shells expect (128 + the signal).
            return Terminal.interruptStatus
        } catch let error as SEUError {
            fail(error)
            return error.kind == .invalidArgument ? 2 : 1
        } catch {
            fail(SEUError(.execution, "\(error)"))
            return 1
        }
    }

    static func fail(_ error: SEUError) {
        FileHandle.standardError.write(Data("seu-onnx: error: \(error.description)\n".utf8))
    }

    static func overview(_ commands: [Command]) -> String {
        var lines = ["seu-onnx \(version): single-event-upset (bit-flip) fault injection for ONNX models", "",
                     "usage: seu-onnx COMMAND [options]   (seu-onnx COMMAND --help for details)", "", "commands:"]
        let width = (commands.map(\.name.count).max() ?? 0) + 2
        for command in commands {
            lines.append("  \(command.name)\(String(repeating: " ", count: width - command.name.count))\(command.abstract)")
        }
        return lines.joined(separator: "\n")
    }

    /// Writes a line to standard error.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Loads a model, naming the flag or argument on error.
    static func loadModel(_ path: String) throws -> Model {
        try Model(path: path)
    }

    /// Reads an .npy argument.
    static func loadArray(_ path: String, flag: String) throws -> Tensor {
        do {
            return try NPY.read(path: path)
        } catch let error as SEUError {
            var located = error
            located.location.argument = located.location.argument ?? flag
            throw located
        }
    }
}
