import Foundation
import LotoFeatures
import XCTest

/// Pipeline P10 against STUMPY 1.14.1 (Golden/mp.csv and mp_profile.csv, made by
/// make_golden_mp.py).
///
/// Distances: within 1e−9 relative (1e−12 absolute), or with squares within 1e−12 (that is, the
/// correlations within 1e−12 / 2m). STUMPY's running covariance update is fused (numba, FMA) and
/// ours is not, so ρ differs by a few units in the last place; √(2m(1 − ρ)) amplifies that near
/// 0. Measured: profiles of the lottery series within 2.1e−14 absolute; on edge/runs (exact
/// repeats) distances near 0 differ by up to 4.1e−7 (1.07e−7 against 0 and the like) while
/// |P² − P²_STUMPY| ≤ 2.3e−13. The profile's mean and std are compared with an absolute floor of
/// 1e−6 on series whose smallest distance is below 1e−6 (measured worst 4.2e−9 on edge/runs).
/// Indices: equal on every golden series (measured). In the profile, 27 neighbours of edge/runs
/// differ where candidates' ρ agree to that rounding; such a neighbour must be as near as
/// STUMPY's (checked by computing its distance directly).
final class MatrixProfileGoldenTests: XCTestCase {
    static let squareTolerance = 1e-12

    func distanceClose(_ actual: Double, _ expected: Double) -> Bool {
        abs(actual - expected) <= max(abs(expected) * 1e-9, 1e-12)
            || abs(actual * actual - expected * expected) <= Self.squareTolerance
    }

    func testSeriesFeaturesMatchStumpy() throws {
        let golden = try GoldenTable(named: "mp")
        let series = try CSVDrawReader.read(path: try GoldenTable.url("mp_draws").path)
        XCTAssertEqual(golden.rows.count, series.count)
        XCTAssertEqual(golden.header, ["loto", "unique_id"] + MatrixProfileFeatures.columns)
        for row in golden.rows {
            let one = try XCTUnwrap(series.first { $0.loto == row[0] && $0.uniqueId == row[1] })
            let values = MatrixProfileFeatures.compute(one.y.filter { !$0.isNaN })
            XCTAssertEqual(values.count, MatrixProfileFeatures.columns.count)
            for (column, name) in MatrixProfileFeatures.columns.enumerated() {
                let actual = values[column].isNaN ? nil : values[column]
                let expected = golden.number(row, name)
                let what = "\(row[0])/\(row[1]) \(name)"
                if MatrixProfileFeatures.integerColumns.contains(name) {
                    XCTAssertEqual(actual, expected, what)
                } else if name.hasSuffix("_mean") || name.hasSuffix("_std") {
                    let prefix = String(name[..<name.lastIndex(of: "_")!])
                    let nearZero = (golden.number(row, prefix + "_min") ?? 1) < 1e-6
                    _ = assertClose(actual, expected, absolute: nearZero ? 1e-6 : 1e-12, what)
                } else if let a = actual, let e = expected {
                    XCTAssertTrue(distanceClose(a, e), "\(what): \(a) vs STUMPY \(e)")
                } else {
                    XCTAssertEqual(actual, expected, what)
                }
            }
        }
        // Every column is compared against a number on at least one series.
        for name in MatrixProfileFeatures.columns {
            XCTAssertTrue(golden.rows.contains { golden.number($0, name) != nil }, "\(name) is NULL on every series")
        }
    }

