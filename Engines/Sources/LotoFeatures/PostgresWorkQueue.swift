import Foundation
import LibPQ
import MemoryGovernor

/// Series shared out among `loto-features generate --worker` processes through a work table in
/// the PostgreSQL store, `loto_features_work`: one row per series, claimed with
/// `SELECT … FOR UPDATE SKIP LOCKED` and a lease that expires.
///
/// A worker claims a few series, computes them, and upserts their rows and marks them done in
/// one transaction. A worker that dies loses only its lease: when it expires another worker
/// claims the series again, and the upsert makes a second write of the same rows change
/// nothing. A series whose lease expired `maximumAttempts` times is marked failed instead.
public final class PostgresWorkQueue {
    public static let table = "loto_features_work"
    /// Claims of one series before its expiring lease marks it failed.
    public static let maximumAttempts = 3

    private let store: PostgresFeatureStore
    private var connection: PostgresConnection { store.connection }
    /// `host:pid:random`: who holds a lease, as `status` shows it.
    public let worker: String

    public init(store: PostgresFeatureStore, worker: String) {
        self.store = store
        self.worker = worker
    }

    /// The work table's columns, in order; a table with others is refused, never altered.
    static let columns = [
        "loto", "unique_id", "version", "state", "worker", "lease_until", "attempts", "error", "updated_at",
    ]

