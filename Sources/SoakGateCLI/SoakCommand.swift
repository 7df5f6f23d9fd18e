import ArgumentParser
import Dispatch
import Foundation
import HeapProbe
import SoakGate
import SoakGateBasics

#if LivePage
import SoakGateHTTP
import SoakGateLive
#endif

struct SoakCommand: RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Runs workloads for hours, reading the heap as they go; survives a kill and resumes.",
        discussion: """
            Each workload runs in its own process with jemalloc's thread cache off, over and over until the duration \
            is up. Live bytes, resident bytes, RSS and iteration latency are read every --interval; every \
            --checkpoint-every the workload pauses for --settle, is read, jemalloc purges, and it is read again. \
            Every reading is on disk (OUT/samples.jsonl) before the next is taken: after a kill -9, \
            'soakgate soak --resume OUT' goes on and 'soakgate report OUT' writes the report from what is there.
            At the end (or on Ctrl-C / SIGTERM) OUT/soak-report.json and .html give bytes per hour with a 95 % \
            bound, constant/linear/quadratic fits against time and iterations, and any step in memory.
            Examples:
              soakgate soak --workload planted-soak.slow-leak --duration 2m --interval 1s --out reports/soak
              soakgate soak --workload 'planted-soak.*' --duration 24h --interval 10s --out soak --listen 127.0.0.1:9464
              soakgate soak --resume soak
            Exit codes: 0 no leak, 1 a leak, an inconclusive workload or a stop on alert, 2 usage error, \
            3 a workload crashed.
            """
    )

    @Option(
        name: .customLong("workload"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "Workload names or patterns ('*' matches any run of characters); each soaks in its own process.",
            discussion: "Without it, every workload except those 'soakgate list' marks as only when named.",
            valueName: "name"))
    var workloads: [String] = []

    @Option(
        help: ArgumentHelp(
            "Directory for samples.jsonl, events.jsonl and the reports; must be new or empty.", valueName: "dir"))
    var out: String?

    @Option(
        help: ArgumentHelp(
            "Continue the soak in this directory, with the settings it was started with.", valueName: "dir"))
    var resume: String?

    @OptionGroup(title: "Settings of a new soak (kept in its soak.json)")
    var settings: SoakSettingsOptions

    @OptionGroup var shardOptions: ShardOptions

    @Option(
        help: ArgumentHelp(
            "Serve a live page and Prometheus /metrics at HOST:PORT (port 0 picks one); loopback only unless --listen-publicly.",
            valueName: "host:port"),
        transform: ListenArgument.init(parsing:))
    var listen: ListenArgument?

    @Flag(help: "Allow --listen on an address other than loopback (the page shows workload names and figures).")
    var listenPublicly = false

    /// A new soak needs a directory; said by validate() and, should it be reached, by execute().
    static let missingOut = "missing --out DIR (or --resume DIR to continue a soak)"

    func validate() throws {
        if resume != nil {
            let shardFlags =
                (shardOptions.shard == nil ? [] : ["--shard"]) + (shardOptions.balance == nil ? [] : ["--balance"])
            if let flag = ((out == nil ? [] : ["--out"]) + settings.given + shardFlags).first {
                throw ValidationError(
                    "\(flag) cannot be changed on --resume: the soak keeps the settings in its soak.json; drop \(flag)")
            }
        } else {
            guard out != nil else { throw ValidationError(Self.missingOut) }
            _ = try settings.settings()
        }
        if let listen { try listen.check(publicly: listenPublicly) }
    }

    func execute(_ context: CommandContext) async throws -> Int32 {
        let directory: SoakDirectory
        let manifest: SoakManifest
        var existing: [SoakSample] = []
        if let resume {
            directory = SoakDirectory(path: resume)
            let found = try Self.openForResume(directory, workloads: workloads, context: context)
            manifest = found.manifest
            existing = found.samples
        } else if let out {
            (directory, manifest) = try createSoak(in: out, context)
        } else {
            throw CommandError(exitCode: 2, description: Self.missingOut)
        }
        let plans = SoakSupervisor.plans(for: manifest, existing: existing)
        let supervisor = try SoakSupervisor(
            directory: directory, manifest: manifest, executable: context.executablePath,
            environment: ProcessInfo.processInfo.environment, existing: existing)

        #if LivePage
        let live = SoakLiveState(manifest: manifest)
        live.prime(with: existing)
        let server = try await Self.serveLivePage(live, at: listen)
        #endif
        let progress = SoakProgress(
            manifest: manifest, supervisor: supervisor, startElapsed: existing.map(\.elapsedSeconds).max() ?? 0)
        let signals = Self.stopOnSignals(supervisor)
        if plans.isEmpty {
            Terminal.status(
                "soakgate: the soak in \(directory.path) has already run its \(SoakDuration.format(manifest.durationSeconds)); writing its report\n"
            )
        } else {
            Terminal.status(
                "soakgate: soaking \(manifest.workloads.joined(separator: ", ")) for \(SoakDuration.format(manifest.durationSeconds - (existing.map(\.elapsedSeconds).max() ?? 0))) into \(directory.path)\n"
            )
        }
        progress.start()
        let outcome = await supervisor.run(plans) { sample, alerts in
            #if LivePage
            live.record(sample, bytesPerHour: supervisor.recentBytesPerHour(sample.workload), alerts: alerts)
            #endif
            progress.update(sample)
            for alert in alerts { Terminal.error("warning: \(alert.message)") }
        }
        progress.finish()
        for signal in signals { signal.cancel() }
        #if LivePage
        await server?.shutdown()
        #endif

        if !plans.isEmpty {
            let ended = outcome.stopReason.map { "stopped: \($0)" } ?? "finished"
            supervisor.record(
                SoakEvent(
                    kind: outcome.stopReason == nil ? .finished : .stopped, workload: "", segment: plans[0].segment,
                    elapsedSeconds: supervisor.elapsedSeconds, message: ended))
        }
        let report = try ReportCommand.writeReport(directory)
        if let failure = outcome.writeFailure {
            throw CommandError(
                exitCode: 2, description: "the soak stopped because a reading could not be written: \(failure)")
        }
        if let reason = outcome.stopReason, reason.hasPrefix("stopped on alert") { return max(1, report.exitCode) }
        return report.exitCode
    }

    #if LivePage
    /// Starts the live page when `--listen` asked for it, and says where it is.
    private static func serveLivePage(_ live: SoakLiveState, at listen: ListenArgument?) async throws
        -> LoopbackHTTPServer?
    {
        guard let listen else { return nil }
        let server: LoopbackHTTPServer
        do {
            server = try await LoopbackHTTPServer.start(address: listen.address) { live.response(for: $0) }
        } catch {
            throw CommandError(
                exitCode: 2, description: "\(error); choose another port, or --listen 127.0.0.1:0 for any free one")
        }
        let host = listen.address.host
        Terminal.status(
            "soakgate: live page http://\(host.contains(":") ? "[\(host)]" : host):\(server.port)/ (metrics at /metrics)\n"
        )
        return server
    }
    #endif

    /// Creates `out` with its manifest, refusing a directory that holds anything.
    private func createSoak(in out: String, _ context: CommandContext) throws -> (SoakDirectory, SoakManifest) {
        let (selected, stamp) = try shardOptions.apply(try context.selectWorkloads(workloads), sorted: true)
        if let stamp { Terminal.status(ShardOptions.banner(stamp)) }
        let checked = try settings.settings()
        let directory = SoakDirectory(path: out)
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: out), !entries.isEmpty {
            if entries.contains("soak.json") {
                throw CommandError(
                    exitCode: 2,
                    description:
                        "'\(out)' already holds a soak; continue it with 'soakgate soak --resume \(out)', or choose another --out"
                )
            }
            throw CommandError(
                exitCode: 2, description: "--out '\(out)' is not empty; choose a new or empty directory for the soak")
        }
        do {
            try OutputDirectory.ensureWritable(out)
        } catch {
            throw CommandError(exitCode: 2, description: "cannot write to --out '\(out)': \(error.reason)")
        }
        let classes = (try? HeapProbe(requireExactFigures: false).sizeClasses) ?? []
        let inherited = ProcessInfo.processInfo.environment["MALLOC_CONF"].map { $0 + "," } ?? ""
        var manifest = checked.manifest(
            workloads: selected.map(\.name), mallocConf: inherited + "tcache:false",
            startedAt: ISO8601DateFormatter().string(from: Date()), sizeClasses: classes)
        manifest.shard = stamp
        do {
            try manifest.validate(naming: SoakSettingsOptions.flag)
        } catch {
            throw CommandError(exitCode: 2, description: "\(error)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(manifest), to: directory.manifestPath)
        return (directory, manifest)
    }

    /// Reads a soak to resume, checking it before anything on disk changes.
    static func openForResume(
        _ directory: SoakDirectory, workloads: [String], context: CommandContext
    ) throws -> (manifest: SoakManifest, samples: [SoakSample]) {
        let contents: SoakDirectory.Contents
        do {
            contents = try directory.read()
        } catch let error as SoakDirectory.SoakDirectoryError {
            throw CommandError(exitCode: 2, description: error.description)
        }
        let manifest = contents.manifest
        if !workloads.isEmpty {
            let named = try WorkloadSelection(patterns: workloads).select(from: context.workloads).map(\.name).sorted()
            guard named == manifest.workloads else {
                throw CommandError(
                    exitCode: 2,
                    description:
                        "the soak in '\(directory.path)' belongs to \(manifest.workloads.joined(separator: ", ")), not \(named.joined(separator: ", ")); resume it without --workload, or start a new soak with --out"
                )
            }
        }
        let known = Set(context.workloads.map(\.name))
        if let missing = manifest.workloads.first(where: { !known.contains($0) }) {
            throw CommandError(
                exitCode: 2,
                description:
                    "the soak in '\(directory.path)' soaks '\(missing)', which this executable does not have (see 'soakgate list')"
            )
        }
        for line in try directory.dropTornTails() { Terminal.status("soakgate: \(line)\n") }
        return (manifest, contents.samples)
    }

    /// SIGINT and SIGTERM end the soak cleanly, with a report.
    private static func stopOnSignals(_ supervisor: SoakSupervisor) -> [any DispatchSourceSignal] {
        [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                Terminal.status("\nsoakgate: \(name): ending the soak after the current readings\n")
                supervisor.stop(reason: "\(name) received")
            }
            source.resume()
            return source
        }
    }
}

