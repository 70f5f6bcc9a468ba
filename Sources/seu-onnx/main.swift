import Foundation
import SEUOnnx

/// seu-onnx: each subcommand maps its flags onto a library call and prints the result.
let commands: [Command] = [
    InfoCommand.command,
    RunCommand.command,
    InjectCommand.command,
    PlanCommand.command,
    ReportCommand.command,
    MergeCommand.command,
    ConformanceCommand.command,
    FlipCommand.command,
    CorruptCommand.command,
    ConvertCommand.command,
    BenchCommand.command,
]

let status = CLI.main(CommandLine.arguments, commands: commands)
ChildProcess.writePeakMemoryIfRequested()
exit(status)
