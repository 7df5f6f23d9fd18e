/// Everything loto-features refuses, as one line naming the input and what is wrong.
public enum LotoFeaturesError: Error, CustomStringConvertible, Equatable {
    /// A CSV problem at a line (1-based, the header is line 1) and, when known, a column.
    case csv(file: String, line: Int, column: String?, problem: String)
    /// A file that could not be read or written.
    case file(path: String, problem: String)
    /// A store (SQLite file or PostgreSQL server) that refused; `target` never holds a password.
    case store(target: String, problem: String)
    /// A PostgreSQL source that refused or returned bad data; `target` never holds a password.
    case source(target: String, problem: String)
    /// A command-line value that is not usable, with what to type instead.
    case usage(String)
    /// The run stopped early (the memory governor asked it to) with every finished batch kept.
    case interrupted(String)
    /// An output (such as the governor's report) that could not be written at the end of a run.
    case output(path: String, problem: String)

    public var description: String {
        switch self {
        case .csv(let file, let line, let column, let problem):
            return "\(file):\(line)\(column.map { ", column '\($0)'" } ?? ""): \(problem)"
        case .file(let path, let problem):
            return "\(path): \(problem)"
        case .output(let path, let problem):
            return "\(path): \(problem)"
        case .store(let target, let problem):
            return "store \(target): \(problem)"
        case .source(let target, let problem):
            return "source \(target): \(problem)"
        case .usage(let message), .interrupted(let message):
            return message
        }
    }
}

/// Text from an input as a message shows it: a field of a file that others wrote may hold a
/// carriage return, a line separator or megabytes of garbage, and a message is one short line.
enum Shown {
    /// `bytes` decoded as UTF-8 with control characters and line separators as `?`, cut to
    /// `limit` characters (then ending in `…`).
    static func text(_ bytes: some Collection<UInt8>, limit: Int = 40) -> String {
        var result = ""
        var count = 0
        for scalar in String(decoding: bytes.prefix(limit * 4 + 4), as: UTF8.self).unicodeScalars {
            if count == limit {
                result += "…"
                break
            }
            let value = scalar.value
            let hidden = value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
            result.unicodeScalars.append(hidden ? "?" : scalar)
            count += 1
        }
        return result
    }
}