    /// The z-normalised distance of two subsequences computed directly (Pearson correlation of
    /// the windows, STUMPY's constant rules), for checking a neighbour chosen among near-ties.
    func directDistance(_ x: [Double], _ i: Int, _ j: Int, m: Int) -> Double {
        let u = Array(x[i..<(i + m)])
        let v = Array(x[j..<(j + m)])
        let constantU = u.allSatisfy { $0 == u[0] }
        let constantV = v.allSatisfy { $0 == v[0] }
        let rho: Double
        if constantU || constantV {
            rho = constantU && constantV ? 1 : 0.5
        } else {
            let mu = u.reduce(0, +) / Double(m)
            let mv = v.reduce(0, +) / Double(m)
            var suv = 0.0
            var suu = 0.0
            var svv = 0.0
            for k in 0..<m {
                suv += (u[k] - mu) * (v[k] - mv)
                suu += (u[k] - mu) * (u[k] - mu)
                svv += (v[k] - mv) * (v[k] - mv)
            }
            rho = min(1, suv / (suu * svv).squareRoot())
        }
        let square = abs(2 * Double(m) * (1 - rho))
        return (square < 1e-14 ? 0 : square).squareRoot()
    }

    func testProfilesMatchStumpy() throws {
        let golden = try GoldenTable(named: "mp_profile")
        let series = try CSVDrawReader.read(path: try GoldenTable.url("mp_draws").path)
        XCTAssertEqual(golden.header, ["loto", "unique_id", "m", "i", "p", "index"])
        var groups: [String: [[String]]] = [:]
        for row in golden.rows { groups["\(row[0])/\(row[1])/\(row[2])", default: []].append(row) }
        XCTAssertEqual(groups.count, 4)
        for (key, rows) in groups {
            let first = rows[0]
            let one = try XCTUnwrap(series.first { $0.loto == first[0] && $0.uniqueId == first[1] })
            let x = one.y.filter { !$0.isNaN }
            let m = try XCTUnwrap(Int(first[2]))
            let (p, index) = MatrixProfileFeatures.profile(x, m: m)
            XCTAssertEqual(p.count, rows.count, key)
            for row in rows {
                let i = try XCTUnwrap(Int(row[3]))
                let expected = try XCTUnwrap(golden.number(row, "p"))
                let expectedIndex = try XCTUnwrap(Int(row[5]))
                if expected.isInfinite {
                    XCTAssertEqual(p[i], expected, "\(key) P[\(i)]")
                    XCTAssertEqual(index[i], -1, "\(key) I[\(i)]")
                    continue
                }
                XCTAssertTrue(distanceClose(p[i], expected), "\(key) P[\(i)]: \(p[i]) vs STUMPY \(expected)")
                if index[i] != expectedIndex {
                    // A near-tie: the neighbour chosen here must be as near as STUMPY's.
                    XCTAssertGreaterThan(abs(index[i] - i), MatrixProfileFeatures.exclusionZone(m), "\(key) I[\(i)]")
                    let distance = directDistance(x, i, index[i], m: m)
                    XCTAssertTrue(
                        distanceClose(distance, expected),
                        "\(key) I[\(i)] = \(index[i]) at \(distance), STUMPY \(expectedIndex) at \(expected)")
                }
            }
        }
    }

    func value(_ values: [Double], _ name: String) -> Double {
        values[MatrixProfileFeatures.columns.firstIndex(of: name)!]
    }

    func columns(_ values: [Double], m: Int) -> [Double] {
        zip(MatrixProfileFeatures.columns, values).filter { $0.0.hasPrefix("stat_mp_m\(m)_") }.map(\.1)
    }

    func testColumns() {
        XCTAssertEqual(MatrixProfileFeatures.lengths, [8, 26])
        XCTAssertEqual(MatrixProfileFeatures.columns.count, 44)
        XCTAssertEqual(Set(MatrixProfileFeatures.columns).count, 44)
        XCTAssertEqual(MatrixProfileFeatures.integerColumns.count, 18)
        for name in MatrixProfileFeatures.columns {
            XCTAssertTrue(name.hasPrefix("stat_mp_m"), name)
            XCTAssertLessThanOrEqual(name.utf8.count, 63, name)
            XCTAssertTrue(name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, name)
        }
        XCTAssertTrue(MatrixProfileFeatures.integerColumns.contains("stat_mp_m8_motif1_neighbor"))
        XCTAssertTrue(MatrixProfileFeatures.integerColumns.contains("stat_mp_m26_discord3_index"))
        XCTAssertEqual(MatrixProfileFeatures.exclusionZone(8), 2)
        XCTAssertEqual(MatrixProfileFeatures.exclusionZone(26), 7)
    }

