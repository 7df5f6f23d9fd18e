import Foundation
import PropertyBased
import Testing

@testable import SoakGate

/// Properties of the growth fits (least-squares polynomials chosen by BIC, and Theil–Sen) that
/// must hold for every input, not only for the golden series in SoakGateTests.
@Suite struct FitProperties {
    /// `expected` within `relative` of its own size, or of `scale` when it is near zero.
    static func close(_ actual: Double, _ expected: Double, relative: Double, scale: Double = 1) -> Bool {
        abs(actual - expected) <= relative * max(abs(expected), scale)
    }

    @Test func anExactLineIsFittedAsLinearWithItsSlopeAndIntercept() async {
        let slope = zip(Gen.int(in: 4...4096), Gen.bool).map { magnitude, negative in
            negative ? -magnitude : magnitude
        }
        await propertyCheck(count: 500, input: Inputs.distinctIterations, Gen.int(in: -1_000_000...10_000_000), slope) {
            x, a, b in
            // Whole numbers below 2^53: every y is exact, so Theil–Sen's pairwise slopes are too.
            let y = x.map { Double(a) + Double(b) * $0 }
            let fits = try #require(GrowthFits.fit(x: x, y: y))
            #expect(fits.chosenDegree == 1)
            #expect(Self.close(fits.linear.coefficients[1], Double(b), relative: 1e-9))
            #expect(Self.close(fits.linear.coefficients[0], Double(a), relative: 1e-9, scale: y.map(abs).max()!))
            let theilSen = try #require(TheilSenSlope.fit(x: x, y: y))
            #expect(theilSen.slope == Double(b))
            #expect(theilSen.intercept == Double(a))
            #expect(theilSen.lowerBound95 == Double(b) && theilSen.upperBound95 == Double(b))
        }
    }

    @Test func theOrderOfTheReadingsDoesNotMatter() async {
        // x from a pool of 50 values, so repeated readings at one iteration count are common.
        let points = zip(Gen.int(in: 1...50), Gen.int(in: -1_000_000...100_000_000)).array(of: 4...40)
        let keys = Gen.int(in: 0...1_000_000).array(of: 40)
        await propertyCheck(count: 500, input: points, keys) { points, keys in
            let order = points.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }
            let x = points.map { Double($0.0 * 1000) }
            let y = points.map { Double($0.1) }
            let shuffledX = order.map { x[$0] }
            let shuffledY = order.map { y[$0] }

            let fits = try #require(GrowthFits.fit(x: x, y: y))
            let shuffled = try #require(GrowthFits.fit(x: shuffledX, y: shuffledY))
            #expect(shuffled.chosenDegree == fits.chosenDegree)
            let scale = y.map(abs).max()!
            let pairs = [
                (fits.constant, shuffled.constant), (fits.linear, shuffled.linear),
                (fits.quadratic, shuffled.quadratic),
            ]
            for (model, other) in pairs {
                #expect(Self.close(other.residualSumOfSquares, model.residualSumOfSquares, relative: 1e-6, scale: 1))
                // Fitted values at the readings are unique even where the coefficients are not
                // (fewer distinct x than coefficients).
                for point in Set(x) {
                    #expect(Self.close(other.value(at: point), model.value(at: point), relative: 1e-6, scale: scale))
                }
            }
            // Theil–Sen sorts its pairwise slopes: the result is the same to the bit.
            #expect(TheilSenSlope.fit(x: shuffledX, y: shuffledY) == TheilSenSlope.fit(x: x, y: y))
        }
    }

    @Test func scalingTheIterationsScalesTheSlopeAndKeepsTheModel() async {
        let walk = Gen.int(in: -4_000...40_000).array(of: 40)
        await propertyCheck(count: 500, input: Inputs.distinctIterations, walk, Gen.int(in: 2...1000)) { x, steps, s in
            // A random walk: any mix of growth, plateaus and drops.
            var total = 0
            let y = x.indices.map { index in
                total += steps[index]
                return Double(total)
            }
            let fits = try #require(GrowthFits.fit(x: x, y: y))
            let scaled = try #require(GrowthFits.fit(x: x.map { $0 * Double(s) }, y: y))
            #expect(scaled.chosenDegree == fits.chosenDegree)
            let slope = scaled.linear.coefficients[1] * Double(s)
            #expect(Self.close(slope, fits.linear.coefficients[1], relative: 1e-9, scale: 1e-6))
            #expect(Self.close(scaled.constant.coefficients[0], fits.constant.coefficients[0], relative: 1e-12))
            #expect(Self.close(scaled.quadratic.bic, fits.quadratic.bic, relative: 1e-9))
        }
    }

    @Test func theilSenIgnoresAMinorityOfWildReadings() async {
        let wild = Gen.int(in: -100_000_000...100_000_000).array(of: 40)
        let slope = Gen.int(in: -4096...4096)
        await propertyCheck(count: 500, input: Inputs.distinctIterations, slope, wild, Gen.int(in: 0...40)) {
            x, b, wildValues, wildCount in
            let n = x.count
            // Wild readings may move the median only if clean pairs are at most half of all pairs.
            let allPairs = n * (n - 1) / 2
            let k =
                (0...min(wildCount, n)).last { (k: Int) -> Bool in
                    let clean = n - k
                    return 2 * (clean * (clean - 1) / 2) >= allPairs + 2
                } ?? 0
            var y = x.map { 1000 + Double(b) * $0 }
            for index in 0..<k { y[(index * 7) % n] = Double(wildValues[index]) }
            let fit = try #require(TheilSenSlope.fit(x: x, y: y))
            #expect(fit.slope == Double(b), "\(k) wild readings of \(n)")
            #expect(fit.intercept == 1000, "\(k) wild readings of \(n)")
            #expect(fit.lowerBound95 <= fit.slope && fit.slope <= fit.upperBound95)
        }
    }
}
