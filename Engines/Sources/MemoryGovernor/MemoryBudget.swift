import Foundation
import SoakGateBasics

/// How much memory the engines may use, and where that figure came from.
public struct MemoryBudget: Sendable, Equatable, Codable {
    public enum Source: String, Sendable, Codable {
        /// Given by the caller (configuration or a command-line option).
        case configured
        /// The cgroup v2 limit (`memory.max`).
        case cgroupV2
        /// The cgroup v1 limit (`memory.limit_in_bytes`).
        case cgroupV1
        /// The machine's physical memory.
        case systemMemory
    }

    public var bytes: Int
    public var source: Source

    public init(bytes: Int, source: Source) {
        self.bytes = bytes
        self.source = source
    }

    /// The budget from configuration, else the cgroup limit, else system memory. A configured
    /// budget of zero or above the machine's memory, or a cgroup file that exists but cannot be
    /// read as a number, is an error: never a silent default that disables protection.
    ///
    /// - Parameters:
    ///   - configured: bytes from configuration, if any.
    ///   - cgroupRoot: where the cgroup files are (injectable for tests).
    ///   - physicalMemory: the machine's memory (injectable for tests).
    public static func resolve(
        configured: Int?, cgroupRoot: String = "/sys/fs/cgroup",
        physicalMemory: Int = Int(clamping: ProcessInfo.processInfo.physicalMemory)
    ) throws -> MemoryBudget {
        if let configured {
            guard configured > 0 else { throw BudgetError.notPositive(configured) }
            guard configured <= physicalMemory else { throw BudgetError.largerThanMachine(configured, physicalMemory) }
            return MemoryBudget(bytes: configured, source: .configured)
        }
        let candidates: [(String, Source)] = [
            (cgroupRoot + "/memory.max", .cgroupV2),
            (cgroupRoot + "/memory/memory.limit_in_bytes", .cgroupV1),
        ]
        for (path, source) in candidates where FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw BudgetError.unreadable(path, "cannot be read")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text == "max" { continue }
            guard let limit = Int(text), limit > 0 else {
                throw BudgetError.unreadable(path, "holds '\(text.prefix(40))', not a byte count")
            }
            // cgroup v1 writes a huge number (about 2^63) for "no limit".
            if limit >= physicalMemory { continue }
            return MemoryBudget(bytes: limit, source: source)
        }
        guard physicalMemory > 0 else { throw BudgetError.notPositive(physicalMemory) }
        return MemoryBudget(bytes: physicalMemory, source: .systemMemory)
    }

    /// A budget that cannot be used.
    public enum BudgetError: Error, CustomStringConvertible, Equatable {
        case notPositive(Int)
        case largerThanMachine(Int, Int)
        case unreadable(String, String)
        /// The budget, what the process used at start, and the smallest budget in MiB that
        /// leaves room to work.
        case belowStartingUsage(Int, Int, Int)

        public var description: String {
            switch self {
            case .notPositive(let bytes):
                return "memory budget \(bytes) bytes is not positive; give a size such as 2GiB"
            case .largerThanMachine(let bytes, let machine):
                return "memory budget \(bytes) bytes is larger than this machine's \(machine) bytes; give at most that"
            case .belowStartingUsage(let bytes, let start, let neededMiB):
                return
                    "memory budget \(ByteCount.format(bytes)) is below what this process already uses (\(ByteCount.format(start)) before any work); give at least \(neededMiB) MiB"
            case .unreadable(let path, let reason):
                return "cgroup file '\(path)' \(reason); fix the container's memory limit or give a budget explicitly"
            }
        }
    }
}