/// `soak --listen HOST:PORT`: where the live page is served, read once while the command line is
/// parsed (`HTTPListenAddress`: the address is parsed, not matched as text). Whether it may be
/// other than loopback depends on `--listen-publicly`, so ``check(publicly:)`` decides that in
/// the command's `validate()`.
///
/// Without the package trait `LivePage` there is no live page: the text is kept and
/// ``check(publicly:)`` refuses it, saying how to build one that has it.
struct ListenArgument: ExpressibleByArgument, Sendable {
    /// The value as given.
    let text: String
    #if LivePage
    /// Where to listen.
    let address: HTTPListenAddress
    #endif

    /// Reads `text`, or says what is wrong with it.
    init(parsing text: String) throws(OptionValueError) {
        self.text = text
        #if LivePage
        do {
            address = try HTTPListenAddress.parse(text, publicly: true)
        } catch {
            throw OptionValueError(description: error.description)
        }
        #endif
    }

    init?(argument: String) {
        guard let value = try? ListenArgument(parsing: argument) else { return nil }
        self = value
    }

    /// Refuses an address other than loopback unless `publicly` (`--listen-publicly`), and any
    /// address when this soakgate has no live page.
    func check(publicly: Bool) throws {
        #if LivePage
        guard address.isLoopback || publicly else {
            throw ValidationError(
                "--listen '\(text)' is not a loopback address; use 127.0.0.1:\(address.port), or add --listen-publicly to serve others"
            )
        }
        #else
        throw ValidationError(
            "--listen: this soakgate was built without its live page (package trait LivePage); "
                + "build it with 'swift build --traits LivePage', or drop --listen")
        #endif
    }
}
