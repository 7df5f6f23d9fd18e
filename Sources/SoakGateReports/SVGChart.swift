import Foundation
import SoakGate
import SoakGateBasics

/// A line chart drawn as inline SVG: points, an optional fitted curve, vertical markers.
///
/// It takes numbers and fixed labels only, never a workload's strings, so its markup needs no
/// escaping; the HTML template inserts it as is.
struct SVGChart {
    struct Point {
        var x: Double
        var y: Double
    }

    var points: [Point]
    /// The fitted model, drawn over the points' x range.
    var curve: ((Double) -> Double)?
    /// Vertical dotted lines (window boundaries, checkpoints), with x values.
    var markers: [Double] = []
    /// Vertical solid lines that call for attention (a step), with x values.
    var highlights: [Double] = []
    /// Labels of the x axis's ticks; counts (`10k`) when nil.
    var xTickLabel: ((Double) -> String)?
    var logarithmicX = true
    var width = 640.0
    var height = 260.0
    var xLabel = "iterations"
    var yLabel = "retained bytes"

    private let left = 78.0, right = 30.0, top = 14.0, bottom = 42.0

    func render() -> String {
        guard let minX = points.map(\.x).min(), let maxX = points.map(\.x).max() else {
            return
                #"<svg xmlns="http://www.w3.org/2000/svg" width="640" height="40"><text x="8" y="24" font-size="13">no samples</text></svg>"#
        }
        let curveValues = curveSamples(from: minX, to: maxX)
        let ys = points.map(\.y) + curveValues.map(\.y) + [0]
        let (low, high, step) = Self.niceRange(ys.min()!, ys.max()!)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let xLow = logarithmicX ? log10(max(minX, 1)) : minX
        var xHigh = logarithmicX ? log10(max(maxX, 1)) : maxX
        if xHigh <= xLow { xHigh = xLow + 1 }
        func px(_ x: Double) -> Double {
            let value = logarithmicX ? log10(max(x, 1)) : x
            return left + (value - xLow) / (xHigh - xLow) * plotWidth
        }
        func py(_ y: Double) -> Double { top + (high - y) / (high - low) * plotHeight }

        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.f(width)) \(Self.f(height))\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" role=\"img\" class=\"chart\">"
        svg +=
            "<rect x=\"\(Self.f(left))\" y=\"\(Self.f(top))\" width=\"\(Self.f(plotWidth))\" height=\"\(Self.f(plotHeight))\" class=\"plot\"/>"
        var y = low
        while y <= high + step / 2 {
            svg +=
                "<line x1=\"\(Self.f(left))\" x2=\"\(Self.f(width - right))\" y1=\"\(Self.f(py(y)))\" y2=\"\(Self.f(py(y)))\" class=\"grid\"/>"
            svg +=
                "<text x=\"\(Self.f(left - 6))\" y=\"\(Self.f(py(y) + 4))\" text-anchor=\"end\" class=\"tick\">\(Self.xml(ByteCount.format(y)))</text>"
            y += step
        }
        for tick in xTicks(minX, maxX) {
            svg +=
                "<line x1=\"\(Self.f(px(tick)))\" x2=\"\(Self.f(px(tick)))\" y1=\"\(Self.f(top))\" y2=\"\(Self.f(height - bottom))\" class=\"grid\"/>"
            svg +=
                "<text x=\"\(Self.f(px(tick)))\" y=\"\(Self.f(height - bottom + 16))\" text-anchor=\"middle\" class=\"tick\">\(Self.xml(xTickLabel?(tick) ?? Self.count(tick)))</text>"
        }
        for marker in markers where marker >= minX && marker <= maxX {
            svg +=
                "<line x1=\"\(Self.f(px(marker)))\" x2=\"\(Self.f(px(marker)))\" y1=\"\(Self.f(top))\" y2=\"\(Self.f(height - bottom))\" class=\"marker\"/>"
        }
        for highlight in highlights where highlight >= minX && highlight <= maxX {
            svg +=
                "<line x1=\"\(Self.f(px(highlight)))\" x2=\"\(Self.f(px(highlight)))\" y1=\"\(Self.f(top))\" y2=\"\(Self.f(height - bottom))\" class=\"highlight\"/>"
        }
        let line = points.enumerated().map { index, point in
            "\(index == 0 ? "M" : "L")\(Self.f(px(point.x))),\(Self.f(py(point.y)))"
        }.joined(separator: " ")
        svg += "<path d=\"\(line)\" class=\"series\"/>"
        for point in points {
            svg += "<circle cx=\"\(Self.f(px(point.x)))\" cy=\"\(Self.f(py(point.y)))\" r=\"2.6\" class=\"point\"/>"
        }
        if !curveValues.isEmpty {
            let path = curveValues.enumerated().map { index, point in
                "\(index == 0 ? "M" : "L")\(Self.f(px(point.x))),\(Self.f(py(point.y)))"
            }.joined(separator: " ")
            svg += "<path d=\"\(path)\" class=\"fit\"/>"
        }
        svg +=
            "<text x=\"\(Self.f(left + plotWidth / 2))\" y=\"\(Self.f(height - 6))\" text-anchor=\"middle\" class=\"label\">\(Self.xml(xLabel))\(logarithmicX ? " (log scale)" : "")</text>"
        svg +=
            "<text x=\"14\" y=\"\(Self.f(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(Self.f(top + plotHeight / 2)))\" class=\"label\">\(Self.xml(yLabel))</text>"
        return svg + "</svg>"
    }

    private func curveSamples(from minX: Double, to maxX: Double) -> [Point] {
        guard let curve else { return [] }
        let steps = 120
        return (0...steps).map { index in
            let t = Double(index) / Double(steps)
            let x =
                logarithmicX
                ? pow(10, log10(max(minX, 1)) + t * (log10(max(maxX, 1)) - log10(max(minX, 1))))
                : minX + t * (maxX - minX)
            return Point(x: x, y: curve(x))
        }
    }

    private func xTicks(_ minX: Double, _ maxX: Double) -> [Double] {
        if logarithmicX {
            var ticks: [Double] = []
            var tick = 1.0
            while tick <= maxX * 1.0001 {
                if tick >= minX * 0.9999 { ticks.append(tick) }
                tick *= 10
            }
            return ticks
        }
        let (low, high, step) = Self.niceRange(minX, maxX)
        return stride(from: low, through: high, by: step).filter { $0 >= minX && $0 <= maxX }
    }

    /// Axis bounds and a step of 1, 2 or 5 × 10^k giving about five intervals.
    static func niceRange(_ low: Double, _ high: Double) -> (Double, Double, Double) {
        var low = low
        var high = high
        if high - low < 1 {
            high = low + 1
        }
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        low = floor(low / step) * step
        high = ceil(high / step) * step
        return (low, high, step)
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func count(_ value: Double) -> String {
        value >= 1000 ? String(format: "%.0fk", value / 1000) : String(format: "%.0f", value)
    }

    static func xml(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
