import ArgumentParser
import HeapProbe
import SoakGate
import SoakGateBasics

/// The flags whose values a new soak writes into its `soak.json`: how long, how often, when to
/// checkpoint, what to tolerate and when to warn. A resumed soak keeps the settings it was
/// started with, so `soak --resume` refuses every one of these flags (``given``).
struct SoakSettingsOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("How long to soak: 90s, 10m, 24h, 1h30m. Default 24h.", valueName: "duration"),
        transform: DurationArgument.init(parsing:))
    var duration: DurationArgument?

    @Option(
        help: ArgumentHelp("Time between readings. Default 10s.", valueName: "duration"),
        transform: DurationArgument.init(parsing:))
    var interval: DurationArgument?

    @Option(
        help: ArgumentHelp(
            "Time between checkpoints (settle, read, purge, read). Default 10m, or a quarter of --duration if that is shorter.",
            valueName: "duration"),
        transform: DurationArgument.init(parsing:))
    var checkpointEvery: DurationArgument?

    @Option(
        help: ArgumentHelp(
            "Pause before a checkpoint's reading, shorter than the checkpoint period; 0 for none. Default 5s, or a tenth of the period if that is shorter.",
            valueName: "duration"),
        transform: DurationArgument.init(parsingZeroOrLonger:))
    var settle: DurationArgument?

    @Option(help: ArgumentHelp("Iterations run before the first reading. Default 100.", valueName: "n"))
    var warmup: Int?

    @Option(
        help: ArgumentHelp(
            "Growth a workload may show and still pass, e.g. 1MiB (per hour). Default 0.", valueName: "size"),
        transform: ByteSizeArgument.init(parsing:))
    var tolerateBytesPerHour: ByteSizeArgument?

    @Option(
        help: ArgumentHelp(
            "Warn when recent growth exceeds this per hour (its 95 % lower bound does), e.g. 16MiB.", valueName: "size"),
        transform: ByteSizeArgument.init(parsing:))
    var alertBytesPerHour: ByteSizeArgument?

    @Option(
        help: ArgumentHelp(
            "Warn when a workload's process holds more live bytes than this, e.g. 2GiB.", valueName: "size"),
        transform: ByteSizeArgument.init(parsing:))
    var alertLiveBytes: ByteSizeArgument?

    @Option(
        help: ArgumentHelp(
            "How much recent soak time the alert's growth rate is taken over. Default 10m.", valueName: "duration"),
        transform: DurationArgument.init(parsing:))
    var alertWindow: DurationArgument?

    @Flag(help: "End the soak at the first alert, with a report and exit 1.")
    var stopOnAlert = false

    @Option(
        help: ArgumentHelp("Smallest jump of live bytes reported as a step. Default 1MiB.", valueName: "size"),
        transform: ByteSizeArgument.init(parsing:))
    var stepThreshold: ByteSizeArgument?

    /// The flags given, in the order help lists them: what `--resume` refuses.
    var given: [String] {
        let flags: [(String, Bool)] = [
            ("--duration", duration != nil), ("--interval", interval != nil),
            ("--checkpoint-every", checkpointEvery != nil),
            ("--settle", settle != nil), ("--warmup", warmup != nil),
            ("--tolerate-bytes-per-hour", tolerateBytesPerHour != nil),
            ("--alert-bytes-per-hour", alertBytesPerHour != nil), ("--alert-live-bytes", alertLiveBytes != nil),
            ("--alert-window", alertWindow != nil), ("--stop-on-alert", stopOnAlert),
            ("--step-threshold", stepThreshold != nil),
        ]
        return flags.filter(\.1).map(\.0)
    }

    /// The settings from the flags and the defaults, checked by the same
    /// ``SoakManifest/validate(naming:)`` that a resumed soak's `soak.json` goes through.
    func settings() throws -> SoakSettings {
        // Each value is in range once parsed, and each default is computed from values already
        // in range, so only the rules between settings (and --warmup) can fail below.
        let duration = self.duration?.seconds ?? 86400
        let interval = self.interval?.seconds ?? 10
        let checkpoint = checkpointEvery?.seconds ?? max(interval, min(600, duration / 4))
        let settings = SoakSettings(
            durationSeconds: duration, intervalSeconds: interval, checkpointSeconds: checkpoint,
            settleSeconds: settle?.seconds ?? min(5, checkpoint / 10), warmupIterations: warmup ?? 100,
            alerts: SoakAlertPolicy(
                bytesPerHour: alertBytesPerHour?.bytes, liveBytes: alertLiveBytes?.wholeBytes(.down),
                stopOnAlert: stopOnAlert,
                windowSeconds: alertWindow?.seconds ?? 600),
            stepThresholdBytes: stepThreshold?.wholeBytes(.up) ?? 1_048_576,
            toleratedBytesPerHour: tolerateBytesPerHour?.bytes ?? 0)
        do {
            try settings.manifest(workloads: ["-"], mallocConf: "", startedAt: "", sizeClasses: []).validate(
                naming: Self.flag)
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
}

/// A new soak's settings from its flags, checked: what its `soak.json` holds besides the
/// workloads and this machine's figures.
struct SoakSettings: Sendable, Equatable {
    var durationSeconds: Double
    var intervalSeconds: Double
    var checkpointSeconds: Double
    var settleSeconds: Double
    var warmupIterations: Int
    var alerts: SoakAlertPolicy
    var stepThresholdBytes: Int
    var toleratedBytesPerHour: Double

    /// The manifest of a soak of `workloads` with these settings.
    func manifest(workloads: [String], mallocConf: String, startedAt: String, sizeClasses: [SizeClass]) -> SoakManifest
    {
        SoakManifest(
            workloads: workloads, durationSeconds: durationSeconds, intervalSeconds: intervalSeconds,
            checkpointSeconds: checkpointSeconds, settleSeconds: settleSeconds, warmupIterations: warmupIterations,
            alerts: alerts, stepThresholdBytes: stepThresholdBytes, toleratedBytesPerHour: toleratedBytesPerHour,
            mallocConf: mallocConf, startedAt: startedAt, sizeClasses: sizeClasses)
    }
}
