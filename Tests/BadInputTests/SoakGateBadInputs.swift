import CommandTestSupport
import Foundation
import XCTest

/// Bad input to the harness (`soakgate-fixtures`, a user's workload executable built on
/// SoakGateCLI, so no case measures for long): every numeric flag of check and soak out of
/// range, bad sizes and durations, edited soak directories resumed, samples and events files
/// with out-of-range numbers (named file:line), missing, empty, truncated and garbage report and
/// policy files, directories and FIFOs where files are expected, and outputs that cannot be made.
final class SoakGateBadInputTests: XCTestCase {
    private static let product = "soakgate-fixtures"

    /// `check` with one bad flag; the run must stop before it measures or creates `--out`.
    private static func check(_ flags: [String], names: String, line: UInt = #line) -> BadInput {
        BadInput(
            product, ["check", "--workload", "fixture.clean", "--out", "{dir}/reports"] + flags, names: names,
            timeout: 20, line: line)
    }

    /// `soak` with one bad flag; the run must stop before it creates `--out`.
    private static func soak(_ flags: [String], names: String, line: UInt = #line) -> BadInput {
        BadInput(
            product,
            ["soak", "--workload", "fixture.clean", "--duration", "10s", "--interval", "1s", "--out", "{dir}/soak"]
                + flags,
            names: names, timeout: 20, line: line)
    }

    /// A soak directory at `{dir}/soak` with a manifest edited by `edit`, and the given logs.
    private static func soakDirectory(
        _ directory: String, manifest edit: (inout [String: Any]) -> Void = { _ in }, samples: String? = nil,
        events: String? = nil
    ) throws {
        var manifest: [String: Any] = [
            "schemaVersion": 1, "kind": "soakgate-soak", "workloads": ["fixture.clean"], "durationSeconds": 60,
            "intervalSeconds": 1, "checkpointSeconds": 15, "settleSeconds": 1, "warmupIterations": 10,
            "alerts": ["stopOnAlert": false, "windowSeconds": 600] as [String: Any], "stepThresholdBytes": 1_048_576,
            "toleratedBytesPerHour": 0, "mallocConf": "tcache:false", "startedAt": "2026-01-01T00:00:00Z",
            "sizeClasses": [Any](),
        ]
        edit(&manifest)
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
        try Plant.file(directory, "soak/soak.json", String(decoding: data, as: UTF8.self))
        if let samples { try Plant.file(directory, "soak/samples.jsonl", samples) }
        if let events { try Plant.file(directory, "soak/events.jsonl", events) }
    }

    /// One `samples.jsonl` line of `fixture.clean`; `fields` replace the defaults (raw JSON values).
    private static func sample(_ fields: [String: String] = [:]) -> String {
        var values = [
            "activeBytes": "2000", "elapsedSeconds": "1", "iterations": "10", "kind": "\"interval\"",
            "liveBytes": "1000",
            "processResidentBytes": "9000", "residentBytes": "3000", "segment": "0", "workload": "\"fixture.clean\"",
        ]
        values.merge(fields) { $1 }
        return "{" + values.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
            + "}\n"
    }

    private static let goodSamples = sample() + sample(["elapsedSeconds": "2", "iterations": "20"])

