import Foundation

/// Where growing memory was allocated: the first frames of the allocating stack that belong to
/// the program rather than to the allocator, the Swift runtime or the C library.
public struct AllocationSite: Sendable, Equatable, Codable {
    /// Demangled function names, innermost first (up to three).
    public var frames: [String]
    /// `file:line` of the innermost frame, when the binary has line tables.
    public var location: String?
    /// Bytes and objects this site gained between the two profiles.
    public var bytes: Int
    public var objects: Int
    /// Bytes per iteration between the two profiles.
    public var bytesPerIteration: Double
}

/// Allocation sites for a leaking workload, or why there are none.
public struct AllocationAttribution: Sendable, Equatable, Codable {
    public var sites: [AllocationSite]
    /// Set when attribution failed or was partial (no addr2line, no swift-demangle, a crash).
    public var note: String?
    /// Which types grew and who holds them (the profiled run's heap walks); nil in reports
    /// written before it existed, or with `--no-retention`.
    public var retention: RetentionReport?
}

/// Turns two heap profiles into the allocation sites that grew between them.
enum AllocationSiteFinder {
    /// Libraries whose frames are the allocator's or the runtime's, never the site.
    static func isSystemLibrary(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        return name.hasPrefix("libjemalloc") || name.hasPrefix("libc.so") || name.hasPrefix("libc-")
            || name.hasPrefix("libswiftCore") || name.hasPrefix("libswift_Concurrency") || name.hasPrefix("libdispatch")
            || name.hasPrefix("libFoundation") || name.hasPrefix("libstdc++") || name.hasPrefix("ld-linux")
            || name.hasPrefix("libBlocksRuntime") || name.hasPrefix("libm.so") || name.hasPrefix("libgcc")
    }

    static func find(first: HeapProfile, second: HeapProfile, iterations: Int, limit: Int = 10) -> AllocationAttribution
    {
        let growth = first.growth(to: second)
        guard !growth.isEmpty else {
            return AllocationAttribution(
                sites: [], note: "no allocation stack grew between the two profiles", retention: nil)
        }
        let mappings = second.mappings
        func mapping(of address: UInt64) -> HeapProfile.Mapping? {
            mappings.first { address >= $0.start && address < $0.end }
        }
        // The program frames of each growing stack, innermost first, at most three.
        var programFrames: [[UInt64]: [UInt64]] = [:]
        for stack in growth.keys {
            var frames: [UInt64] = []
            for address in stack {
                guard let map = mapping(of: address) else { continue }
                if isSystemLibrary(map.path) { if frames.isEmpty { continue } else { break } }
                frames.append(address)
                if frames.count == 3 { break }
            }
            programFrames[stack] = frames
        }
        var notes: [String] = []
        let names = symbolise(Set(programFrames.values.flatMap { $0 }), mappings: mappings, notes: &notes)
        var bySite: [String: AllocationSite] = [:]
        for (stack, value) in growth {
            let frames = programFrames[stack] ?? []
            let labels =
                frames.isEmpty
                ? ["(allocator or runtime only)"] : frames.map { names[$0]?.function ?? String(format: "0x%llx", $0) }
            let key = labels.joined(separator: " ← ")
            var site =
                bySite[key]
                ?? AllocationSite(
                    frames: labels, location: frames.first.flatMap { names[$0]?.location }, bytes: 0, objects: 0,
                    bytesPerIteration: 0)
            site.bytes += value.bytes
            site.objects += value.objects
            site.bytesPerIteration = Double(site.bytes) / Double(max(iterations, 1))
            bySite[key] = site
        }
        // The profiling run's own dump call allocates once; it is not the workload's.
        bySite = bySite.filter { !$0.key.contains("HeapProbe.dumpProfile") }
        let sites = bySite.values.sorted { ($0.bytes, $1.frames.joined()) > ($1.bytes, $0.frames.joined()) }
        return AllocationAttribution(
            sites: Array(sites.prefix(limit)), note: notes.isEmpty ? nil : notes.joined(separator: "; "), retention: nil
        )
    }

    /// Function names (demangled) and `file:line` per address, through `addr2line` and
    /// `swift-demangle`.
    static func symbolise(_ addresses: Set<UInt64>, mappings: [HeapProfile.Mapping], notes: inout [String]) -> [UInt64:
        (function: String, location: String?)]
    {
        var byFile: [String: [(UInt64, UInt64)]] = [:]
        for address in addresses.sorted() {
            guard let map = mappings.first(where: { address >= $0.start && address < $0.end }) else { continue }
            let base = mappings.first { $0.path == map.path && $0.offset == 0 }?.start ?? map.start - map.offset
            // Return addresses point after the call; step back into it.
            byFile[map.path, default: []].append((address, address - 1 - base))
        }
        var result: [UInt64: (function: String, location: String?)] = [:]
        var mangled: [String] = []
        for (file, pairs) in byFile.sorted(by: { $0.key < $1.key }) {
            guard let output = run("addr2line", ["-f", "-e", file] + pairs.map { String(format: "0x%llx", $0.1) })
            else {
                notes.append("addr2line is not installed (apt-get install binutils): sites show addresses")
                continue
            }
            let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (index, pair) in pairs.enumerated() where 2 * index + 1 < lines.count {
                let function = lines[2 * index]
                let location = lines[2 * index + 1]
                let known = !location.hasPrefix("??") && !location.hasSuffix(":?") && !location.hasSuffix(":0")
                result[pair.0] = (function, known ? (location as NSString).lastPathComponent : nil)
                mangled.append(function)
            }
        }
        if !mangled.isEmpty {
            if let demangled = run(
                "swift-demangle", ["--simplified", "--compact"], input: mangled.joined(separator: "\n") + "\n")
            {
                let names = demangled.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                // Map each mangled name to its demangled form, in the order they were sent.
                var table: [String: String] = [:]
                for (name, plain) in zip(mangled, names) { table[name] = plain }
                for (address, entry) in result {
                    result[address] = (table[entry.function] ?? entry.function, entry.location)
                }
            } else {
                notes.append("swift-demangle is not on PATH: function names are mangled")
            }
        }
        return result
    }

    /// Runs a tool found on PATH (or next to `swift`); nil if it is missing or fails.
    static func run(_ tool: String, _ arguments: [String], input: String? = nil) -> String? {
        let environment = ProcessInfo.processInfo.environment
        var directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        directories.append("/opt/swift/usr/bin")
        guard
            let path = directories.map({ $0 + "/" + tool }).first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        do { try process.run() } catch { return nil }
        if let input {
            let handle = inputPipe.fileHandleForWriting
            let data = Data(input.utf8)
            DispatchQueue.global().async {
                handle.write(data)
                try? handle.close()
            }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
