import Foundation
import PropertyBased
import Testing

@testable import SoakGate

/// Properties of the verdict rules (`GrowthRules.decide`, read by `WorkloadAnalysis`) over any
/// plan the command line accepts.
@Suite struct RuleProperties {
    @Test func aConstantWithNoiseBelowTheThresholdIsNeverALeak() async {
        let noise = Gen.double(in: -1...1).array(of: 1...16)
        await propertyCheck(count: 300, input: Inputs.plan, Gen.int(in: -(1 << 20)...(1 << 30)), noise) {
            plan, constant, noise in
            // Two readings differ by at most 2·amplitude, within what the ladder's last step allows.
            let step = plan.ladderTop - plan.ladder[plan.ladder.count - 2]
            let amplitude = Int(plan.policy.growthThreshold * Double(step) / 2)
            let run = RuleRun.run(plan) { _, reading in
                constant + Int(noise[reading % noise.count] * Double(amplitude))
            }
            let decision = try #require(run.decision)
            #expect(!decision.isLeak, "\(decision.evidence.summary)")
        }
    }

    @Test func anOffsetOnEveryReadingNeverChangesTheVerdict() async {
        await propertyCheck(count: 300, input: Inputs.plan, Inputs.curve, Gen.int(in: -(1 << 32)...(1 << 32))) {
            plan, curve, offset in
            let run = RuleRun.run(plan, retained: curve.retained)
            let moved = RuleRun.run(plan) { curve.retained(iterations: $0, reading: $1) + offset }
            let decision = try #require(run.decision)
            let movedDecision = try #require(moved.decision)
            #expect(movedDecision.isLeak == decision.isLeak)
            #expect(moved.samples.count == run.samples.count, "both runs stop at the same reading")
            // Every rule reads differences, the magnitude rule's bytes gained included; only a
            // bound (the level growth settled at) moves with the offset.
            var evidence = decision.evidence
            evidence.boundBytes = evidence.boundBytes.map { $0 + offset }
            #expect(movedDecision.evidence == evidence)
        }
    }

    @Test func aRateAboveTheThresholdIsALeakAndOneWithinTheToleranceIsNot() async {
        await propertyCheck(count: 300, input: Inputs.plan, Gen.double(in: 2...4096), Gen.double(in: 0...1)) {
            plan, excess, fraction in
            let tolerated = plan.policy.toleratedBytesPerIteration
            let fast = plan.policy.growthThreshold + excess
            let leak = try #require(RuleRun.run(plan) { n, _ in Int(fast * Double(n)) }.decision)
            #expect(leak.isLeak, "\(fast) B/iteration: \(leak.evidence.summary)")
            #expect(
                leak.evidence.kind == .magnitude || leak.evidence.kind == .steadyToBudget, "\(leak.evidence.summary)")
            // Whole bytes per iteration, so no rounding can lift the rate past the tolerance.
            let slow = (tolerated * fraction).rounded(.down)
            let pass = try #require(RuleRun.run(plan) { n, _ in Int(slow) * n }.decision)
            #expect(!pass.isLeak, "\(slow) B/iteration with \(tolerated) tolerated: \(pass.evidence.summary)")
        }
    }

    @Test func quadraticGrowthIsFittedAsQuadraticAndIsALeak() async {
        // c from 1/32 to 2^16 bytes per iteration², evenly on a log scale.
        let curvature = Gen.double(in: -5...16).map { exp2($0) }
        await propertyCheck(count: 500, input: Inputs.plan, curvature) { plan, c in
            let retained = { (n: Int) in Int(c * Double(n) * Double(n)) }
            // Live bytes are whole bytes: on a short ladder (1,2) a small c gains nothing over the
            // last step, which the ladder rule rightly calls no growth. Not this property's case.
            let top = plan.ladderTop
            let previous = plan.ladder[plan.ladder.count - 2]
            let lastStep = Double(retained(top) - retained(previous))
            guard lastStep > plan.policy.growthThreshold * Double(top - previous) else { return }
            let run = RuleRun.run(plan) { n, _ in retained(n) }
            let decision = try #require(run.decision)
            #expect(decision.isLeak, "\(c)·n²: \(decision.evidence.summary)")
            let result = RuleRun.analyze(plan, samples: run.samples, stop: run.stop)
            #expect(result.verdict == .leak)
            // However few readings the magnitude limit left (4 at least), the fit is the parabola.
            if let fits = result.fits {
                #expect(fits.chosenDegree == 2, "\(run.samples.count - 1) readings")
                // Whole bytes again: a 2-byte error at the last reading is within tolerance.
                let last = Double(run.samples.last!.iterations)
                #expect(abs(fits.quadratic.coefficients[2] - c) <= 1e-6 * c + 2 / (last * last))
            }
            // The exponent fitted over the run says superlinear whenever there are readings
            // enough to fit it, however early the magnitude limit stopped the run.
            if let exponent = result.growthExponent {
                #expect(result.growth == .superlinear, "\(c)·n², exponent \(exponent.exponent)")
            }
        }
    }
}
