import ArgumentParser
import Dispatch
import Foundation
import HeapProbe
import SoakGate
import SoakGateBasics
#if LivePage
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
              soakgate soak --workload 'engine.*' --duration 24h --interval 10s --out soak --listen 127.0.0.1:9464
              soakgate soak --resume soak
            Exit codes: 0 no leak, 1 a leak, an inconclusive workload or a stop on alert, 2 usage error, \
            3 a workload crashed.
            """
    )

    @Option(name: .customLong("workload"), parsing: .upToNextOption, help: ArgumentHelp(
        "Workload names or patterns ('*' matches any run of characters); each soaks in its own process.",
        discussion: "Without it, every workload except those 'soakgate list' marks as only when named.", valueName: "name"))
    var workloads: [String] = []

    @Option(help: ArgumentHelp("How long to soak: 90s, 10m, 24h, 1h30m. Default 24h.", valueName: "duration"))
    var duration: String?

    @Option(help: ArgumentHelp("Time between readings. Default 10s.", valueName: "duration"))
    var interval: String?

    @Option(help: ArgumentHelp("Directory for samples.jsonl, events.jsonl and the reports; must be new or empty.", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("Continue the soak in this directory, with the settings it was started with.", valueName: "dir"))
    var resume: String?

    @Option(help: ArgumentHelp("Time between checkpoints (settle, read, purge, read). Default 10m, at most a quarter of the duration.", valueName: "duration"))
    var checkpointEvery: String?

    @Option(help: ArgumentHelp("Pause before a checkpoint's reading. Default 5s, at most a tenth of the checkpoint period.", valueName: "duration"))
    var settle: String?

    @Option(help: ArgumentHelp("Iterations run before the first reading. Default 100.", valueName: "n"))
    var warmup: Int?

    @Option(help: ArgumentHelp("Growth a workload may show and still pass, e.g. 1MiB (per hour). Default 0.", valueName: "size"))
    var tolerateBytesPerHour: String?

    @Option(help: ArgumentHelp("Warn when recent growth exceeds this per hour (its 95 % lower bound does), e.g. 16MiB.", valueName: "size"))
    var alertBytesPerHour: String?

    @Option(help: ArgumentHelp("Warn when a workload's process holds more live bytes than this, e.g. 2GiB.", valueName: "size"))
    var alertLiveBytes: String?

    @Option(help: ArgumentHelp("How much recent soak time the alert's growth rate is taken over. Default 10m.", valueName: "duration"))
    var alertWindow: String?

    @Flag(help: "End the soak at the first alert, with a report and exit 1.")
    var stopOnAlert = false

    @Option(help: ArgumentHelp("Smallest jump of live bytes reported as a step. Default 1MiB.", valueName: "size"))
    var stepThreshold: String?

    @Option(help: ArgumentHelp("Serve a live page and Prometheus /metrics at HOST:PORT (port 0 picks one); loopback only unless --listen-publicly.", valueName: "host:port"))
    var listen: String?

    @Flag(help: "Allow --listen on an address other than loopback (the page shows workload names and figures).")
    var listenPublicly = false

    func validate() throws {
        if resume != nil {
            let settings: [(String, Bool)] = [
                ("--out", out != nil), ("--duration", duration != nil), ("--interval", interval != nil),
                ("--checkpoint-every", checkpointEvery != nil), ("--settle", settle != nil), ("--warmup", warmup != nil),
                ("--tolerate-bytes-per-hour", tolerateBytesPerHour != nil), ("--alert-bytes-per-hour", alertBytesPerHour != nil),
                ("--alert-live-bytes", alertLiveBytes != nil), ("--alert-window", alertWindow != nil),
                ("--stop-on-alert", stopOnAlert), ("--step-threshold", stepThreshold != nil),
            ]
            if let given = settings.first(where: \.1) {
                throw ValidationError("\(given.0) cannot be changed on --resume: the soak keeps the settings in its soak.json; drop \(given.0)")
            }
        } else {
            guard out != nil else { throw ValidationError("missing --out DIR (or --resume DIR to continue a soak)") }
            _ = try manifestSettings()
        }
        if let listen { try Self.checkListen(listen, publicly: listenPublicly) }
    }

    /// Settings from the options, checked by the same ``SoakManifest/validate(naming:)`` that a
    /// resumed soak's `soak.json` goes through; what a new soak's manifest holds.
    func manifestSettings() throws -> (duration: Double, interval: Double, checkpoint: Double, settle: Double, warmup: Int,
                                       alerts: SoakAlertPolicy, step: Int, tolerated: Double) {
        func time(_ text: String?, _ option: String, default value: Double) throws -> Double {
            guard let text else { return value }
            do {
                return try SoakDuration.parse(text, source: option).seconds
            } catch let error as SoakDuration.ParseError {
                throw ValidationError("\(option): \(error)")
            } catch {
                throw ValidationError("\(error)")
            }
        }
        func size(_ text: String?, _ option: String) throws -> Double? {
            guard let text else { return nil }
            do {
                return try ByteCount.parse(text, source: option)
            } catch let error as ByteCount.ParseError {
                throw ValidationError("\(option): \(error)")
            } catch {
                throw ValidationError("\(error)")
            }
        }
        // Each default is computed from values already in range, so only what was given can fail.
        let duration = try time(self.duration, "--duration", default: 86400)
        let interval = try time(self.interval, "--interval", default: 10)
        let checkpoint = try time(checkpointEvery, "--checkpoint-every", default: max(interval, min(600, duration / 4)))
        let settle = ["0", "0s"].contains(self.settle ?? "") ? 0 : try time(self.settle, "--settle", default: min(5, checkpoint / 10))
        let window = try time(alertWindow, "--alert-window", default: 600)
        let liveBytes = try size(alertLiveBytes, "--alert-live-bytes")
        let step = try size(stepThreshold, "--step-threshold") ?? 1_048_576
        let settings = (
            duration: duration, interval: interval, checkpoint: checkpoint, settle: settle, warmup: self.warmup ?? 100,
            alerts: SoakAlertPolicy(
                bytesPerHour: try size(alertBytesPerHour, "--alert-bytes-per-hour"),
                // In range (at most 1 PiB) once parsed, so the conversion cannot trap.
                liveBytes: liveBytes.map { Int($0.rounded(.down)) }, stopOnAlert: stopOnAlert, windowSeconds: window),
            step: Int(step.rounded(.up)), tolerated: try size(tolerateBytesPerHour, "--tolerate-bytes-per-hour") ?? 0)
        let manifest = SoakManifest(
            workloads: ["-"], durationSeconds: settings.duration, intervalSeconds: settings.interval,
            checkpointSeconds: settings.checkpoint, settleSeconds: settings.settle, warmupIterations: settings.warmup,
            alerts: settings.alerts, stepThresholdBytes: settings.step, toleratedBytesPerHour: settings.tolerated,
            mallocConf: "", startedAt: "", sizeClasses: [])
        do {
            try manifest.validate(naming: Self.flag)
        } catch {
            throw ValidationError("\(error)")
        }
        return settings
    }

    /// The flag that sets each manifest setting, for messages about a new soak.
    static func flag(_ setting: SoakManifest.Setting) -> String {
        switch setting {
        case .workloads: return "--workload"
        case .durationSeconds: return "--duration"
        case .intervalSeconds: return "--interval"
        case .checkpointSeconds: return "--checkpoint-every"
        case .settleSeconds: return "--settle"
        case .warmupIterations: return "--warmup"
        case .alertBytesPerHour: return "--alert-bytes-per-hour"
        case .alertLiveBytes: return "--alert-live-bytes"
        case .alertWindowSeconds: return "--alert-window"
        case .stepThresholdBytes: return "--step-threshold"
        case .toleratedBytesPerHour: return "--tolerate-bytes-per-hour"
        case .sizeClasses: return "jemalloc's size classes"
        }
    }

#if LivePage
    static func parseListen(_ text: String, publicly: Bool) throws -> LiveListenAddress {
        do {
            return try LiveListenAddress.parse(text, publicly: publicly)
        } catch {
            throw ValidationError(error.description)
        }
    }

    static func checkListen(_ text: String, publicly: Bool) throws {
        _ = try parseListen(text, publicly: publicly)
    }
#else
    static func checkListen(_ text: String, publicly: Bool) throws {
        throw ValidationError(
            "--listen: this soakgate was built without its live page (package trait LivePage); "
                + "build it with 'swift build --traits LivePage', or drop --listen")
    }
#endif

    func execute(_ context: CommandContext) async throws -> Int32 {
        let directory: SoakDirectory
        let manifest: SoakManifest
        var existing: [SoakSample] = []
        if let resume {
            directory = SoakDirectory(path: resume)
            let found = try Self.openForResume(directory, workloads: workloads, context: context)
            manifest = found.manifest
            existing = found.samples
        } else {
            (directory, manifest) = try createSoak(context)
        }
        let plans = SoakSupervisor.plans(for: manifest, existing: existing)
        let supervisor = try SoakSupervisor(
            directory: directory, manifest: manifest, executable: context.executablePath,
            environment: ProcessInfo.processInfo.environment, existing: existing)

#if LivePage
        let live = SoakLiveState(manifest: manifest)
        live.prime(with: existing)
        var server: LiveHTTPServer?
        if let listen {
            let address = try Self.parseListen(listen, publicly: listenPublicly)
            let host = address.host
            do {
                server = try await LiveHTTPServer.start(address: address) { live.response(for: $0) }
            } catch {
                throw CommandError(exitCode: 2, description: "\(error); choose another port, or --listen 127.0.0.1:0 for any free one")
            }
            Terminal.status("soakgate: live page http://\(host.contains(":") ? "[\(host)]" : host):\(server!.port)/ (metrics at /metrics)\n")
        }

#endif
        let progress = SoakProgress(manifest: manifest, supervisor: supervisor, startElapsed: existing.map(\.elapsedSeconds).max() ?? 0)
        let signals = Self.stopOnSignals(supervisor)
        if plans.isEmpty {
            Terminal.status("soakgate: the soak in \(directory.path) has already run its \(SoakDuration.format(manifest.durationSeconds)); writing its report\n")
        } else {
            Terminal.status("soakgate: soaking \(manifest.workloads.joined(separator: ", ")) for \(SoakDuration.format(manifest.durationSeconds - (existing.map(\.elapsedSeconds).max() ?? 0))) into \(directory.path)\n")
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
        signals.forEach { $0.cancel() }
#if LivePage
        await server?.shutdown()
#endif

        if !plans.isEmpty {
            let ended = outcome.stopReason.map { "stopped: \($0)" } ?? "finished"
            supervisor.record(SoakEvent(
                kind: outcome.stopReason == nil ? .finished : .stopped, workload: "", segment: plans[0].segment,
                elapsedSeconds: supervisor.elapsedSeconds, message: ended))
        }
        let report = try ReportCommand.writeReport(directory)
        if let failure = outcome.writeFailure {
            throw CommandError(exitCode: 2, description: "the soak stopped because a reading could not be written: \(failure)")
        }
        if let reason = outcome.stopReason, reason.hasPrefix("stopped on alert") { return max(1, report.exitCode) }
        return report.exitCode
    }

    /// Creates OUT with its manifest, refusing a directory that holds anything.
    private func createSoak(_ context: CommandContext) throws -> (SoakDirectory, SoakManifest) {
        let out = self.out!
        let selected = workloads.isEmpty
            ? context.workloads.filter(\.runsByDefault)
            : try WorkloadSelection(patterns: workloads).select(from: context.workloads)
        guard !selected.isEmpty else {
            throw CommandError(exitCode: 2, description: "no workload runs by default here; name one with --workload (see 'soakgate list')")
        }
        let settings = try manifestSettings()
        let directory = SoakDirectory(path: out)
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: out), !entries.isEmpty {
            if entries.contains("soak.json") {
                throw CommandError(exitCode: 2, description: "'\(out)' already holds a soak; continue it with 'soakgate soak --resume \(out)', or choose another --out")
            }
            throw CommandError(exitCode: 2, description: "--out '\(out)' is not empty; choose a new or empty directory for the soak")
        }
        do {
            try OutputDirectory.ensureWritable(out)
        } catch {
            throw CommandError(exitCode: 2, description: "cannot write to --out '\(out)': \(error.reason)")
        }
        let classes = (try? HeapProbe(requireExactFigures: false).sizeClasses) ?? []
        let inherited = ProcessInfo.processInfo.environment["MALLOC_CONF"].map { $0 + "," } ?? ""
        let manifest = SoakManifest(
            workloads: selected.map(\.name), durationSeconds: settings.duration, intervalSeconds: settings.interval,
            checkpointSeconds: settings.checkpoint, settleSeconds: settings.settle, warmupIterations: settings.warmup,
            alerts: settings.alerts, stepThresholdBytes: settings.step, toleratedBytesPerHour: settings.tolerated,
            mallocConf: inherited + "tcache:false", startedAt: ISO8601DateFormatter().string(from: Date()), sizeClasses: classes)
        do {
            try manifest.validate(naming: Self.flag)
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
                throw CommandError(exitCode: 2, description: "the soak in '\(directory.path)' belongs to \(manifest.workloads.joined(separator: ", ")), not \(named.joined(separator: ", ")); resume it without --workload, or start a new soak with --out")
            }
        }
        let known = Set(context.workloads.map(\.name))
        if let missing = manifest.workloads.first(where: { !known.contains($0) }) {
            throw CommandError(exitCode: 2, description: "the soak in '\(directory.path)' soaks '\(missing)', which this executable does not have (see 'soakgate list')")
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