    /// A real report written by `produce` (run in `directory`) at `from`, edited by `edit` (its
    /// first workload) and saved as `{dir}/report.json`.
    private static func editedReport(
        _ directory: String, produce: [String], from: String, edit: (inout [String: Any]) -> Void
    ) throws {
        _ = try Command.run(product, produce.map { $0.replacingOccurrences(of: "{dir}", with: directory) })
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + from))
        guard var report = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            var workloads = report["workloads"] as? [[String: Any]], !workloads.isEmpty
        else {
            throw CocoaError(.fileReadCorruptFile)
        }
        edit(&workloads[0])
        report["workloads"] = workloads
        try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]).write(
            to: URL(fileURLWithPath: directory + "/report.json"))
    }

    private static func editedSoakReport(_ directory: String, _ edit: (inout [String: Any]) -> Void) throws {
        try soakDirectory(directory, samples: goodSamples)
        try editedReport(directory, produce: ["report", "{dir}/soak"], from: "soak/soak-report.json", edit: edit)
    }

    private static func editedLeakReport(_ directory: String, _ edit: (inout [String: Any]) -> Void) throws {
        try editedReport(
            directory,
            produce: [
                "check", "--workload", "fixture.clean", "--iterations", "1,10", "--no-sites", "--out", "{dir}/r",
            ],
            from: "r/leak-report.json", edit: edit)
    }

    /// A policy file, a case that loads it through `check --gate` (read before anything is measured).
    private static func policy(_ text: String, names: String, line: UInt = #line) -> BadInput {
        BadInput(
            product,
            [
                "check", "--workload", "fixture.clean", "--out", "{dir}/reports", "--gate", "--policy",
                "{dir}/policy.json",
            ],
            names: names, timeout: 20, line: line
        ) { try Plant.file($0, "policy.json", text) }
    }

    private static var cases: [BadInput] {
        [
            // --shard and --balance (check, bench, soak), and merge.
            check(["--shard", "0/3"], names: "--shard"),
            check(["--shard", "2/1"], names: "--shard"),
            check(["--shard", "1/99999999999"], names: "--shard"),
            check(["--shard", "1/nan"], names: "--shard"),
            check(["--shard", "1/1", "--balance", "{dir}/none.json"], names: "{dir}/none.json"),
            BadInput(
                product, ["check", "--shard", "1/1", "--balance", "{dir}/b.json", "--out", "{dir}/reports"],
                names: "{dir}/b.json", timeout: 20
            ) { try Plant.file($0, "b.json", "{\"schemaVersion\": 2, \"workloads\": [{\"name\": 1}]}") },
            soak(["--shard", "3/2"], names: "--shard"),
            BadInput(
                product, ["bench", "--workload", "fixture.clean", "--shard", "-1/2", "--out", "{dir}/reports"],
                names: "--shard", timeout: 20),
            BadInput(
                product, ["merge", "{dir}/missing.json", "--out", "{dir}/m"], names: "{dir}/missing.json", timeout: 20),
            BadInput(
                product, ["merge", "{dir}/l.json", "--out", "{dir}/m"], names: "{dir}/l.json", timeout: 20
            ) { try Plant.file($0, "l.json", "{\"schemaVersion\": 2, \"kind\": \"other\"}") },
            // check: every numeric flag, huge / negative / NaN / infinite / fractional.
            check(["--timeout", "1e11"], names: "--timeout"),
            check(["--timeout", "-1"], names: "--timeout"),
            check(["--timeout", "nan"], names: "--timeout"),
            check(["--timeout", "inf"], names: "--timeout"),
            check(["--timeout", "0"], names: "--timeout"),
            check(["--warmup", "-1"], names: "--warmup"),
            check(["--warmup", "99999999999999999999"], names: "--warmup"),
            check(["--warmup", "1.5"], names: "--warmup"),
            check(["--warmup", "2000000000"], names: "--warmup"),
            // --windows is gone; it is refused with what to give instead.
            check(["--windows", "5"], names: "--budget"),
            check(["--budget", "0"], names: "--budget"),
            check(["--budget", "-1"], names: "--budget"),
            check(["--budget", "nan"], names: "--budget"),
            check(["--budget", "2d"], names: "--budget"),
            check(["--budget", "1e300"], names: "--budget"),
            check(["--budget", "soon"], names: "--budget"),
            check(["--budget", "60", "--timeout", "30"], names: "--timeout"),
            check(["--jobs", "0"], names: "--jobs"),
            check(["--jobs", "100000"], names: "--jobs"),
            check(["--tolerate", "-5"], names: "--tolerate"),
            check(["--tolerate", "1e300"], names: "--tolerate"),
            check(["--tolerate", "nan"], names: "--tolerate"),
            check(["--iterations", "1,10,99999999999999999999"], names: "--iterations"),
            check(["--iterations", "1,-10"], names: "--iterations"),
            check(["--iterations", "1.5,10"], names: "--iterations"),
            BadInput(
                product, ["check", "--workload", "nope.*", "--out", "{dir}/reports"], names: "'nope.*'", timeout: 20),
            // check: an --out that cannot be a directory, left as it was.
            BadInput(
                product, ["check", "--workload", "fixture.clean", "--out", "{dir}/file/reports"],
                names: "--out '{dir}/file/reports'",
                timeout: 20
            ) { try Plant.file($0, "file", "x") },
            BadInput(
                product, ["check", "--workload", "fixture.clean", "--out", "{dir}/fifo"], names: "--out '{dir}/fifo'",
                timeout: 20
            ) {
                try Plant.fifo($0, "fifo")
            },
            BadInput(
                product, ["check", "--workload", "fixture.clean", "--out", "{dir}/plain"], names: "--out '{dir}/plain'",
                timeout: 20
            ) {
                try Plant.file($0, "plain", "keep me")
            },
            // check --gate: policy and baseline files.
            policy(#"{"toleratedBytesPerIteration": 1e300}"#, names: "toleratedBytesPerIteration"),
            policy(
                #"{"workloads": [{"match": "*", "toleratedBytesPerHour": -1}]}"#,
                names: "workloads[0].toleratedBytesPerHour"),
            policy(#"{"baseline": {"relativeTolerance": 1e9}}"#, names: "baseline.relativeTolerance"),
            policy(#"{"toleratedBytesPerIteration": -1}"#, names: "toleratedBytesPerIteration"),
            policy("", names: "{dir}/policy.json"),
            policy(#"{"toleratedBytesPerIteration": 1, "allowed"#, names: "{dir}/policy.json"),
            policy("garbage\u{1}\u{2}", names: "{dir}/policy.json"),
            policy(#"{"tolerated": 1}"#, names: "'tolerated'"),
            BadInput(
                product,
                ["check", "--workload", "fixture.clean", "--out", "{dir}/reports", "--gate", "--policy", "{dir}/fifo"],
                names: "{dir}/fifo", timeout: 20
            ) { try Plant.fifo($0, "fifo") },
            BadInput(
                product,
                [
                    "check", "--workload", "fixture.clean", "--out", "{dir}/reports", "--gate", "--policy",
                    "{dir}/missing.json",
                ],
                names: "{dir}/missing.json", timeout: 20),
            BadInput(
                product,
                [
                    "check", "--workload", "fixture.clean", "--out", "{dir}/reports", "--gate", "--baseline",
                    "{dir}/base.json",
                ],
                names: "{dir}/base.json", timeout: 20
            ) { try Plant.file($0, "base.json", #"{"schemaVersion": 1, "tool""#) },
            BadInput(
                product,
                ["check", "--workload", "fixture.clean", "--out", "{dir}/reports", "--policy", "{dir}/p.json"],
                names: "--gate", timeout: 20
            ) { try Plant.file($0, "p.json", "{}") },

            // soak: durations, sizes and counts.
            soak(["--warmup", "-3"], names: "--warmup"),
            soak(["--warmup", "2000000000"], names: "--warmup"),
            soak(["--interval", "0.0000000001"], names: "--interval"),
            soak(["--interval", "1ms"], names: "--interval"),
            soak(["--checkpoint-every", "1e30"], names: "--checkpoint-every"),
            soak(["--settle", "99999d"], names: "--settle"),
            soak(["--alert-window", "0.001"], names: "--alert-window"),
            soak(["--alert-live-bytes", "1e300B"], names: "--alert-live-bytes"),
            soak(["--alert-live-bytes", "-5MiB"], names: "--alert-live-bytes"),
            soak(["--alert-live-bytes", "12XB"], names: "--alert-live-bytes"),
            soak(["--alert-bytes-per-hour", "nan"], names: "--alert-bytes-per-hour"),
            soak(["--tolerate-bytes-per-hour", "1e20"], names: "--tolerate-bytes-per-hour"),
            soak(["--step-threshold", "0"], names: "--step-threshold"),
            soak(["--step-threshold", "inf"], names: "--step-threshold"),
            soak(["--listen", "127.evil.invalid:9464"], names: "--listen"),
            soak(["--listen", "10.0.0.1:9464"], names: "--listen"),
            soak(["--listen", "127.0.0.1:99999"], names: "--listen"),
            BadInput(
                product,
                ["soak", "--workload", "fixture.clean", "--duration", "99999999999999999999", "--out", "{dir}/soak"],
                names: "--duration", timeout: 20),
            BadInput(
                product, ["soak", "--workload", "fixture.clean", "--duration", "400d", "--out", "{dir}/soak"],
                names: "--duration", timeout: 20),
            BadInput(
                product, ["soak", "--workload", "fixture.clean", "--duration", "inf", "--out", "{dir}/soak"],
                names: "--duration", timeout: 20),
            BadInput(
                product, ["soak", "--workload", "fixture.nope", "--duration", "10s", "--out", "{dir}/soak"],
                names: "'fixture.nope'", timeout: 20),
            BadInput(
                product, ["soak", "--workload", "fixture.clean", "--duration", "10s", "--out", "{dir}/file"],
                names: "--out '{dir}/file'",
                timeout: 20
            ) { try Plant.file($0, "file", "x") },

            // soak --resume: an edited soak.json gets the checks a new soak's flags get.
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "soak.json: intervalSeconds", timeout: 20) {
                try Self.soakDirectory($0, manifest: { $0["intervalSeconds"] = 1e-10 }, samples: Self.goodSamples)
            },
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "soak.json: durationSeconds", timeout: 20) {
                try Self.soakDirectory($0, manifest: { $0["durationSeconds"] = 1e20 })
            },
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "soak.json: alerts.liveBytes", timeout: 20) {
                try Self.soakDirectory(
                    $0,
                    manifest: {
                        $0["alerts"] = ["stopOnAlert": false, "windowSeconds": 600, "liveBytes": -5] as [String: Any]
                    })
            },
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "soak.json: warmupIterations", timeout: 20) {
                try Self.soakDirectory($0, manifest: { $0["warmupIterations"] = -1 })
            },
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "soak.json: settleSeconds", timeout: 20) {
                try Self.soakDirectory($0, manifest: { $0["settleSeconds"] = 15 })
            },
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "soak.json: stepThresholdBytes", timeout: 20) {
                try Self.soakDirectory($0, manifest: { $0["stepThresholdBytes"] = 0 })
            },
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "'fixture.gone'", timeout: 20) {
                try Self.soakDirectory($0, manifest: { $0["workloads"] = ["fixture.gone"] })
            },
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "{dir}/soak/soak.json", timeout: 20) {
                try Plant.file($0, "soak/soak.json", #"{"schemaVersion": 1, "kind": "soakgate-so"#)
            },
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "{dir}/soak/soak.json", timeout: 20) {
                try Plant.fifo($0, "soak/soak.json")
            },
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "{dir}/soak/soak.json", timeout: 20) {
                try Plant.directory($0, "soak/soak.json")
            },
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "samples.jsonl:2: liveBytes", timeout: 20) {
                try Self.soakDirectory($0, samples: Self.sample() + Self.sample(["liveBytes": "-9223372036854775808"]))
            },
            BadInput(product, ["soak", "--resume", "{dir}/nowhere"], names: "{dir}/nowhere", timeout: 20),
            BadInput(product, ["soak", "--resume", "{dir}/soak"], names: "{dir}/soak/samples.jsonl", timeout: 20) {
                // A torn last line would be cut through the link, in a file outside the soak.
                try Self.soakDirectory($0)
                try Plant.file($0, "elsewhere.jsonl", Self.goodSamples + "{\"torn")
                try Plant.symlink($0, "soak/samples.jsonl", to: $0 + "/elsewhere.jsonl")
            },
            BadInput(product, ["soak", "--resume", "{dir}/soak", "--duration", "1m"], names: "--duration", timeout: 20)
            {
                try Self.soakDirectory($0, samples: Self.goodSamples)
            },

            // report: numbers read from the soak's files, named file:line; special files.
            BadInput(product, ["report", "{dir}/soak"], names: "samples.jsonl:2: elapsedSeconds", timeout: 20) {
                try Self.soakDirectory($0, samples: Self.sample() + Self.sample(["elapsedSeconds": "1e300"]))
            },
            BadInput(product, ["report", "{dir}/soak"], names: "samples.jsonl:1: liveBytes", timeout: 20) {
                try Self.soakDirectory($0, samples: Self.sample(["liveBytes": "-9223372036854775807"]))
            },
            BadInput(product, ["report", "{dir}/soak"], names: "samples.jsonl:2: meanIterationSeconds", timeout: 20) {
                try Self.soakDirectory(
                    $0,
                    samples: Self.sample() + Self.sample(["meanIterationSeconds": "-1", "maxIterationSeconds": "1"]))
            },
            BadInput(product, ["report", "{dir}/soak"], names: "samples.jsonl:1: iterations", timeout: 20) {
                try Self.soakDirectory($0, samples: Self.sample(["iterations": "-5"]))
            },
            BadInput(product, ["report", "{dir}/soak"], names: "events.jsonl:1: elapsedSeconds", timeout: 20) {
                try Self.soakDirectory(
                    $0, samples: Self.goodSamples,
                    events:
                        #"{"elapsedSeconds":-1,"kind":"started","message":"started","segment":0,"workload":"fixture.clean"}"#
                        + "\n")
            },
            BadInput(product, ["report", "{dir}/soak"], names: "soak.json: checkpointSeconds", timeout: 20) {
                try Self.soakDirectory($0, manifest: { $0["checkpointSeconds"] = 0.5 }, samples: Self.goodSamples)
            },
            BadInput(product, ["report", "{dir}/soak"], names: "samples.jsonl", timeout: 20) {
                try Self.soakDirectory($0)
                try Plant.fifo($0, "soak/samples.jsonl")
            },
            BadInput(product, ["report", "{dir}/soak"], names: "soak-report.json", timeout: 20) {
                try Self.soakDirectory($0, samples: Self.goodSamples)
                try Plant.directory($0, "soak/soak-report.json/keep")
            },
            BadInput(product, ["report", "{dir}/nowhere"], names: "{dir}/nowhere", timeout: 20),
            BadInput(product, ["report", "{dir}/file"], names: "{dir}/file", timeout: 20) {
                try Plant.file($0, "file", "x")
            },
            BadInput(product, ["report", "{dir}"], names: "soak.json", timeout: 20),

            // gate: report files that cannot be used.
            BadInput(product, ["gate", "{dir}/missing.json"], names: "{dir}/missing.json", timeout: 20),
            BadInput(product, ["gate", "{dir}/empty.json"], names: "{dir}/empty.json", timeout: 20) {
                try Plant.file($0, "empty.json", "")
            },
            BadInput(product, ["gate", "{dir}/cut.json"], names: "{dir}/cut.json", timeout: 20) {
                try Plant.file($0, "cut.json", #"{"schemaVersion": 1, "workloads": [{"name": "a", "verd"#)
            },
            BadInput(product, ["gate", "{dir}/other.json"], names: "{dir}/other.json", timeout: 20) {
                try Plant.file($0, "other.json", #"{"hello": "world"}"#)
            },
            BadInput(product, ["gate", "{dir}/reports"], names: "{dir}/reports", timeout: 20) {
                try Plant.directory($0, "reports")
            },
            BadInput(product, ["gate", "{dir}/fifo"], names: "{dir}/fifo", timeout: 20) { try Plant.fifo($0, "fifo") },
            BadInput(product, ["gate", "{dir}/link"], names: "{dir}/link", timeout: 20) {
                try Plant.symlink($0, "link", to: $0 + "/nothing")
            },
            // gate: real reports edited to carry numbers the gate would trap on.
            BadInput(product, ["gate", "{dir}/report.json"], names: "workloads[0].steps[0].bytes", timeout: 20) {
                try Self.editedSoakReport($0) {
                    $0["steps"] = [["fromSeconds": 1, "toSeconds": 2, "bytes": Int.min] as [String: Any]]
                }
            },
            BadInput(product, ["gate", "{dir}/report.json"], names: "workloads[0].steps[0].toSeconds", timeout: 20) {
                try Self.editedSoakReport($0) {
                    $0["steps"] = [["fromSeconds": 1, "toSeconds": 1e300, "bytes": 5] as [String: Any]]
                }
            },
            BadInput(product, ["gate", "{dir}/report.json"], names: "workloads[0].bytesPerHour", timeout: 20) {
                try Self.editedSoakReport($0) { $0["bytesPerHour"] = 1e300 }
            },
            BadInput(product, ["gate", "{dir}/report.json"], names: "workloads[0].bytesPerIteration", timeout: 20) {
                try Self.editedLeakReport($0) { $0["bytesPerIteration"] = 1e300 }
            },
            BadInput(
                product, ["gate", "{dir}/r/leak-report.json", "--baseline", "{dir}/report.json"],
                names: "workloads[0].bytesPerIteration",
                timeout: 20
            ) { try Self.editedLeakReport($0) { $0["bytesPerIteration"] = -1e300 } },

            // The hidden measuring command: a result path that is a directory is refused, not removed.
            BadInput(
                product, ["_measure", "--workload", "fixture.nope", "--plan", "{}", "--result", "{dir}/result"],
                names: "{dir}/result",
                timeout: 20
            ) { try Plant.directory($0, "result/keep") },
            BadInput(
                product,
                [
                    "_measure", "--workload", "fixture.clean", "--plan", "{}", "--result", "{dir}/r.json", "--parent",
                    "99999999999",
                ],
                names: "--parent", timeout: 20),
        ]
    }

    func testEveryBadInputGetsOneLineAndExitTwo() throws {
        let cases = Self.cases
        XCTAssertGreaterThanOrEqual(cases.count, 45)
        try BadInput.runAll(cases, in: self)
    }
}
