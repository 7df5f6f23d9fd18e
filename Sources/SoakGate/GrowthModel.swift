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
