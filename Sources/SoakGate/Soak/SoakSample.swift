import Foundation
import SoakGateBasics

/// One reading of a soaking workload's heap: a line of `samples.jsonl`.
public struct SoakSample: Sendable, Equatable, Codable {
    /// When in the soak's rhythm the reading was taken.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The first reading of a process, after set-up and warm-up.
        case start
        /// At the sampling interval, between two iterations.
        case interval
        /// At a checkpoint, after the workload paused for the settle time.
        case settled
        /// At a checkpoint, after the settle reading and a forced jemalloc purge.
        case purged
        /// The last reading of a process that ended on its own (deadline or a clean stop).
        case end
    }

    public var workload: String
    /// 0 for the process that started the soak, one more for each `--resume`.
    public var segment: Int
    public var kind: Kind
    /// Seconds of soak time: continues across a resume, the time the soak was down excluded.
    public var elapsedSeconds: Double
    /// Iterations completed since the soak began, across resumes.
    public var iterations: Int
    /// jemalloc `stats.allocated`: live bytes of the whole process.
    public var liveBytes: Int
    /// jemalloc `stats.active` and `stats.resident`.
    public var activeBytes: Int
    public var residentBytes: Int
    /// The process's resident set size (`/proc/self/statm`).
    public var processResidentBytes: Int
    /// Mean and longest iteration since the previous reading, in seconds; nil when no
    /// iteration ran in between.
    public var meanIterationSeconds: Double?
    public var maxIterationSeconds: Double?
    /// Live objects per size class (index into the report's size classes → count), only the
    /// classes with live objects; at checkpoints and at start and end.
    public var sizeClassCounts: [Int: Int]?

    public init(
        workload: String, segment: Int, kind: Kind, elapsedSeconds: Double, iterations: Int, liveBytes: Int,
        activeBytes: Int, residentBytes: Int, processResidentBytes: Int, meanIterationSeconds: Double?,
        maxIterationSeconds: Double?, sizeClassCounts: [Int: Int]?
    ) {
        self.workload = workload
        self.segment = segment
        self.kind = kind
        self.elapsedSeconds = elapsedSeconds
        self.iterations = iterations
        self.liveBytes = liveBytes
        self.activeBytes = activeBytes
        self.residentBytes = residentBytes
        self.processResidentBytes = processResidentBytes
        self.meanIterationSeconds = meanIterationSeconds
        self.maxIterationSeconds = maxIterationSeconds
        self.sizeClassCounts = sizeClassCounts
    }

    /// Checks every number against ``SoakLimits`` before any arithmetic sees it; `source` names
    /// the line (`DIR/samples.jsonl:12:`), the error adds the field.
    public func check(source: String, sizeClassCount: Int) throws(CheckedNumber.RangeError) {
        let bytes = 0...SoakLimits.maximumBytes
        let seconds = 0...SoakLimits.maximumElapsedSeconds
        try CheckedNumber.checked(segment, in: 0...SoakLimits.maximumSegments, source: source + " segment")
        try CheckedNumber.checked(elapsedSeconds, in: seconds, source: source + " elapsedSeconds", unit: "seconds")
        try CheckedNumber.checked(iterations, in: 0...SoakLimits.maximumIterations, source: source + " iterations")
        try CheckedNumber.checked(liveBytes, in: bytes, source: source + " liveBytes", unit: "bytes")
        try CheckedNumber.checked(activeBytes, in: bytes, source: source + " activeBytes", unit: "bytes")
        try CheckedNumber.checked(residentBytes, in: bytes, source: source + " residentBytes", unit: "bytes")
        try CheckedNumber.checked(
            processResidentBytes, in: bytes, source: source + " processResidentBytes", unit: "bytes")
        if let meanIterationSeconds {
            try CheckedNumber.checked(
                meanIterationSeconds, in: seconds, source: source + " meanIterationSeconds", unit: "seconds")
        }
        if let maxIterationSeconds {
            try CheckedNumber.checked(
                maxIterationSeconds, in: seconds, source: source + " maxIterationSeconds", unit: "seconds")
        }
        for (index, count) in (sizeClassCounts ?? [:]).sorted(by: { $0.key < $1.key }) {
            try CheckedNumber.checked(
                index, in: 0...max(0, sizeClassCount - 1), source: source + " sizeClassCounts index")
            try CheckedNumber.checked(
                count, in: 0...SoakLimits.maximumBytes, source: source + " sizeClassCounts[\(index)]")
        }
    }

    /// One line of JSON with sorted keys, newline included.
    public func jsonLine() throws -> Data {
        var data = try Self.encoder.encode(self)
        data.append(0x0A)
        return data
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// The line a soaking process writes on standard output for each reading, and its parser.
///
/// `@@soak KIND ELAPSED_NS ITERATIONS LIVE ACTIVE RESIDENT RSS MEAN_NS MAX_NS [CLASS:COUNT ...]`
///
/// The soaking process builds it in a buffer allocated before the soak starts and writes it with
/// `write(2)`, so taking a reading moves no live bytes; the parent turns it into a
/// ``SoakSample`` and makes it durable.
public enum SoakWireLine {
    static let prefix = "@@soak "

    static let kindLetters: [SoakSample.Kind: UInt8] = [
        .start: UInt8(ascii: "b"), .interval: UInt8(ascii: "i"), .settled: UInt8(ascii: "s"),
        .purged: UInt8(ascii: "p"), .end: UInt8(ascii: "e"),
    ]

    /// Parses a line; nil for anything else the process printed.
    public static func parse(_ line: Substring, workload: String, segment: Int) -> SoakSample? {
        guard line.hasPrefix(prefix) else { return nil }
        let fields = line.dropFirst(prefix.count).split(separator: " ")
        guard fields.count >= 9, fields[0].utf8.count == 1,
            let kind = kindLetters.first(where: { $0.value == fields[0].utf8.first })?.key
        else { return nil }
        var numbers: [Int] = []
        for field in fields[1..<9] {
            guard let value = Int(field) else { return nil }
            numbers.append(value)
        }
        var counts: [Int: Int]?
        if fields.count > 9 {
            var parsed: [Int: Int] = [:]
            for field in fields[9...] {
                let pair = field.split(separator: ":")
                guard pair.count == 2, let index = Int(pair[0]), let count = Int(pair[1]) else { return nil }
                parsed[index] = count
            }
            counts = parsed
        } else if kind != .interval {
            counts = [:]
        }
        let hasIterations = numbers[7] > 0
        return SoakSample(
            workload: workload, segment: segment, kind: kind, elapsedSeconds: Double(numbers[0]) / 1e9,
            iterations: numbers[1], liveBytes: numbers[2], activeBytes: numbers[3], residentBytes: numbers[4],
            processResidentBytes: numbers[5],
            meanIterationSeconds: hasIterations ? Double(numbers[6]) / 1e9 : nil,
            maxIterationSeconds: hasIterations ? Double(numbers[7]) / 1e9 : nil,
            sizeClassCounts: counts)
    }
}
