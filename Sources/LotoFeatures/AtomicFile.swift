import Foundation

/// Writes a file whole or not at all: to a temporary file beside it, then renamed into place.
public enum AtomicFile {
    /// Replaces `path` with `data`; on failure the old file (if any) is untouched.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try data.write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                throw LotoFeaturesError.file(path: path, problem: "cannot be replaced: \(String(cString: strerror(errno)))")
            }
        } catch let error as LotoFeaturesError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw LotoFeaturesError.file(path: path, problem: "cannot be written (\(error.localizedDescription))")
        }
    }
}
