import Foundation
import SoakGateBasics

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

extension SoakEvent {
    /// Checks the event's numbers, as ``SoakSample/check(source:sizeClassCount:)`` does a reading's.
    public func check(source: String) throws(CheckedNumber.RangeError) {
        try CheckedNumber.checked(segment, in: 0...SoakLimits.maximumSegments, source: source + " segment")
        try CheckedNumber.checked(
            elapsedSeconds, in: 0...SoakLimits.maximumElapsedSeconds, source: source + " elapsedSeconds",
            unit: "seconds")
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

    /// Reads the manifest only, refusing what is not a soak directory and a manifest that a new
    /// soak's flags would not pass (``SoakManifest/validate(naming:)``, each setting named as
    /// `DIR/soak.json: intervalSeconds`).
    public func readManifest() throws -> SoakManifest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SoakDirectoryError(description: "soak directory '\(path)' does not exist")
        }
        guard isDirectory.boolValue else {
            throw SoakDirectoryError(description: "'\(path)' is a file, not a soak directory")
        }
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw SoakDirectoryError(
                description:
                    "'\(path)' is not a soak directory (it has no soak.json); start one with 'soakgate soak --out \(path) ...'"
            )
        }
        let data: [UInt8]
        do {
            data = try RegularFile.read(manifestPath, limit: 16 << 20)
        } catch {
            throw SoakDirectoryError(description: error.description)
        }
        guard let manifest = try? JSONDecoder().decode(SoakManifest.self, from: Data(data)),
            manifest.kind == "soakgate-soak"
        else {
            throw SoakDirectoryError(description: "'\(manifestPath)' is not a SoakGate soak manifest")
        }
        guard manifest.schemaVersion <= SoakManifest.currentSchemaVersion else {
            throw SoakDirectoryError(
                description:
                    "'\(manifestPath)' has schemaVersion \(manifest.schemaVersion), newer than this soakgate reads; update soakgate"
            )
        }
        do {
            try manifest.validate { "\(manifestPath): \($0.rawValue)" }
        } catch {
            throw SoakDirectoryError(description: "\(error)")
        }
        return manifest
    }

    /// Reads everything; never writes. A line whose numbers are out of range (an edited or
    /// corrupt file) throws, naming `file:line` and the field.
    public func read() throws -> Contents {
        let manifest = try readManifest()
        var unreadable: [String] = []
        let classCount = manifest.sizeClasses.isEmpty ? SoakLimits.maximumSizeClasses : manifest.sizeClasses.count
        let samples: [SoakSample] = try Self.readLines(samplesPath, name: "samples.jsonl", unreadable: &unreadable) {
            sample, source in
            try sample.check(source: source, sizeClassCount: classCount)
        }
        let events: [SoakEvent] = try Self.readLines(eventsPath, name: "events.jsonl", unreadable: &unreadable) {
            event, source in
            try event.check(source: source)
        }
        return Contents(manifest: manifest, samples: samples, events: events, unreadableLines: unreadable)
    }

    /// The bytes of one of the soak's logs; nothing for a log not written yet.
    private static func contents(_ path: String) throws -> [UInt8]? {
        guard access(path, F_OK) == 0 || RegularFile.irregularKind(path) != nil else { return nil }
        do {
            return try RegularFile.read(path)
        } catch {
            throw SoakDirectoryError(description: error.description)
        }
    }

    private static func readLines<Line: Decodable>(
        _ path: String, name: String, unreadable: inout [String], check: (Line, String) throws -> Void
    ) throws -> [Line] {
        guard let bytes = try contents(path) else { return [] }
        let data = Data(bytes)
        let decoder = JSONDecoder()
        var lines: [Line] = []
        var number = 0
        var start = data.startIndex
        while start < data.endIndex {
            number += 1
            let newline = data[start...].firstIndex(of: 0x0A)
            let end = newline ?? data.endIndex
            let bytes = data[start..<end]
            if let line = try? decoder.decode(Line.self, from: bytes), newline != nil {
                do {
                    try check(line, "\(path):\(number):")
                } catch {
                    throw SoakDirectoryError(description: "\(error)")
                }
                lines.append(line)
            } else if newline == nil {
                unreadable.append(
                    "\(name) line \(number): torn by an interrupted write (\(bytes.count) bytes), ignored")
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
            // The logs are appended to and cut here: never through a link to some other file.
            var status = stat()
            if lstat(file, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK {
                throw SoakDirectoryError(
                    description: "'\(file)' is a symbolic link; a soak's logs must be plain files in its directory")
            }
            guard let data = try Self.contents(file), let last = data.last, last != 0x0A else { continue }
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

    /// Opens `path` for appending, creating it if needed; a symlink at `path` is refused, not followed.
    public init(path: String) throws(FileError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError.errno(path) }
    }

    deinit { close(descriptor) }

    /// Appends `data` (one or more whole lines) and waits until it is on disk.
    public func append(_ data: Data) throws(FileError) {
        lock.lock()
        defer { lock.unlock() }
        let failed = data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count, let base = bytes.baseAddress {
                let written = Foundation.write(descriptor, base + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                offset += written
            }
            return false
        }
        if failed || fdatasync(descriptor) != 0 { throw FileError.errno(path) }
    }
}
