import Foundation

extension LeakReport {
    /// Pretty, key-sorted JSON: the same report always gives the same bytes.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Reads a report, refusing one from a newer schema.
    public static func read(from data: Data, path: String) throws -> LeakReport {
        struct VersionOnly: Decodable { var schemaVersion: Int }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        guard let version = try? decoder.decode(VersionOnly.self, from: data) else {
            throw ReportReadError(path: path, reason: "is not a SoakGate leak report (no schemaVersion in valid JSON)")
        }
        guard version.schemaVersion <= currentSchemaVersion else {
            throw ReportReadError(path: path, reason: "has schemaVersion \(version.schemaVersion), newer than this soakgate reads (\(currentSchemaVersion)); update soakgate")
        }
        do {
            return try decoder.decode(LeakReport.self, from: data)
        } catch {
            throw ReportReadError(path: path, reason: "does not match schemaVersion \(version.schemaVersion): \(error)")
        }
    }
}

/// A report file that cannot be read.
public struct ReportReadError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "report '\(path)' \(reason)" }
}
