import Foundation
import SEUOnnx
#if canImport(Glibc)
import Glibc
#endif

/// Runs a child process and reports its own peak resident memory (wait4's rusage; Foundation's
/// Process does not expose it).
enum ChildProcess {
    /// Peak resident set size of `executable arguments` in MiB; throws when it fails. The
    /// child's output goes to /dev/null.
    static func peakMemory(_ executable: String, _ arguments: [String]) throws -> Double {
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
        // ru_maxrss is in KiB on Linux.
        return Double(usage.ru_maxrss) / 1024
    }
}
