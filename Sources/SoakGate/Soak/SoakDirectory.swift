import Foundation

/// Something that happened during a soak, other than a reading: a line of `events.jsonl`.
public struct SoakEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A soaking process started (segment 0) or started again after `--resume`.
        case started, resumed
        /// A threshold was crossed.
        case alert
        /// The soak was ended early (signal or `--stop-on-alert`).
        case stopped
        /// A soaking process died or threw.
        case crashed
        /// Every process ran its time.
        case finished
    }

    public var kind: Kind
    /// Empty for events of the whole soak.
    public var workload: String
    public var segment: Int
    public var elapsedSeconds: Double
    public var message: String

    public init(kind: Kind, workload: String, segment: Int, elapsedSeconds: Double, message: String) {
        self.kind = kind
        self.workload = workload
        self.segment = segment
        self.elapsedSeconds = elapsedSeconds
        self.message = message
    }
}

/// A soak's directory: `soak.json` (the manifest), `samples.jsonl` and `events.jsonl` (appended,
/// each line on disk before the next is taken), and the reports written from them.
public struct SoakDirectory: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    public var manifestPath: String { path + "/soak.json" }
    public var samplesPath: String { path + "/samples.jsonl" }
    public var eventsPath: String { path + "/events.jsonl" }
    public var reportJSONPath: String { path + "/soak-report.json" }
    public var reportHTMLPath: String { path + "/soak-report.html" }

    /// Why a directory cannot be used as a soak.
    public struct SoakDirectoryError: Error, CustomStringConvertible {
        public var description: String
    }

    /// What is on disk. A last line cut short by a kill is left out and counted in `tornLines`.
    public struct Contents: Sendable {
        public var manifest: SoakManifest
        public var samples: [SoakSample]
        public var events: [SoakEvent]
        /// Lines that could not be read, each described (`samples.jsonl line 812: torn (37 bytes)`).
        public var unreadableLines: [String]
    }

    /// Reads the manifest only, refusing what is not a soak directory.
    public func readManifest() throws -> SoakManifest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SoakDirectoryError(description: "soak directory '\(path)' does not exist")
        }
        guard isDirectory.boolValue else { throw SoakDirectoryError(description: "'\(path)' is a file, not a soak directory") }
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw SoakDirectoryError(description: "'\(path)' is not a soak directory (it has no soak.json); start one with 'soakgate soak --out \(path) ...'")
        }
        guard let manifest = try? JSONDecoder().decode(SoakManifest.self, from: data), manifest.kind == "soakgate-soak" else {
            throw SoakDirectoryError(description: "'\(manifestPath)' is not a SoakGate soak manifest")
        }
        guard manifest.schemaVersion <= SoakManifest.currentSchemaVersion else {
            throw SoakDirectoryError(description: "'\(manifestPath)' has schemaVersion \(manifest.schemaVersion), newer than this soakgate reads; update soakgate")
        }
        return manifest
    }

    /// Reads everything; never writes.
    public func read() throws -> Contents {
        let manifest = try readManifest()
        var unreadable: [String] = []
        let samples: [SoakSample] = Self.readLines(samplesPath, name: "samples.jsonl", unreadable: &unreadable)
        let events: [SoakEvent] = Self.readLines(eventsPath, name: "events.jsonl", unreadable: &unreadable)
        return Contents(manifest: manifest, samples: samples, events: events, unreadableLines: unreadable)
    }

    private static func readLines<Line: Decodable>(_ path: String, name: String, unreadable: inout [String]) -> [Line] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        var lines: [Line] = []
        var number = 0
        var start = data.startIndex
        while start < data.endIndex {
            number += 1
            let newline = data[start...].firstIndex(of: 0x0A)
            let end = newline ?? data.endIndex
            let bytes = data[start..<end]
            if let line = try? decoder.decode(Line.self, from: bytes) , newline != nil {
                lines.append(line)
            } else if newline == nil {
                unreadable.append("\(name) line \(number): torn by an interrupted write (\(bytes.count) bytes), ignored")
            } else if !bytes.allSatisfy({ $0 == 0x20 }) {
                unreadable.append("\(name) line \(number): not a valid record, ignored")
            }
            start = newline.map { data.index(after: $0) } ?? data.endIndex
        }
        return lines
    }

    /// Cuts a torn last line off `samples.jsonl` and `events.jsonl`, so appending goes on after
    /// the last whole record. Returns what was cut.
    public func dropTornTails() throws -> [String] {
        var dropped: [String] = []
        for (file, name) in [(samplesPath, "samples.jsonl"), (eventsPath, "events.jsonl")] {
            guard let data = FileManager.default.contents(atPath: file), let last = data.last, last != 0x0A else { continue }
            let keep = data.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            guard truncate(file, off_t(keep)) == 0 else {
                throw SoakDirectoryError(description: "cannot repair '\(file)': \(String(cString: strerror(errno)))")
            }
            dropped.append("\(name): dropped a torn last line of \(data.count - keep) bytes")
        }
        return dropped
    }
}

/// An append-only file whose every line is on disk (`fdatasync`) before `append` returns, so a
/// `kill -9` loses at most the line being written.
public final class DurableLog: @unchecked Sendable {
    // @unchecked Sendable: the descriptor is immutable after init, and `append` serialises its
    // writes through `lock`.
    private let descriptor: Int32
    private let lock = NSLock()
    public let path: String

    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno)))
        }
    }

    deinit { close(descriptor) }

    /// Appends `data` (one or more whole lines) and waits until it is on disk.
    public func append(_ data: Data) throws {
        lock.lock()
        defer { lock.unlock() }
        var failure = AtomicFile.writeAll(data, to: descriptor)
        if failure == nil && fdatasync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        if let failure { throw AtomicFile.WriteError(path: path, reason: failure) }
    }
}
