import ArgumentParser
import SoakGate

/// `check --iterations 1,10,100,1000`: the counts at which the heap is read, read once by
/// ``MeasurementPlan/parseLadder(_:)`` while the command line is parsed: at least two, strictly
/// increasing, each from 1 to 100000000.
struct IterationLadderArgument: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    /// The counts, strictly increasing.
    let counts: [Int]

    /// The ladder `check` reads without `--iterations`.
    static let standard = IterationLadderArgument(counts: MeasurementPlan.defaultLadder)

    private init(counts: [Int]) {
        self.counts = counts
    }

    /// Reads `text`, or says what is wrong with it.
    init(parsing text: String) throws(OptionValueError) {
        let example = "write e.g. \(Self.standard)"
        do {
            self.init(counts: try MeasurementPlan.parseLadder(text))
        } catch MeasurementPlan.PlanError.malformedLadder {
            throw OptionValueError(
                description: "not a comma-separated list of whole numbers from 1 to 100000000; \(example)")
        } catch MeasurementPlan.PlanError.ladderTooShort {
            throw OptionValueError(description: "fewer than two counts; \(example)")
        } catch MeasurementPlan.PlanError.ladderNotIncreasing {
            throw OptionValueError(description: "not strictly increasing; \(example)")
        } catch {
            throw OptionValueError(description: "\(error)")
        }
    }

    init?(argument: String) {
        guard let value = try? IterationLadderArgument(parsing: argument) else { return nil }
        self = value
    }

    /// `1,10,100,1000`, as it is typed.
    var description: String { counts.map(String.init).joined(separator: ",") }
}