    /// Runs `body` holding a session advisory lock of this schema's work table; the lock goes
    /// with the session if the worker dies.
    func whileLocked<T>(_ body: () throws -> T) throws -> T {
        let key = "hashtext(current_schema() || '.\(Self.table)')"
        try store.guarded { _ = try connection.execute("SELECT pg_advisory_lock(\(key))") }
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(key))") }
        return try body()
    }

    /// Creates the work table if it is missing and refuses one of another shape.
    public func prepare() throws {
        try store.guarded {
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS \(Self.table) (
                    loto varchar NOT NULL,
                    unique_id varchar NOT NULL,
                    version text NOT NULL,
                    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'claimed', 'done', 'failed')),
                    worker text,
                    lease_until timestamptz,
                    attempts integer NOT NULL DEFAULT 0,
                    error text,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (loto, unique_id))
                """)
            // What a claim scans, in key order: the series not yet done or failed, without
            // walking past the done ones (most of a large run's table by its end).
            try connection.execute(
                "CREATE INDEX IF NOT EXISTS \(Self.table)_open ON \(Self.table) (loto, unique_id) WHERE state IN ('pending', 'claimed')"
            )
            let found = try connection.execute(
                """
                SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum
                """, [Self.table])
            let names = (0..<found.rowCount).map { found.value(row: $0, column: 0) ?? "" }
            guard names == Self.columns else {
                throw LotoFeaturesError.store(
                    target: store.target,
                    problem:
                        "table \(Self.table) has columns \(names.joined(separator: ", ")), not those of this version (\(Self.columns.joined(separator: ", "))); drop it or use another schema"
                )
            }
        }
    }

    /// Empties the work table (making it if missing): the next workers compute every series
    /// again instead of skipping those marked done.
    public func clear() throws {
        try prepare()
        try store.guarded { _ = try connection.execute("DELETE FROM \(Self.table)") }
    }

    /// What identifies a series' work: its draw count, last day and the run's tables and
    /// pipelines. A series whose version changed (new draws, other pipelines) is pending again;
    /// one whose version is the same keeps its state, so workers started together, each adding
    /// every series, add each once.
    public static func version(of series: DrawSeries, plan: String) -> String {
        "\(series.days.count) draws to \(series.days.last?.description ?? "none"); \(plan)"
    }

    /// Adds every series as pending, or pending again when its version changed; one transaction.
    public func enqueue(_ series: [DrawSeries], plan: String) throws {
        try store.guarded {
            try connection.execute("BEGIN")
            do {
                for one in series {
                    try connection.execute(
                        """
                        INSERT INTO \(Self.table) (loto, unique_id, version) VALUES ($1, $2, $3)
                        ON CONFLICT (loto, unique_id) DO UPDATE SET version = EXCLUDED.version, state = 'pending',
                            worker = NULL, lease_until = NULL, attempts = 0, error = NULL, updated_at = now()
                        WHERE \(Self.table).version IS DISTINCT FROM EXCLUDED.version
                        """, [one.loto, one.uniqueId, Self.version(of: one, plan: plan)])
                }
                try connection.execute("COMMIT")
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Claims up to `limit` series, pending or with an expired lease, for `leaseSeconds`; marks
    /// failed those whose lease has expired `maximumAttempts` times. Empty when nothing is
    /// claimable now.
    public func claim(limit: Int, leaseSeconds: Double) throws -> [SeriesKey] {
        try store.guarded {
            try connection.execute(
                """
                UPDATE \(Self.table) SET state = 'failed', updated_at = now(),
                    error = 'its lease expired ' || attempts || ' times (a worker died or outlived --lease each time)'
                WHERE state = 'claimed' AND lease_until < now() AND attempts >= \(Self.maximumAttempts)
                """)
            let claimed = try connection.execute(
                """
                UPDATE \(Self.table) SET state = 'claimed', worker = $1,
                    lease_until = now() + make_interval(secs => $2::double precision),
                    attempts = attempts + 1, updated_at = now()
                WHERE (loto, unique_id) IN (
                    SELECT loto, unique_id FROM \(Self.table)
                    WHERE state = 'pending' OR (state = 'claimed' AND lease_until < now())
                    ORDER BY loto, unique_id LIMIT $3 FOR UPDATE SKIP LOCKED)
                RETURNING loto, unique_id
                """, [worker, String(leaseSeconds), String(limit)])
            return (0..<claimed.rowCount).map {
                SeriesKey(
                    loto: claimed.value(row: $0, column: 0) ?? "", uniqueId: claimed.value(row: $0, column: 1) ?? "")
            }.sorted()
        }
    }

    /// Upserts `batch` and marks `keys` done in one transaction; if this worker's lease on any
    /// of them was lost (expired and claimed by another), nothing is written and
    /// ``LeaseLost`` is thrown: the other worker writes them.
    public func complete(_ keys: [SeriesKey], with batch: FeatureBatch) throws -> Int {
        try store.write(batch) { connection in
            for key in keys {
                let marked = try connection.execute(
                    """
                    UPDATE \(Self.table) SET state = 'done', lease_until = NULL, error = NULL, updated_at = now()
                    WHERE loto = $1 AND unique_id = $2 AND worker = $3 AND state = 'claimed'
                    """, [key.loto, key.uniqueId, self.worker])
                guard marked.affectedRows == 1 else { throw LeaseLost(key: key) }
            }
        }
    }

    /// A claim this worker no longer holds.
    public struct LeaseLost: Error, CustomStringConvertible {
        public var key: SeriesKey
        public var description: String { "the lease on \(key) was lost to another worker" }
    }

    /// Marks `keys` failed with `error`, where this worker still holds them.
    public func fail(_ keys: [SeriesKey], error: String) throws {
        try store.guarded {
            for key in keys {
                try connection.execute(
                    """
                    UPDATE \(Self.table) SET state = 'failed', lease_until = NULL, error = $4, updated_at = now()
                    WHERE loto = $1 AND unique_id = $2 AND worker = $3 AND state = 'claimed'
                    """, [key.loto, key.uniqueId, worker, String(error.prefix(1000))])
            }
        }
    }

    /// Series not finished (pending, or claimed by anyone) and the seconds until the soonest
    /// live lease expires (nil when none is held).
    public func outstanding() throws -> (count: Int, secondsToNextExpiry: Double?) {
        try store.guarded {
            let result = try connection.execute(
                """
                SELECT count(*) FILTER (WHERE state IN ('pending', 'claimed')),
                    extract(epoch FROM min(lease_until) FILTER (WHERE state = 'claimed') - now())
                FROM \(Self.table)
                """)
            return (
                Int(result.value(row: 0, column: 0) ?? "0") ?? 0, result.value(row: 0, column: 1).flatMap(Double.init)
            )
        }
    }

    /// How the work stands: `status`'s table.
    public struct Status: Sendable, Equatable {
        public var pending = 0
        public var claimed = 0
        /// Claimed, but the lease has run out: the worker died or is late; claimable again.
        public var expired = 0
        public var done = 0
        public var failed = 0
        /// Workers holding live leases, and how many each.
        public var workers: [(String, Int)] = []
        /// The first failures, with their errors.
        public var failures: [(SeriesKey, String)] = []

        public static func == (a: Status, b: Status) -> Bool {
            (a.pending, a.claimed, a.expired, a.done, a.failed) == (b.pending, b.claimed, b.expired, b.done, b.failed)
        }
    }

    /// The work table's counts, or nil when no worker has made one in this store.
    public static func status(of store: PostgresFeatureStore) throws -> Status? {
        let connection = store.connection
        return try store.guarded {
            let exists = try connection.execute("SELECT to_regclass($1) IS NOT NULL", [table])
            guard exists.value(row: 0, column: 0) == "t" else { return nil }
            var status = Status()
            let counts = try connection.execute(
                """
                SELECT count(*) FILTER (WHERE state = 'pending'),
                    count(*) FILTER (WHERE state = 'claimed' AND lease_until >= now()),
                    count(*) FILTER (WHERE state = 'claimed' AND lease_until < now()),
                    count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'failed')
                FROM \(table)
                """)
            let numbers = (0..<5).map { Int(counts.value(row: 0, column: $0) ?? "0") ?? 0 }
            (status.pending, status.claimed, status.expired, status.done, status.failed) = (
                numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]
            )
            let holders = try connection.execute(
                "SELECT worker, count(*) FROM \(table) WHERE state = 'claimed' AND lease_until >= now() GROUP BY worker ORDER BY worker"
            )
            status.workers = (0..<holders.rowCount).map {
                (holders.value(row: $0, column: 0) ?? "", Int(holders.value(row: $0, column: 1) ?? "0") ?? 0)
            }
            let failures = try connection.execute(
                "SELECT loto, unique_id, coalesce(error, '') FROM \(table) WHERE state = 'failed' ORDER BY loto, unique_id LIMIT 5"
            )
            status.failures = (0..<failures.rowCount).map {
                (
                    SeriesKey(
                        loto: failures.value(row: $0, column: 0) ?? "",
                        uniqueId: failures.value(row: $0, column: 1) ?? ""
                    ), failures.value(row: $0, column: 2) ?? ""
                )
            }
            return status
        }
    }
}

/// One `generate --worker` process: enqueue every series, then claim, compute and complete
/// until no series is pending or held by another worker's live lease.
public struct FeatureWorker {
    public var generator: FeatureGenerator
    /// Seconds a claim holds; longer than one claim's computation takes.
    public var leaseSeconds: Double
    /// Series per claim.
    public var claimSize: Int

    public init(generator: FeatureGenerator, leaseSeconds: Double, claimSize: Int) {
        self.generator = generator
        self.leaseSeconds = leaseSeconds
        self.claimSize = max(claimSize, 1)
    }

    /// What this worker did.
    public struct Summary: Sendable, Equatable {
        public var seriesDone = 0
        public var claims = 0
        public var rowsChanged = 0
        public var leasesLost = 0
    }

    /// The tables and pipelines of the run, as the work table's version records them.
    public var plan: String {
        "tables " + generator.tables.map(\.rawValue).joined(separator: ",") + ", pipelines "
            + generator.pipelines.map(\.description).joined(separator: ",")
    }

    public func run(
        _ series: [DrawSeries], into store: PostgresFeatureStore, worker: String,
        progress: (Summary, Int) -> Void = { _, _ in }
    ) async throws -> Summary {
        try FeatureGenerator.checkKeys(series)
        let queue = PostgresWorkQueue(store: store, worker: worker)
        // One worker at a time creates the tables: PostgreSQL's CREATE TABLE IF NOT EXISTS is
        // not safe against itself (two at once can fail on pg_type's unique index).
        try queue.whileLocked {
            // The feature tables first: a store of another schema is refused before anything is claimed.
            try store.prepare(generator.layouts)
            try queue.prepare()
            try queue.enqueue(series, plan: plan)
        }
        let byKey = Dictionary(uniqueKeysWithValues: series.map { ($0.key, $0) })
        var summary = Summary()
        // Under the generator's governor a claim shrinks as memory nears the budget, and at
        // the cap the worker stops after a completed claim; the other workers go on.
        let job = try generator.governor?.admit(
            job: "loto-features worker", batch: AdaptiveBatchSize(initial: claimSize, ceiling: claimSize))
        defer { job?.finish() }
        while true {
            try Task.checkCancellation()
            if job?.shouldStop == true {
                throw LotoFeaturesError.interrupted(
                    "stopped by the memory governor after \(summary.seriesDone) series of this worker's (all written); the series left are for the other workers, or for this command run again"
                )
            }
            let size = job?.nextBatchSize() ?? claimSize
            let keys = try queue.claim(limit: size, leaseSeconds: leaseSeconds)
            if keys.isEmpty {
                let (left, nextExpiry) = try queue.outstanding()
                if left == 0 { break }
                progress(summary, left)
                // Another worker holds the rest: wait for it to finish or for its lease to run out.
                let wait = min(max(nextExpiry ?? 1, 0.2), 2)
                try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                continue
            }
            summary.claims += 1
            // A series the work table names but this worker's input lacks: fail it, loudly.
            let unknown = keys.filter { byKey[$0] == nil }
            if !unknown.isEmpty {
                try queue.fail(unknown, error: "not in the input of worker \(worker)")
            }
            let claimed = keys.compactMap { byKey[$0] }
            guard !claimed.isEmpty else { continue }
            let batch = await generator.compute(claimed, within: series)
            do {
                summary.rowsChanged += try queue.complete(claimed.map(\.key), with: batch)
                summary.seriesDone += claimed.count
            } catch is PostgresWorkQueue.LeaseLost {
                summary.leasesLost += 1
            }
            progress(summary, try queue.outstanding().count)
        }
        try store.finish()
        return summary
    }
}
