import SoakGate

/// A retention path as a small picture: the root on top, one box per object below it, each
/// arrow labelled with the field that holds the next, and a cycle's closing arrow drawn back up
/// the side to the box it returns to. Every name in it is escaped here; the report puts it in
/// unescaped, as it does the charts.
enum RetentionDrawing {
    static let boxWidth = 420
    static let boxHeight = 26
    static let gap = 24
    static let left = 40

    static func svg(_ path: RetentionPath) -> String {
        var labels: [(text: String, kind: String)] = []
        switch path.root {
        case .global: labels.append(("global " + (path.rootName ?? "?"), "root"))
        case .workload: labels.append(("the workload's state (the task that runs it)", "root"))
        case .stack: labels.append((path.rootName ?? "a thread's stack", "root"))
        case .cycle: labels.append(("held only by its own cycle", "root"))
        case .unreferenced: labels.append(("nothing points at it", "root"))
        }
        for step in path.steps { labels.append((step.type, step.type.hasPrefix("…") ? "elided" : "object")) }
        let height = labels.count * boxHeight + (labels.count - 1) * gap + 16
        let width = left + boxWidth + 90
        var svg =
            "<svg class=\"retention\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"retention path\">"
        func top(_ index: Int) -> Int { 8 + index * (boxHeight + gap) }
        for (index, label) in labels.enumerated() {
            let y = top(index)
            let fill = label.kind == "root" ? "#eef3fb" : label.kind == "elided" ? "#ffffff" : "#fbfcfe"
            let stroke = label.kind == "elided" ? "#ffffff" : "#9aa3b5"
            svg +=
                "<rect x=\"\(left)\" y=\"\(y)\" width=\"\(boxWidth)\" height=\"\(boxHeight)\" rx=\"4\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>"
            svg +=
                "<text x=\"\(left + 10)\" y=\"\(y + 17)\" font-size=\"12\" font-family=\"ui-monospace, monospace\">\(escape(clip(label.text)))</text>"
            if index > 0 {
                let fromY = top(index - 1) + boxHeight
                // Arrowheads are drawn, not referenced as markers: the page holds many drawings and
                // no ids or url() references.
                svg +=
                    "<line x1=\"\(left + 30)\" y1=\"\(fromY)\" x2=\"\(left + 30)\" y2=\"\(y - 6)\" stroke=\"#5b6475\"/>"
                svg +=
                    "<path d=\"M\(left + 26),\(y - 7) L\(left + 34),\(y - 7) L\(left + 30),\(y - 1) z\" fill=\"#5b6475\"/>"
                if let field = path.steps[index - 1].field {
                    svg +=
                        "<text x=\"\(left + 38)\" y=\"\(fromY + 16)\" font-size=\"11\" fill=\"#5b6475\" font-family=\"ui-monospace, monospace\">\(escape(field.hasPrefix("[") ? field : "." + field))</text>"
                }
            }
        }
        if path.cycle, let last = path.steps.last,
            let first = path.steps.dropLast().firstIndex(where: { $0.type == last.type })
        {
            // The last step is an object already on the path: arrow from the last box's right
            // side around to the first box of the same type.
            let fromY = top(path.steps.count) + boxHeight / 2
            let toY = top(first + 1) + boxHeight / 2
            let x = left + boxWidth
            svg +=
                "<path d=\"M\(x),\(fromY) C\(x + 70),\(fromY) \(x + 70),\(toY) \(x + 8),\(toY)\" fill=\"none\" stroke=\"#b3261e\" stroke-dasharray=\"4 3\"/>"
            svg += "<path d=\"M\(x + 8),\(toY - 4) L\(x + 8),\(toY + 4) L\(x + 1),\(toY) z\" fill=\"#b3261e\"/>"
            svg +=
                "<text x=\"\(x + 44)\" y=\"\((fromY + toY) / 2 + 4)\" font-size=\"11\" fill=\"#b3261e\">cycle</text>"
        }
        return svg + "</svg>"
    }

    /// Long generic names are cut to fit the box.
    static func clip(_ text: String) -> String {
        text.count <= 64 ? text : String(text.prefix(63)) + "…"
    }

    static func escape(_ text: String) -> String { BenchHTML.escape(text) }
}
