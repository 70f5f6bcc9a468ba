import CSupport
import Dispatch
import Foundation

/// Splits loops over the cores. Kernels call `Parallel.forEach` for work large enough to pay
/// for a thread hand-off.
public enum Parallel {
    /// Worker count for the library's own loops (OpenBLAS has its own, see `BLAS.threads`).
    nonisolated(unsafe) public static var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Threads the current thread may use: 1 inside `serially`, else `threads`.
    public static var currentThreads: Int { seu_thread_serial() != 0 ? 1 : threads }

    /// Runs `body` with this thread's kernels single-threaded (for workers that each run a
    /// fault of a parallel campaign).
    public static func serially<T>(_ body: () throws -> T) rethrows -> T {
        let previous = seu_thread_serial()
        seu_thread_set_serial(1)
        defer { seu_thread_set_serial(previous) }
        return try body()
    }

    /// Runs `body(chunk)` for chunks `0..<chunks` of `count` items, in parallel when
    /// `count >= minimumPerThread * 2` and more than one thread is configured. `body` receives
    /// the half-open index range of its chunk.
    @inline(__always)
    public static func forEach(_ count: Int, minimumPerThread: Int = 1,
                               _ body: (Range<Int>) -> Void) {
        let workers = min(currentThreads, count / max(minimumPerThread, 1))
        if workers <= 1 || count <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let chunk = (count + workers - 1) / workers
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let start = w * chunk
                let end = min(count, start + chunk)
                if start < end { body(start..<end) }
            }
        }
    }
}
