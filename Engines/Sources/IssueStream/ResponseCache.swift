import Foundation
import SoakGateBasics
import Synchronization

/// A cached GET answer: what revalidates it (ETag, Last-Modified) and what it said.
public struct CachedResponse: Sendable, Codable, Equatable {
    /// The ETag the server sent.
    public var etag: String?
    /// The Last-Modified the server sent.
    public var lastModified: String?
    /// The `link` header (pagination), kept so a 304 page still knows its next page.
    public var link: String?
    /// When it was stored or last revalidated (clock seconds).
    public var storedAt: Double
    /// The body.
    public var body: Data

    /// An entry as stored.
    public init(etag: String?, lastModified: String?, link: String?, storedAt: Double, body: Data) {
        self.etag = etag
        self.lastModified = lastModified
        self.link = link
        self.storedAt = storedAt
        self.body = body
    }
}

/// Which tier answered a lookup.
public enum CacheTier: String, Sendable {
    /// The in-memory LRU.
    case memory
    /// Files under `--cache-dir`.
    case disk
}

/// Responses keyed by URL and token identity: a bounded in-memory LRU in front of an optional
/// directory of files. Entries older than `ttl` are not served as-is but still give their ETag
/// for a conditional request (whose 304 costs no budget).
public final class ResponseCache: Sendable {
    private struct Memory {
        var entries: [String: (response: CachedResponse, lastUse: UInt64)] = [:]
        var bytes = 0
        var tick: UInt64 = 0
    }
    private let memory = Mutex(Memory())
    /// While true (the governor's light mode) nothing new enters the memory tier; the disk tier
    /// is still written, so a rerun can still revalidate.
    private let memoryTierPaused = Atomic<Bool>(false)
    /// The byte bound of the memory tier.
    public let memoryLimitBytes: Int
    /// Where the disk tier lives, if any.
    public let directory: URL?
    /// Seconds an entry is served without asking the server.
    public let ttl: Double

    /// A cache with a memory tier of `memoryLimitBytes` and, with `directory`, a disk tier.
    public init(memoryLimitBytes: Int = 32 << 20, directory: URL? = nil, ttl: Double = 0) throws {
        self.memoryLimitBytes = memoryLimitBytes
        self.directory = directory
        self.ttl = ttl
        if let directory {
            // Refused by kind first, so the line says what is there instead of Foundation's prose.
            if let kind = RegularFile.irregularKind(directory.path), kind != "a directory" {
                throw IssueStreamError.badConfiguration("--cache-dir \(directory.path) is \(kind), not a directory")
            }
            var status = stat()
            if stat(directory.path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG {
                throw IssueStreamError.badConfiguration(
                    "--cache-dir \(directory.path) is a regular file, not a directory")
            }
            do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
                throw IssueStreamError.badConfiguration(
                    "--cache-dir \(directory.path) cannot be created (\(ServerText.shown(error.localizedDescription, hiding: nil)))"
                )
            }
        }
    }

    /// Bytes now held in memory.
    public var memoryBytes: Int { memory.withLock { $0.bytes } }

    /// Whether new entries are kept out of the memory tier (light mode under memory pressure):
    /// answers are then held only for the page that needs them, and lookups still read the
    /// disk tier.
    public var isMemoryTierPaused: Bool {
        get { memoryTierPaused.load(ordering: .relaxed) }
        set { memoryTierPaused.store(newValue, ordering: .relaxed) }
    }

    /// The entry for `key`, and the tier it came from.
    public func lookup(_ key: String) -> (CachedResponse, CacheTier)? {
        let hit: CachedResponse? = memory.withLock { state in
            guard var entry = state.entries[key] else { return nil }
            state.tick += 1
            entry.lastUse = state.tick
            state.entries[key] = entry
            return entry.response
        }
        if let hit { return (hit, .memory) }
        // Only a regular file is read, opened non-blocking: a FIFO planted in the cache directory
        // is a miss, not a hang.
        guard let path = file(for: key), let bytes = try? RegularFile.read(path.path, limit: Self.entryLimit),
            case let data = Data(bytes),
            let stored = try? JSONDecoder().decode(DiskEntry.self, from: data), stored.key == key
        else { return nil }
        putInMemory(key, stored.response)
        return (stored.response, .disk)
    }

    /// Stores an answer in both tiers. The file goes through the project's atomic writer (never
    /// through a symlink planted at its temporary name); unsynced, since a cache entry lost in a
    /// crash costs one request, and a failed write only costs the disk tier that entry.
    public func store(_ key: String, _ response: CachedResponse) {
        putInMemory(key, response)
        guard let path = file(for: key),
            let encoded = try? JSONEncoder().encode(DiskEntry(key: key, response: response))
        else { return }
        try? AtomicFile.write(encoded, to: path.path, sync: false)
    }

    /// Largest cache file read back: a page at the client's largest body limit, JSON-escaped.
    static let entryLimit = 16 << 30

    /// Empties the memory tier (the governor's emergency action); returns the bytes freed.
    @discardableResult
    public func dropMemory() -> Int {
        memory.withLock { state in
            let freed = state.bytes
            state = Memory()
            return freed
        }
    }

    private func putInMemory(_ key: String, _ response: CachedResponse) {
        let size = response.body.count + key.utf8.count + 128
        guard size <= memoryLimitBytes, !isMemoryTierPaused else { return }
        memory.withLock { state in
            state.tick += 1
            if let old = state.entries[key] { state.bytes -= old.response.body.count + key.utf8.count + 128 }
            state.entries[key] = (response, state.tick)
            state.bytes += size
            while state.bytes > memoryLimitBytes,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })
            {
                state.entries[oldest.key] = nil
                state.bytes -= oldest.value.response.body.count + oldest.key.utf8.count + 128
            }
        }
    }

    private func file(for key: String) -> URL? {
        directory?.appendingPathComponent(String(Fingerprint.of(key), radix: 16) + ".json")
    }

    private struct DiskEntry: Codable {
        var key: String
        var response: CachedResponse
    }
}

/// FNV-1a: a stable 64-bit fingerprint (cache file names, token identity). Not a secret hash;
/// it only keeps raw tokens out of keys and file names.
enum Fingerprint {
    static func of(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
