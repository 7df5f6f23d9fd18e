import SoakGateBasics

/// The merge gate's decision on one workload.
public struct GateDecision: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// Within the policy.
        case accepted
        /// A leak the policy expects (a planted case).
        case expectedLeak = "expected leak"
        /// Outside the policy: a leak, a growth class not allowed, a missing expected leak,
        /// or a slope that rose over the baseline.
        case rejected
        /// The workload crashed or timed out.
        case crashed
    }

    public var workload: String
    public var verdict: Verdict
    public var outcome: Outcome
    /// One sentence: why.
    public var reason: String
}

/// Applies a ``GatePolicy`` (and optionally a baseline report) to a report.
public enum Gate {
    public static func evaluate(_ report: LeakReport, policy: GatePolicy, baseline: LeakReport? = nil) -> [GateDecision]
    {
        report.workloads.map { workload in
            let rule = policy.rule(for: workload.name)
            let rate = workload.bytesPerIteration ?? 0
            func decision(_ outcome: GateDecision.Outcome, _ reason: String) -> GateDecision {
                GateDecision(workload: workload.name, verdict: workload.verdict, outcome: outcome, reason: reason)
            }
            switch workload.verdict {
            case .crashed:
                return decision(.crashed, workload.failure?.reason ?? "crashed")
            case .inconclusive where rule.expect == .leak:
                return decision(
                    .rejected,
                    "the policy expects a leak; inconclusive: \(workload.evidenceSummary ?? "no decision within the budget")"
                )
            case .inconclusive where policy.acceptsInconclusive(workload.name):
                return decision(.accepted, "inconclusive, which the policy accepts for it")
            case .inconclusive:
                return decision(
                    .rejected,
                    "inconclusive: \(workload.evidenceSummary ?? "no decision within the budget"); raise --budget, or let the policy accept it (\"inconclusive\": \"accept\")"
                )
            case .leak where rule.expect == .leak:
                return decision(.expectedLeak, "leaks as the policy expects (\(ByteCount.rate(rate)))")
            case .pass where rule.expect == .leak:
                return decision(.rejected, "the policy expects a leak and none was found")
            case .leak:
                guard rule.allowed.contains(workload.growth) else {
                    return decision(
                        .rejected,
                        "\(workload.growth.rawValue) growth of \(ByteCount.rate(rate)); the policy allows \(rule.allowed.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                guard rate <= rule.tolerated else {
                    return decision(
                        .rejected,
                        "\(ByteCount.rate(rate)) exceeds the \(ByteCount.rate(rule.tolerated)) the policy tolerates")
                }
                fallthrough
            case .pass:
                if let baseline, let previous = baseline.workloads.first(where: { $0.name == workload.name }),
                    let before = previous.bytesPerIteration, rule.expect != .leak
                {
                    let relative = policy.baseline?.relativeTolerance ?? 0.10
                    let absolute = policy.baseline?.absoluteToleranceBytesPerIteration ?? 1
                    let limit = max(before, 0) * (1 + relative) + absolute
                    if rate > limit {
                        return decision(
                            .rejected,
                            "slope rose from \(ByteCount.rate(before)) in the baseline to \(ByteCount.rate(rate)) (limit \(ByteCount.rate(limit)))"
                        )
                    }
                }
                return decision(
                    .accepted, workload.verdict == .pass ? "no leak" : "\(ByteCount.rate(rate)), within the policy")
            }
        }
    }

    /// The gate on a soak report: a leak beyond the tolerated bytes per hour is rejected unless
    /// the policy expects it; an inconclusive workload (too few readings) is rejected, since it
    /// proves nothing; a step is named but not rejected.
    public static func evaluate(_ report: SoakReport, policy: GatePolicy) -> [GateDecision] {
        report.workloads.map { workload in
            let expect = policy.rule(for: workload.name).expect
            let tolerated = policy.toleratedBytesPerHour(for: workload.name)
            let rate = (workload.bytesPerHour ?? 0)
            let verdict: Verdict =
                switch workload.verdict {
                case .leak: .leak
                case .crashed: .crashed
                case .inconclusive: .inconclusive
                case .pass: .pass
                }
            func decision(_ outcome: GateDecision.Outcome, _ reason: String) -> GateDecision {
                GateDecision(workload: workload.name, verdict: verdict, outcome: outcome, reason: reason)
            }
            let perHour = ByteCount.format(rate) + "/h"
            switch workload.verdict {
            case .crashed:
                return decision(.crashed, workload.failures.first ?? workload.evidence)
            case .inconclusive where policy.acceptsInconclusive(workload.name):
                return decision(.accepted, "inconclusive, which the policy accepts for it: \(workload.evidence)")
            case .inconclusive:
                return decision(.rejected, "inconclusive: \(workload.evidence)")
            case .leak where expect == .leak:
                return decision(.expectedLeak, "leaks as the policy expects (\(perHour))")
            case .pass where expect == .leak:
                return decision(.rejected, "the policy expects a leak and none was found")
            case .leak where rate > tolerated:
                return decision(
                    .rejected, "grows \(perHour), beyond the \(ByteCount.format(tolerated))/h the policy tolerates")
            case .leak, .pass:
                let step =
                    workload.steps.max { abs($0.bytes) < abs($1.bytes) }
                    .map { "; a step of \(ByteCount.format($0.bytes)) at \(SoakDuration.clock($0.toSeconds))" } ?? ""
                return decision(
                    .accepted, (workload.verdict == .pass ? "no leak" : "\(perHour), within the policy") + step)
            }
        }
    }

    /// 3 if a workload crashed, else 1 if one was rejected, else 0.
    public static func exitCode(_ decisions: [GateDecision]) -> Int32 {
        if decisions.contains(where: { $0.outcome == .crashed }) { return 3 }
        if decisions.contains(where: { $0.outcome == .rejected }) { return 1 }
        return 0
    }
}
