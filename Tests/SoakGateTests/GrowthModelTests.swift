import XCTest

@testable import SoakGate

final class GrowthModelTests: XCTestCase {
    // A task-group-like ladder: filling caches, concave. Golden values from numpy.polyfit and
    // scipy.stats.theilslopes(alpha=0.90, method="joint") on the same points.
    let x: [Double] = [1, 2, 3, 5, 7, 10, 20, 30, 50, 70, 100, 200, 300, 500, 700, 1000]
    let y: [Double] = [
        1664, 2496, 2600, 3100, 3300, 2944, 5000, 6100, 7488, 9000, 16000, 30000, 41000, 52000, 60000, 66880,
    ]

    func testPolynomialFitsMatchNumpy() throws {
        let fits = try XCTUnwrap(GrowthFits.fit(x: x, y: y))
        XCTAssertEqual(fits.constant.coefficients[0], 19348.25, accuracy: 1e-6)
        XCTAssertEqual(fits.linear.coefficients[0], 5491.585544153194, accuracy: 1e-6)
        XCTAssertEqual(fits.linear.coefficients[1], 73.95151143880878, accuracy: 1e-9)
        XCTAssertEqual(fits.quadratic.coefficients[0], 1999.4392537729254, accuracy: 1e-5)
        XCTAssertEqual(fits.quadratic.coefficients[1], 142.15341903872698, accuracy: 1e-8)
        XCTAssertEqual(fits.quadratic.coefficients[2], -0.07866796672882156, accuracy: 1e-11)
        XCTAssertEqual(fits.linear.residualSumOfSquares, 610578651.7125987, accuracy: 1e-2)
        XCTAssertEqual(fits.quadratic.bic, 244.65915573617062, accuracy: 1e-9)
        XCTAssertEqual(fits.chosenDegree, 2)
        XCTAssertEqual(fits.criterion, "BIC")
    }

    func testExactLineChoosesLinear() throws {
        let xs = (1...30).map { Double($0 * 37) }
        let fits = try XCTUnwrap(GrowthFits.fit(x: xs, y: xs.map { 16 * $0 + 128 }))
        XCTAssertEqual(fits.chosenDegree, 1)
        XCTAssertEqual(fits.linear.coefficients[1], 16, accuracy: 1e-9)
        XCTAssertEqual(fits.linear.coefficients[0], 128, accuracy: 1e-6)
    }

    func testFlatFigureChoosesConstant() throws {
        let xs: [Double] = [1, 2, 3, 5, 7, 10, 20, 30, 50, 70, 100, 1000]
        let fits = try XCTUnwrap(GrowthFits.fit(x: xs, y: xs.map { _ in 655_360 }))
        XCTAssertEqual(fits.chosenDegree, 0)
        XCTAssertEqual(fits.chosen.value(at: 500), 655_360, accuracy: 1e-6)
    }

    func testParabolaChoosesQuadratic() throws {
        let xs = (1...40).map { Double($0 * 25) }
        let fits = try XCTUnwrap(GrowthFits.fit(x: xs, y: xs.map { $0 * ($0 + 1) / 2 }))
        XCTAssertEqual(fits.chosenDegree, 2)
        XCTAssertEqual(fits.quadratic.coefficients[2], 0.5, accuracy: 1e-9)
    }

    func testTooFewPointsGiveNoFit() {
        XCTAssertNil(GrowthFits.fit(x: [1, 2, 3], y: [1, 2, 3]))
    }

    func testTheilSenMatchesScipy() throws {
        let fit = try XCTUnwrap(TheilSenSlope.fit(x: x, y: y))
        XCTAssertEqual(fit.slope, 104.0)
        XCTAssertEqual(fit.intercept, 2288.0)
        XCTAssertEqual(fit.lowerBound95, 90.47619047619048, accuracy: 1e-12)
        XCTAssertEqual(fit.upperBound95, 129.62962962962962, accuracy: 1e-12)
    }

    func testTheilSenIgnoresWildPoints() throws {
        var ys = (1...20).map { 16 * Double($0) + 100 }
        ys[3] = 90_000
        ys[11] = -5_000
        let fit = try XCTUnwrap(TheilSenSlope.fit(x: (1...20).map(Double.init), y: ys))
        XCTAssertEqual(fit.slope, 16)
        XCTAssertEqual(fit.lowerBound95, 16)
        XCTAssertEqual(fit.intercept, 100)
    }
}
