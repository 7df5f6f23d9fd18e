/// The HTML report's template (Mustache). `{{x}}` escapes HTML; only the charts, which
/// ``SVGChart`` builds from numbers and fixed labels, go in unescaped as `{{{chart}}}`, the
/// retention drawings, which ``RetentionDrawing`` escapes itself, as `{{{drawing}}}`, and the
/// benchmark fragment, which ``BenchHTML/section(for:)`` escapes itself, as `{{{benchSection}}}`.
/// No scripts, fonts or other files: the page is complete on its own.
enum HTMLTemplate {
    /// The start of every page up to `<body>`: the same metadata and style sheet.
    static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        \(style)
        </head>
        """
    }

    /// The style sheet every page shares.
    static let style = """
        <style>
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1000px; padding: 0 16px; color: #1d2330; }
        h1 { font-size: 22px; margin-bottom: 4px; }
        h2 { font-size: 18px; margin: 32px 0 6px; border-top: 1px solid #d8dce4; padding-top: 18px; }
        h3 { font-size: 14px; margin: 16px 0 6px; }
        .meta { color: #5b6475; }
        table { border-collapse: collapse; margin: 8px 0; }
        th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #e6e9ef; vertical-align: top; }
        th { background: #f4f6f9; font-weight: 600; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .verdict { font-weight: 700; padding: 1px 8px; border-radius: 10px; }
        .pass { background: #dcf5e3; color: #14602b; }
        .leak { background: #fde2e1; color: #8c1b13; }
        .crashed { background: #fff0c2; color: #7a5300; }
        .evidence { color: #3a4253; }
        .chart .plot { fill: #fbfcfe; stroke: #c9ced8; }
        figure.retention-path { margin: 8px 0 16px; }
        figure.retention-path figcaption { font-weight: 600; margin-bottom: 4px; }
        .chart .grid { stroke: #e3e7ee; stroke-width: 1; }
        .chart .marker { stroke: #9aa3b5; stroke-dasharray: 3 3; }
        .chart .series { fill: none; stroke: #2f6fd6; stroke-width: 1.5; }
        .chart .point { fill: #2f6fd6; }
        .chart .fit { fill: none; stroke: #e0662b; stroke-width: 2; stroke-dasharray: 6 3; }
        .chart .tick, .chart .label { font-size: 11px; fill: #5b6475; }
        .legend span { margin-right: 14px; }
        .swatch { display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 4px; }
        pre { background: #f4f6f9; padding: 8px; overflow-x: auto; font-size: 12px; }
        .chart .highlight { stroke: #c0392b; stroke-width: 2; }
        .inconclusive { background: #e6e9ef; color: #3a4253; }
        </style>
        """

    /// The gate's table under a page's summary; `{{#gate}}` is absent without a gate.
    static let gateTable = """
        {{#gate}}
        <h2>{{headline}}</h2>
        <table>
        <tr><th>workload</th><th>outcome</th><th>why</th></tr>
        {{#rows}}
        <tr><td>{{workload}}</td><td><span class="verdict {{class}}">{{outcome}}</span></td><td class="evidence">{{reason}}</td></tr>
        {{/rows}}
        </table>
        {{/gate}}
        """

    /// A workload's gate decisions under its heading, inside `{{#workloads}}`.
    static let gateLines = """
        {{#gateDecisions}}
        <p class="evidence">gate: <span class="verdict {{class}}">{{outcome}}</span> {{reason}}</p>
        {{/gateDecisions}}
        """

    static let report = """
        \(head(title: "SoakGate leak report"))
        <body>
        <h1>SoakGate leak report</h1>
        <p class="meta">{{tool}} (Swift {{swiftVersion}}) · started {{startedAt}} · {{host}} · MALLOC_CONF={{mallocConf}}<br>
        ladder {{ladder}} · budget {{budget}} per workload · tolerated {{tolerated}} per iteration, floor {{floor}} per iteration</p>
        <p><strong>{{passCount}} pass</strong>, <strong>{{leakCount}} leak</strong>, <strong>{{crashCount}} crashed</strong>, <strong>{{inconclusiveCount}} inconclusive</strong>.</p>
        <table>
        <tr><th>workload</th><th>verdict</th><th>growth</th><th>bytes/iteration</th><th>decided by</th></tr>
        {{#workloads}}
        <tr><td><a href="#{{anchor}}">{{name}}</a></td><td><span class="verdict {{verdict}}">{{verdict}}</span></td><td>{{growth}}</td><td class="num">{{rate}}</td><td class="evidence">{{evidence}}</td></tr>
        {{/workloads}}
        </table>
        \(gateTable)
        {{#workloads}}
        <h2 id="{{anchor}}">{{name}} <span class="verdict {{verdict}}">{{verdict}}</span></h2>
        <p class="meta">{{summary}}</p>
        \(gateLines)
        <p class="evidence">{{evidence}}</p>
        <p class="meta">{{followed}}</p>
        {{#hasChart}}
        <p class="legend"><span><i class="swatch" style="background:#2f6fd6"></i>retained bytes (readings)</span><span><i class="swatch" style="background:#e0662b"></i>{{fitName}} fit (chosen by BIC)</span><span><i class="swatch" style="background:#9aa3b5"></i>confirmation windows</span></p>
        {{{chart}}}
        <table>
        <tr><th>rate</th><td class="num">{{rate}}</td><th>95 % lower bound</th><td class="num">{{lowerBound}}</td><th>seed rule (10× vs 1×)</th><td>{{seed}}</td></tr>
        </table>
        <h3>Ladder</h3>
        <table><tr><th>iterations</th>{{#ladder}}<td class="num">{{iterations}}</td>{{/ladder}}</tr>
        <tr><th>retained</th>{{#ladder}}<td class="num">{{bytes}}</td>{{/ladder}}</tr></table>
        {{#hasWindows}}
        <h3>Confirmation windows</h3>
        <table><tr><th>window</th><th>iterations</th><th>gained</th><th>per iteration</th><th>grew</th></tr>
        {{#windows}}<tr><td class="num">{{number}}</td><td>{{range}}</td><td class="num">{{gained}}</td><td class="num">{{rate}}</td><td>{{grew}}</td></tr>
        {{/windows}}</table>
        {{/hasWindows}}
        <h3>Fitted models</h3>
        <table><tr><th>model</th><th>coefficients</th><th>RSS</th><th>BIC</th></tr>
        {{#fits}}<tr><td>{{model}}{{#chosen}} (chosen){{/chosen}}</td><td>{{coefficients}}</td><td class="num">{{rss}}</td><td class="num">{{bic}}</td></tr>
        {{/fits}}</table>
        {{/hasChart}}
        {{{benchSection}}}
        {{#hasSizeClasses}}
        <h3>Size classes whose live count changed</h3>
        <table><tr><th>size</th><th>kind</th><th>at baseline</th><th>at end</th><th>change</th><th>bytes</th></tr>
        {{#sizeClasses}}<tr><td class="num">{{size}}</td><td>{{kind}}</td><td class="num">{{before}}</td><td class="num">{{after}}</td><td class="num">{{delta}}</td><td class="num">{{bytes}}</td></tr>
        {{/sizeClasses}}</table>
        {{/hasSizeClasses}}
        {{#hasSites}}
        <h3>Where it is allocated</h3>
        <p class="meta">From a separate run with heap profiling on: what each allocation site gained between two profiles {{siteIterations}} iterations apart.</p>
        <table><tr><th>allocated by (innermost first)</th><th>where</th><th>bytes</th><th>objects</th><th>per iteration</th></tr>
        {{#sites}}<tr><td>{{frames}}</td><td>{{location}}</td><td class="num">{{bytes}}</td><td class="num">{{objects}}</td><td class="num">{{rate}}</td></tr>
        {{/sites}}</table>
        {{/hasSites}}
        {{#sitesNote}}<p class="meta">Allocation sites: {{sitesNote}}</p>{{/sitesNote}}
        {{#hasRetention}}
        <h3>Which type grows, and who holds it</h3>
        <p class="meta">From the same profiled run: live objects by Swift type in two heap walks {{retentionIterations}} iterations apart ({{retentionWalk}}), and the shortest chain of references found from a root to a new object. The scan is conservative: see docs/method.md for its limits.</p>
        <table><tr><th>type</th><th>kind</th><th>objects</th><th>objects per iteration</th><th>bytes per iteration</th><th>held by</th></tr>
        {{#retention}}<tr><td>{{type}}</td><td>{{kind}}</td><td class="num">{{objects}}</td><td class="num">{{objectRate}}</td><td class="num">{{byteRate}}</td><td>{{path}}</td></tr>
        {{/retention}}</table>
        {{#retention}}{{#drawing}}<figure class="retention-path"><figcaption>{{type}}</figcaption>{{{drawing}}}</figure>
        {{/drawing}}{{/retention}}
        {{/hasRetention}}
        {{#retentionNote}}<p class="meta">Heap walk: {{retentionNote}}</p>{{/retentionNote}}
        {{#section}}
        <h3>{{title}}</h3>
        <table><tr>{{#header}}<th>{{.}}</th>{{/header}}</tr>
        {{#body}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
        {{/body}}</table>
        {{/section}}
        {{#failure}}
        <h3>What happened</h3>
        <p>{{reason}}</p>
        <pre>{{output}}</pre>
        {{/failure}}
        {{/workloads}}
        </body>
        </html>

        """
}

/// The reports' page frame for other pages of the tool (a soak's live page), so they look alike.
public enum ReportPage {
    /// `<!DOCTYPE html>` … `</head>` with the reports' style sheet.
    public static func head(title: String) -> String { HTMLTemplate.head(title: title) }
}