    func testNullRulesOnShortAndDegenerateSeries() {
        let count = MatrixProfileFeatures.columns.count
        XCTAssertTrue(MatrixProfileFeatures.compute([]).allSatisfy(\.isNaN))
        XCTAssertTrue(MatrixProfileFeatures.compute([4]).allSatisfy(\.isNaN))
        XCTAssertTrue(MatrixProfileFeatures.compute([.nan, .nan]).allSatisfy(\.isNaN))
        XCTAssertEqual(MatrixProfileFeatures.compute([1, 2, 3]).count, count)
        // Fewer than m values: STUMPY raises. m ≤ N ≤ m + e: no pair outside the exclusion zone.
        XCTAssertTrue(MatrixProfileFeatures.compute((0..<7).map { Double($0 * $0 % 11) }).allSatisfy(\.isNaN))
        XCTAssertTrue(MatrixProfileFeatures.profile([1, 2], m: 8) == ([], []))
        XCTAssertTrue(MatrixProfileFeatures.profile((0..<20).map(Double.init), m: 2) == ([], []))
        let ten = (0..<10).map { Double($0 * 7 % 11) }
        XCTAssertEqual(MatrixProfileFeatures.profile(ten, m: 8).p, [.infinity, .infinity, .infinity])
        XCTAssertEqual(MatrixProfileFeatures.profile(ten, m: 8).i, [-1, -1, -1])
        XCTAssertTrue(MatrixProfileFeatures.compute(ten).allSatisfy(\.isNaN))

        // 11 values, m = 8: positions 0 and 3 are each other's only candidates, 1 and 2 have none.
        let eleven: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
        let profile = MatrixProfileFeatures.profile(eleven, m: 8)
        XCTAssertEqual(profile.i, [3, -1, -1, 0])
        XCTAssertEqual(profile.p[1], .infinity)
        XCTAssertEqual(profile.p[0], profile.p[3])
        XCTAssertEqual(profile.p[0], 3.19295205, accuracy: 1e-8) // STUMPY: 3.19295205…
        let short = MatrixProfileFeatures.compute(eleven)
        XCTAssertEqual(value(short, "stat_mp_m8_motif1_index"), 0)
        XCTAssertEqual(value(short, "stat_mp_m8_motif1_neighbor"), 3)
        XCTAssertTrue(value(short, "stat_mp_m8_motif2_distance").isNaN) // 3 is excluded with 0
        XCTAssertEqual(value(short, "stat_mp_m8_discord2_index"), 3)
        XCTAssertTrue(value(short, "stat_mp_m8_discord3_distance").isNaN)
        XCTAssertTrue(columns(short, m: 26).allSatisfy(\.isNaN))
        // 33 values: nothing for m = 26; 34: one pair (0, 8).
        let ramp = (0..<34).map { Double($0 * 17 % 23) }
        XCTAssertTrue(columns(MatrixProfileFeatures.compute(Array(ramp.prefix(33))), m: 26).allSatisfy(\.isNaN))
        let pair = MatrixProfileFeatures.compute(ramp)
        XCTAssertEqual(value(pair, "stat_mp_m26_motif1_index"), 0)
        XCTAssertEqual(value(pair, "stat_mp_m26_motif1_neighbor"), 8)

        // NaN values are dropped as missing values.
        let withGaps: [Double] = [3, .nan, 1, 4, 1, 5, 9, .nan, 2, 6, 5, 3, 5, 8, 9, 7, 9]
        XCTAssertEqual(
            MatrixProfileFeatures.compute(withGaps).map { $0.isNaN ? -99 : $0 },
            MatrixProfileFeatures.compute(withGaps.filter { !$0.isNaN }).map { $0.isNaN ? -99 : $0 })

        // A constant series: every pair is at distance 0; the nearest lag e + 1 wins, left first.
        let constant = MatrixProfileFeatures.compute([Double](repeating: 7, count: 40))
        XCTAssertEqual(value(constant, "stat_mp_m8_max"), 0)
        XCTAssertEqual(value(constant, "stat_mp_m8_motif1_neighbor"), 3)
        XCTAssertEqual(value(constant, "stat_mp_m26_motif1_neighbor"), 8)
        let flat = MatrixProfileFeatures.profile([Double](repeating: 7, count: 20), m: 8)
        XCTAssertEqual(flat.i, [3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertTrue(flat.p.allSatisfy { $0 == 0 })
        // Constant against non-constant: ρ = 0.5, distance √m.
        let step = MatrixProfileFeatures.profile([Double](repeating: 1, count: 8) + [2, 3, 1], m: 8)
        XCTAssertEqual(step.p[0], 8.0.squareRoot())
    }

    /// ±inf: the subsequences holding it take part in no pair (STUMPY: P = inf, I = −1); the
    /// others are unchanged. Values and indices from `stumpy.stump(x, 8)`.
    func testInfiniteValues() {
        let x: [Double] = [
            29, 35, 1, 35, 21, 23, 28, 13, 43, 3, 12, 17, 25, 18, 6, 2, 1, 3, 7, 43, .infinity, 29, 33, 11, 13,
            19, 12, 42, 8, 39, 35, 37, 5, 17, 28, 22, 29, 30, 29, 3, 42, 24, 39, 12, 16, -.infinity, 9, 3, 17,
            30, 6, 38, 15, 10, 24, 39, 39, 38, 14, 1,
        ]
        let (p, index) = MatrixProfileFeatures.profile(x, m: 8)
        XCTAssertEqual(p.count, 53)
        for k in 0..<53 {
            let holdsInfinity = (13...20).contains(k) || (38...45).contains(k)
            XCTAssertEqual(p[k].isInfinite, holdsInfinity, "P[\(k)]")
            XCTAssertEqual(index[k] == -1, holdsInfinity, "I[\(k)]")
        }
        XCTAssertEqual(Array(index.prefix(8)), [37, 22, 32, 37, 47, 48, 29, 0])
        XCTAssertEqual(p[0], 2.074359161852198, accuracy: 1e-12)
        XCTAssertEqual(p[52], 2.2310890472613543, accuracy: 1e-12)
        let values = MatrixProfileFeatures.compute(x)
        XCTAssertTrue(values.allSatisfy { $0.isNaN || $0.isFinite })
        XCTAssertEqual(value(values, "stat_mp_m8_motif1_index"), 5)
        XCTAssertEqual(value(values, "stat_mp_m8_motif1_neighbor"), 48)
        XCTAssertEqual(value(values, "stat_mp_m8_discord1_index"), 12)
    }

    /// Values of every magnitude never crash and give finite numbers or NULL only; index
    /// columns are whole numbers.
    func testNoInfinitiesAndWholeIndices() {
        let inputs: [[Double]] = [
            [0, 0], [1, 1, 1], (0..<25).map { Double($0 % 3) },
            [1e300, -1e300, 3, 4, 5, 1e300, 2, 7, 1, 1e-300, 5, 6, 7, 8, 9, 1, 2, 3],
            (0..<300).map { 1e-300 * Double($0 % 7) }, (0..<120).map { 1e12 + Double($0 % 5) },
        ]
        for input in inputs {
            let values = MatrixProfileFeatures.compute(input)
            XCTAssertEqual(values.count, MatrixProfileFeatures.columns.count)
            XCTAssertTrue(values.allSatisfy { $0.isNaN || $0.isFinite }, "\(input.prefix(5))")
            for (name, value) in zip(MatrixProfileFeatures.columns, values)
            where MatrixProfileFeatures.integerColumns.contains(name) && !value.isNaN {
                XCTAssertEqual(value, value.rounded(), name)
                XCTAssertGreaterThanOrEqual(value, 0, name)
            }
        }
    }
}
