/// The soak report's template (Mustache), styled like the leak report. `{{x}}` escapes HTML;
/// only the charts (numbers and fixed labels, from ``SVGChart``) go in as `{{{chart}}}`.
enum SoakHTMLTemplate {
    static let report = """
        \(HTMLTemplate.head(title: "SoakGate soak report"))
        <body>
        <h1>SoakGate soak report</h1>
        <p class="meta">{{tool}} (Swift {{swiftVersion}}) · started {{startedAt}} · {{state}} · MALLOC_CONF={{mallocConf}}<br>
        planned {{duration}}, a reading every {{interval}}, a checkpoint (settle {{settle}}, then purge) every {{checkpoint}} · tolerated {{tolerated}}/h</p>
        <p><strong>{{passCount}} pass</strong>, <strong>{{leakCount}} leak</strong>, <strong>{{otherCount}} inconclusive or crashed</strong>.</p>
        {{#hasUnreadable}}<p class="meta">Not read: {{#unreadable}}{{.}}; {{/unreadable}}</p>{{/hasUnreadable}}
        <table>
        <tr><th>workload</th><th>verdict</th><th>bytes/hour</th><th>95 % lower bound</th><th>iterations</th><th>decided by</th></tr>
        {{#workloads}}
        <tr><td><a href="#{{anchor}}">{{name}}</a></td><td><span class="verdict {{verdict}}">{{verdict}}</span></td><td class="num">{{rate}}</td><td class="num">{{lowerBound}}</td><td class="num">{{iterations}}</td><td class="evidence">{{evidence}}</td></tr>
        {{/workloads}}
        </table>
        {{#workloads}}
        <h2 id="{{anchor}}">{{name}} <span class="verdict {{verdict}}">{{verdict}}</span></h2>
        <p class="evidence">{{evidence}}</p>
        {{#hasChart}}
        <p class="legend"><span><i class="swatch" style="background:#2f6fd6"></i>retained bytes</span><span><i class="swatch" style="background:#e0662b"></i>{{fitName}} fit against time (BIC)</span><span><i class="swatch" style="background:#9aa3b5"></i>checkpoints and resumes</span><span><i class="swatch" style="background:#c0392b"></i>step</span></p>
        {{{chart}}}
        {{/hasChart}}
        <table>
        <tr><th>readings</th><td class="num">{{readings}}</td><th>soak time</th><td class="num">{{soakTime}}</td><th>iterations/s</th><td class="num">{{throughput}}</td></tr>
        <tr><th>bytes/hour</th><td class="num">{{rate}}</td><th>95 % bounds</th><td class="num">{{lowerBound}} … {{upperBound}}</td><th>second half</th><td class="num">{{lateRate}} (lower {{lateLowerBound}})</td></tr>
        <tr><th>bytes/iteration</th><td class="num">{{perIteration}}</td><th>peak live</th><td class="num">{{peakLive}}</td><th>peak RSS</th><td class="num">{{peakResident}}</td></tr>
        <tr><th>mean iteration</th><td class="num">{{meanIteration}}</td><th>longest iteration</th><td class="num">{{maxIteration}}</td><th>segments</th><td class="num">{{segmentCount}}</td></tr>
        </table>
        {{#hasSteps}}
        <h3>Steps</h3>
        <table><tr><th>between</th><th>change</th></tr>
        {{#steps}}<tr><td>{{between}}</td><td class="num">{{bytes}}</td></tr>
        {{/steps}}</table>
        {{/hasSteps}}
        {{#hasFits}}
        <h3>Fitted models (retained bytes against hours)</h3>
        <table><tr><th>model</th><th>coefficients (B, B/h, B/h²)</th><th>RSS</th><th>BIC</th></tr>
        {{#fits}}<tr><td>{{model}}{{#chosen}} (chosen){{/chosen}}</td><td>{{coefficients}}</td><td class="num">{{rss}}</td><td class="num">{{bic}}</td></tr>
        {{/fits}}</table>
        {{/hasFits}}
        {{#hasSegments}}
        <h3>Processes</h3>
        <table><tr><th>segment</th><th>from</th><th>to</th><th>readings</th></tr>
        {{#segments}}<tr><td class="num">{{segment}}</td><td>{{from}}</td><td>{{to}}</td><td class="num">{{readings}}</td></tr>
        {{/segments}}</table>
        {{/hasSegments}}
        {{#hasSizeClasses}}
        <h3>Size classes whose live count changed (last segment)</h3>
        <table><tr><th>size</th><th>kind</th><th>first</th><th>last</th><th>change</th><th>bytes</th></tr>
        {{#sizeClasses}}<tr><td class="num">{{size}}</td><td>{{kind}}</td><td class="num">{{before}}</td><td class="num">{{after}}</td><td class="num">{{delta}}</td><td class="num">{{bytes}}</td></tr>
        {{/sizeClasses}}</table>
        {{/hasSizeClasses}}
        {{#failures}}<p class="leak">{{.}}</p>{{/failures}}
        {{/workloads}}
        {{#hasEvents}}
        <h2>Events</h2>
        <table><tr><th>soak time</th><th>event</th><th>workload</th><th>what</th></tr>
        {{#events}}<tr><td>{{at}}</td><td>{{kind}}</td><td>{{workload}}</td><td>{{message}}</td></tr>
        {{/events}}</table>
        {{/hasEvents}}
        </body>
        </html>

        """
}
