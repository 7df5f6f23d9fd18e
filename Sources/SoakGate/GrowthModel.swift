import Foundation

/// A least-squares polynomial fit of retained bytes against iterations.
public struct PolynomialFit: Sendable, Equatable, Codable {
    /// 0 constant, 1 linear, 2 quadratic.
    public var degree: Int
    /// Coefficients from the constant term up: bytes, bytes per iteration, bytes per iteration².
    public var coefficients: [Double]
    /// Residual sum of squares, in bytes².
    public var residualSumOfSquares: Double
    /// Bayesian information criterion; the lowest wins.
    public var bic: Double

    /// The fitted retained bytes after `iterations`.
    public func value(at iterations: Double) -> Double {
        coefficients.reversed().reduce(0) { $0 * iterations + $1 }
    }
}

/// Constant, linear and quadratic fits to the same points, and the one the criterion chose.
///
/// The criterion is BIC = m·ln(RSS/m) + k·ln(m) for m points and k coefficients. RSS is floored
/// at one byte² per point: live bytes are whole numbers, so a better fit than that is noise,
/// and the floor makes an exact fit tie with an exact simpler fit, which the simpler one wins.
public struct GrowthFits: Sendable, Equatable, Codable {
    public var constant: PolynomialFit
    public var linear: PolynomialFit
    public var quadratic: PolynomialFit
    /// Degree of the model with the lowest BIC (ties go to the simpler model).
    public var chosenDegree: Int
    /// Always `"BIC"`; stated in the report so a reader knows how the choice was made.
    public var criterion: String

    /// Fits the three models to `(iterations, retainedBytes)` points; needs at least 4.
    public static func fit(x: [Double], y: [Double]) -> GrowthFits? {
        guard x.count == y.count, x.count >= 4, let scale = x.max(), scale > 0 else { return nil }
        let fits = (0...2).map { degree in polynomialFit(x: x, y: y, degree: degree, scale: scale) }
        var chosen = 0
        for degree in 1...2 where fits[degree].bic < fits[chosen].bic - 1e-9 {
            chosen = degree
        }
        return GrowthFits(
            constant: fits[0], linear: fits[1], quadratic: fits[2], chosenDegree: chosen, criterion: "BIC")
    }

    /// The chosen model.
    public var chosen: PolynomialFit { [constant, linear, quadratic][chosenDegree] }

    private static func polynomialFit(x: [Double], y: [Double], degree: Int, scale: Double) -> PolynomialFit {
        let size = degree + 1
        // Normal equations on x/scale keep the matrix well conditioned for x up to millions.
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: size + 1), count: size)
        for (xi, yi) in zip(x, y) {
            let u = xi / scale
            var powers = [Double](repeating: 1, count: 2 * size)
            for p in 1..<(2 * size) { powers[p] = powers[p - 1] * u }
            for row in 0..<size {
                for column in 0..<size { matrix[row][column] += powers[row + column] }
                matrix[row][size] += powers[row] * yi
            }
        }
        let scaled = solve(&matrix, size: size)
        var coefficients = scaled
        for p in 0..<size { coefficients[p] = scaled[p] / pow(scale, Double(p)) }
        var rss = 0.0
        for (xi, yi) in zip(x, y) {
            let u = xi / scale
            let fitted = scaled.reversed().reduce(0) { $0 * u + $1 }
            rss += (yi - fitted) * (yi - fitted)
        }
        let m = Double(x.count)
        let bic = m * log(max(rss, m) / m) + Double(size) * log(m)
        return PolynomialFit(degree: degree, coefficients: coefficients, residualSumOfSquares: rss, bic: bic)
    }

    /// Gaussian elimination with partial pivoting on an augmented `size × (size+1)` matrix.
    private static func solve(_ matrix: inout [[Double]], size: Int) -> [Double] {
        for column in 0..<size {
            var pivot = column
            for row in column..<size where abs(matrix[row][column]) > abs(matrix[pivot][column]) { pivot = row }
            matrix.swapAt(column, pivot)
            let lead = matrix[column][column]
            guard abs(lead) > 1e-300 else { continue }
            for row in 0..<size where row != column {
                let factor = matrix[row][column] / lead
                if factor == 0 { continue }
                for k in column...size { matrix[row][k] -= factor * matrix[column][k] }
            }
        }
        return (0..<size).map { abs(matrix[$0][$0]) > 1e-300 ? matrix[$0][size] / matrix[$0][$0] : 0 }
    }
}

/// Retained bytes as `offset + coefficient · iterations^exponent`, fitted by least squares:
/// the exponent says how growth scales (1 linear, below 1 sublinear, 2 quadratic) whatever the
/// start-up cost, which the offset takes.
public struct PowerFit: Sendable, Equatable, Codable {
    public var exponent: Double
    public var coefficient: Double
    public var offset: Double
    public var residualSumOfSquares: Double
    /// Points fitted, and the first and last iteration counts among them.
    public var points: Int
    public var fromIteration: Int
    public var toIteration: Int

    /// Needs at least 4 points with positive, distinct x spanning a factor of 2 or more, and
    /// growth between the first and the last; the exponent is searched over 0.05…3.
    public static func fit(x: [Double], y: [Double]) -> PowerFit? {
        guard x.count == y.count, x.count >= 4, let low = x.min(), let high = x.max(), low > 0, high >= 2 * low,
            let first = y.first, let last = y.last, last > first
        else { return nil }
        // Work in x / high so powers stay near 1.
        let u = x.map { $0 / high }
        func solve(_ p: Double) -> (a: Double, c: Double, rss: Double) {
            var su = 0.0
            var suu = 0.0
            var sy = 0.0
            var suy = 0.0
            let n = Double(u.count)
            for (ui, yi) in zip(u, y) {
                let v = pow(ui, p)
                su += v
                suu += v * v
                sy += yi
                suy += v * yi
            }
            let det = n * suu - su * su
            guard abs(det) > 1e-300 else { return (sy / n, 0, .infinity) }
            let c = (n * suy - su * sy) / det
            let a = (sy - c * su) / n
            var rss = 0.0
            for (ui, yi) in zip(u, y) {
                let r = yi - a - c * pow(ui, p)
                rss += r * r
            }
            return (a, c, rss)
        }
        var best = 0.05
        var bestRSS = Double.infinity
        for step in 0...295 {
            let p = 0.05 + Double(step) * 0.01
            let rss = solve(p).rss
            if rss < bestRSS {
                bestRSS = rss
                best = p
            }
        }
        // Golden-section refinement within one grid step either side.
        var a = max(0.05, best - 0.01)
        var b = min(3.0, best + 0.01)
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<40 {
            let c = b - ratio * (b - a)
            let d = a + ratio * (b - a)
            if solve(c).rss < solve(d).rss { b = d } else { a = c }
        }
        let p = (a + b) / 2
        let fit = solve(p)
        guard fit.rss.isFinite else { return nil }
        return PowerFit(
            exponent: p, coefficient: fit.c / pow(high, p), offset: fit.a, residualSumOfSquares: fit.rss,
            points: x.count, fromIteration: Int(low), toIteration: Int(high))
    }
}
