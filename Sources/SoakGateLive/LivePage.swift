import SoakGateReports

/// The live page of a running soak: one self-contained HTML file whose script fetches
/// `/timeline.json` every interval and redraws a timeline of retained bytes per workload.
/// Workload names are set as text, never as markup.
enum LivePage {
    static let html = """
        \(ReportPage.head(title: "SoakGate live soak"))
        <body>
        <h1>SoakGate live soak</h1>
        <p class="meta" id="status">waiting for the first reading…</p>
        <svg id="chart" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 960 320" width="960" height="320" role="img"></svg>
        <table id="table"><thead><tr><th></th><th>workload</th><th>iterations</th><th>live</th><th>retained</th><th>recent growth</th></tr></thead><tbody></tbody></table>
        <div id="alerts"></div>
        <p class="meta">Prometheus metrics: <a href="/metrics">/metrics</a> · data: <a href="/timeline.json">/timeline.json</a></p>
        <script>
        "use strict";
        const colours = ["#2f6fd6", "#e0662b", "#14602b", "#8c1b13", "#7a5300", "#6b3fa0"];
        const ns = "http://www.w3.org/2000/svg";
        function bytes(b) {
          if (b === null || b === undefined) return "–";
          const sign = b < 0 ? "-" : ""; let v = Math.abs(b);
          if (v < 1024) return sign + Math.round(v) + " B";
          const units = ["KiB", "MiB", "GiB", "TiB"]; let u = -1;
          while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
          return sign + v.toFixed(1) + " " + units[u];
        }
        function clock(s) {
          s = Math.max(0, Math.floor(s)); const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), r = s % 60;
          return String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0") + ":" + String(r).padStart(2, "0");
        }
        function el(name, attrs, text) {
          const e = document.createElementNS(ns, name);
          for (const k in attrs) e.setAttribute(k, attrs[k]);
          if (text !== undefined) e.textContent = text;
          return e;
        }
        function draw(t) {
          const svg = document.getElementById("chart"); svg.replaceChildren();
          const L = 80, R = 16, T = 12, B = 36, W = 960 - L - R, H = 320 - T - B;
          let ys = [0], xMax = Math.max(t.durationSeconds, t.elapsedSeconds, 1);
          for (const w of t.workloads) for (const p of w.points) ys.push(p[1]);
          let yLo = Math.min(...ys), yHi = Math.max(...ys); if (yHi - yLo < 1) yHi = yLo + 1;
          const px = x => L + x / xMax * W, py = y => T + (yHi - y) / (yHi - yLo) * H;
          svg.appendChild(el("rect", {x: L, y: T, width: W, height: H, class: "plot"}));
          for (let i = 0; i <= 4; i++) {
            const y = yLo + (yHi - yLo) * i / 4;
            svg.appendChild(el("line", {x1: L, x2: L + W, y1: py(y), y2: py(y), class: "grid"}));
            svg.appendChild(el("text", {x: L - 6, y: py(y) + 4, "text-anchor": "end", class: "tick"}, bytes(y)));
            const x = xMax * i / 4;
            svg.appendChild(el("text", {x: px(x), y: T + H + 16, "text-anchor": "middle", class: "tick"}, clock(x)));
          }
          t.workloads.forEach((w, i) => {
            if (w.points.length === 0) return;
            const d = w.points.map((p, j) => (j ? "L" : "M") + px(p[0]).toFixed(1) + "," + py(p[1]).toFixed(1)).join(" ");
            svg.appendChild(el("path", {d: d, fill: "none", stroke: colours[i % colours.length], "stroke-width": 1.6}));
          });
          const body = document.querySelector("#table tbody"); body.replaceChildren();
          const alerts = document.getElementById("alerts"); alerts.replaceChildren();
          t.workloads.forEach((w, i) => {
            const row = document.createElement("tr");
            const swatch = document.createElement("td"); swatch.style.color = colours[i % colours.length]; swatch.textContent = "■"; row.appendChild(swatch);
            for (const [v, num] of [[w.name, false], [w.iterations ?? "–", true], [bytes(w.liveBytes), true], [bytes(w.retainedBytes), true],
                                    [w.bytesPerHour === null || w.bytesPerHour === undefined ? "–" : bytes(w.bytesPerHour) + "/h", true]]) {
              const td = document.createElement("td"); td.textContent = String(v); if (num) td.className = "num"; row.appendChild(td);
            }
            body.appendChild(row);
            for (const a of w.alerts) { const p = document.createElement("p"); p.className = "leak"; p.textContent = "alert: " + a; alerts.appendChild(p); }
          });
          document.getElementById("status").textContent = "soak time " + clock(t.elapsedSeconds) + " of " + clock(t.durationSeconds) +
            " · reading every " + t.intervalSeconds + " s · updated " + new Date().toLocaleTimeString();
        }
        async function tick() {
          let next = 2000;
          try {
            const t = await (await fetch("/timeline.json", {cache: "no-store"})).json();
            draw(t); next = Math.max(1000, Math.min(10000, t.intervalSeconds * 1000));
          } catch (e) { document.getElementById("status").textContent = "the soak is not answering (it may have ended)"; }
          setTimeout(tick, next);
        }
        tick();
        </script>
        </body>
        </html>

        """
}
