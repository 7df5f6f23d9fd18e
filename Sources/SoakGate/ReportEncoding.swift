import Foundation
import SoakGateBasics

/// How reports are written and read: pretty, key-sorted JSON (the same report always gives the
/// same bytes), with infinities and NaN as strings.
enum ReportJSON {
    static func encode<Report: Encodable>(_ report: Report) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        var data = try encoder.encode(report)
        data.append(0x0A)
        return data
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    /// Decodes a report whose `schemaVersion` was read already: one newer than `current` is
    /// refused with the advice to update, one that does not decode names its version and what
    /// did not match. `kind` (`"bench report"`) goes into that message; nil for the leak report.
    static func decode<Report: Decodable>(
        _ type: Report.Type, from data: Data, schemaVersion: Int, current: Int, kind: String?, path: String
    ) throws -> Report {
        guard schemaVersion <= current else {
            throw ReportReadError(
                path: path,
                reason:
                    "has schemaVersion \(schemaVersion), newer than this soakgate reads (\(current)); update soakgate")
        }
        do {
            return try decoder().decode(type, from: data)
        } catch {
            throw ReportReadError(
                path: path,
                reason: "does not match \(kind.map { $0 + " " } ?? "")schemaVersion \(schemaVersion): \(error)")
        }
    }
}

extension LeakReport {
    /// Pretty, key-sorted JSON: the same report always gives the same bytes.
    public func jsonData() throws -> Data {
        try ReportJSON.encode(self)
    }

    /// Reads a report, refusing one from a newer schema.
    public static func read(from data: Data, path: String) throws -> LeakReport {
        struct VersionOnly: Decodable { var schemaVersion: Int }
        let decoder = ReportJSON.decoder()
        guard (try? JSONSerialization.jsonObject(with: data)) != nil else {
            throw ReportReadError(
                path: path, reason: data.isEmpty ? "is empty" : "is not valid JSON (truncated, or another format)")
        }
        guard let version = try? decoder.decode(VersionOnly.self, from: data) else {
            throw ReportReadError(
                path: path, reason: "is JSON but not a SoakGate leak report (it has no schemaVersion)")
        }
        let report = try ReportJSON.decode(
            LeakReport.self, from: data, schemaVersion: version.schemaVersion, current: currentSchemaVersion,
            kind: nil, path: path)
        // The slope the gate compares and multiplies, checked before it does.
        for (index, workload) in report.workloads.enumerated() {
            guard let rate = workload.bytesPerIteration else { continue }
            do {
                try CheckedNumber.checked(rate, in: -1e15...1e15, source: "workloads[\(index)].bytesPerIteration")
            } catch {
                throw ReportReadError(path: path, reason: "has \(error)")
            }
        }
        return report
    }
}

/// A report file that cannot be read.
public struct ReportReadError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    /// What the file was meant to be: `report`, `policy`.
    public var what = "report"

    public init(path: String, reason: String, what: String = "report") {
        self.path = path
        self.reason = reason
        self.what = what
    }

    public var description: String { "\(what) '\(path)' \(reason)" }
}

/// Reads a file named on the command line, with a one-line reason when it cannot. Only a
/// regular file is read, opened non-blocking: a FIFO or a device named as a report is refused,
/// never waited on.
public enum InputFile {
    /// The contents of `path` (at most 256 MiB); `what` names it in the error (`policy`, `report`).
    public static func read(_ path: String, what: String) throws -> Data {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw ReportReadError(
                path: path,
                reason: errno == ENOENT ? "does not exist" : "cannot be read (\(String(cString: strerror(errno))))",
                what: what)
        }
        if let kind = RegularFile.irregularKind(path) {
            throw ReportReadError(path: path, reason: "is \(kind), not a file", what: what)
        }
        do {
            return Data(try RegularFile.read(path, limit: 256 << 20))
        } catch {
            throw ReportReadError(path: path, reason: "cannot be read (\(error.reason))", what: what)
        }
    }
}
