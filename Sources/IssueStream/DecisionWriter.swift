import Foundation

/// Writes JSON lines to a temporary file beside the target and renames it into place at the
/// end, so a reader never sees half a file; or to standard output when there is no target.
final class DecisionWriter {
    private let path: String?
    private let temporary: String?
    private let handle: FileHandle
    private var buffer = Data()
    private let encoder: JSONEncoder
    private var closed = false

    init(path: String?) throws {
        self.path = path
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let path {
            let temporary = path + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
            guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                throw IssueStreamError.outputFailed(path: path, detail: "cannot create \(temporary)")
            }
            guard let handle = FileHandle(forWritingAtPath: temporary) else {
                throw IssueStreamError.outputFailed(path: path, detail: "cannot open \(temporary)")
            }
            self.temporary = temporary
            self.handle = handle
        } else {
            temporary = nil
            handle = FileHandle.standardOutput
        }
    }

    deinit {
        // A run that threw before `finish` leaves no temporary file behind.
        if !closed, let temporary {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
        }
    }

    func write(_ line: TriageLine) throws {
        buffer.append(try encoder.encode(line))
        buffer.append(0x0A)
        if buffer.count >= 64 << 10 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw IssueStreamError.outputFailed(path: path ?? "standard output", detail: error.localizedDescription)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and moves the finished file into place.
    func finish() throws {
        try flush()
        closed = true
        guard let path, let temporary else { return }
        try? handle.close()
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            throw IssueStreamError.outputFailed(path: path, detail: error.localizedDescription)
        }
    }
}
