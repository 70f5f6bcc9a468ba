import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing a set of files safely: never over an input, all or nothing.
public enum OutputFiles {
    /// True when `a` and `b` name the same file: the same path after resolving symbolic links,
    /// or (both existing) the same device and inode, which also catches hard links.
    public static func sameFile(_ a: URL, _ b: URL) -> Bool {
        let pa = a.standardizedFileURL.resolvingSymlinksInPath().path
        let pb = b.standardizedFileURL.resolvingSymlinksInPath().path
        if pa == pb { return true }
        var sa = stat(), sb = stat()
        guard stat(pa, &sa) == 0, stat(pb, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// Throws `.refusedOverwrite` when an output is one of the inputs.
    public static func refuseOverwriting(_ outputs: [URL], inputs: [URL], argument: String? = nil) throws {
        for output in outputs {
            for input in inputs where sameFile(output, input) {
                throw SEUError(.refusedOverwrite, "refusing to overwrite the input file \(input.path)",
                               location: .init(file: output.path, argument: argument))
            }
        }
    }

    /// Throws `.io` when the folder `url` is to be written in does not exist (checked before
    /// any work, and again when writing).
    public static func requireFolder(of url: URL, argument: String? = nil) throws {
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SEUError(.io, "the output folder does not exist", location: .init(file: folder.path, argument: argument))
        }
    }

    /// Writes every file, or none: each goes to a temporary file in its destination folder
    /// first, and only when all are written are they renamed into place (rename is atomic
    /// within a file system). Existing files at the destinations are replaced. On failure the
    /// temporaries — and any file already renamed — are removed, so no partial output remains.
    public static func writeAll(_ files: [(url: URL, contents: Data)]) throws {
        var temporaries: [URL] = []
        var placed: [URL] = []
        do {
            for file in files {
                try requireFolder(of: file.url)
                let folder = file.url.deletingLastPathComponent()
                let temporary = folder.appendingPathComponent(".\(file.url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
                temporaries.append(temporary)
                do {
                    try file.contents.write(to: temporary, options: [.withoutOverwriting])
                } catch {
                    throw SEUError(.io, "cannot write: \(error.localizedDescription)", location: .init(file: file.url.path))
                }
            }
            for (file, temporary) in zip(files, temporaries) {
                guard rename(temporary.path, file.url.path) == 0 else {
                    throw SEUError(.io, "cannot move the finished file into place: \(String(cString: strerror(errno)))", location: .init(file: file.url.path))
                }
                placed.append(file.url)
            }
        } catch {
            for url in temporaries + placed { try? FileManager.default.removeItem(at: url) }
            throw error
        }
    }
}
