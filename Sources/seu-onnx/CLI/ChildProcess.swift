import Foundation
import SEUOnnx
#if canImport(Glibc)
import Glibc
#endif

/// Runs a child `seu-onnx` and reports its own peak resident memory.
///
/// Not wait4's rusage: posix_spawn starts the child on the parent's address space (vfork), and
/// Linux carries that address space's high-water mark into the child's `ru_maxrss` at exec, so
/// the figure would be the parent's peak whenever it is the larger. Instead the child writes
/// `VmHWM` of its own address space (after exec) to the file named by `peakMemoryVariable`.
enum ChildProcess {
    static let peakMemoryVariable = "SEU_ONNX_PEAK_MEMORY_FILE"

    /// Called by `main` at exit: writes this process's peak resident set (KiB, /proc/self/status
    /// VmHWM) to the file `SEU_ONNX_PEAK_MEMORY_FILE` names, if set.
    static func writePeakMemoryIfRequested() {
        guard let path = ProcessInfo.processInfo.environment[peakMemoryVariable],
              let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return }
        let kib = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        try? kib.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Peak resident set size of `executable arguments` in MiB; throws when it fails. The
    /// child's output goes to /dev/null.
    static func peakMemory(_ executable: String, _ arguments: [String]) throws -> Double {
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("seu-onnx-peak-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: report) }
        setenv(peakMemoryVariable, report, 1)
        defer { unsetenv(peakMemoryVariable) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw SEUError(.io, "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw SEUError(.io, "waiting for \(executable) failed") }
        }
        guard status == 0 else {
            throw SEUError(.execution, "\(executable) \(arguments.joined(separator: " ")) exited with status \(status)")
        }
        guard let text = try? String(contentsOfFile: report, encoding: .utf8),
              let kib = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw SEUError(.io, "\(executable) did not report its peak memory")
        }
        return kib / 1024
    }
}
