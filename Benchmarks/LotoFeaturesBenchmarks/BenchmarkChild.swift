import Foundation
import LotoFeatures
import MemoryGovernor

/// The benchmark's synthetic input: loto6-like series (1–43 on Mondays and Thursdays).
enum BenchmarkData {
    static func csv(series: Int, draws: Int) -> String {
        let days = LotoGame.named("loto6")!.drawDays(draws)
        var generator = SeededGenerator(seed: 2026)
        var text = "loto,unique_id,ds,y,num,co\n"
        text.reserveCapacity(series * draws * 32)
        for index in 0..<series {
            let id = "S" + String(index + 10000).dropFirst()
            for (row, day) in days.enumerated() {
                text += "bench,\(id),\(day),\(Int.random(in: 1...43, using: &generator)),\(row + 1),0\n"
            }
        }
        return text
    }
}

/// One measured run inside a child process; prints `phases read=… compute=… write=… rows=… checksum=…`.
enum BenchmarkChild {
    static func run(mode: String, csv: String, output: String) async throws {
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let t0 = clock()
        let series = try CSVDrawReader.read(path: csv)
        let t1 = clock()
        var checksum = 0.0
        var rows = 0
        var t2 = t1
        // The per-pipeline line, printed last: the parent keeps a child's last line.
        var pipelineLine: String?
        switch mode {
        case "compute":
            (checksum, rows) = await computeOnly(series)
            t2 = clock()
        case "pipelines":
            var parts: [String] = []
            for pipeline in FeaturePipelines.all {
                let start = clock()
                let (sum, count) = await computeOnly(series, pipeline: pipeline)
                parts.append("\(pipeline.id)=\(String(format: "%.2f", clock() - start))")
                checksum += sum
                rows += count
            }
            t2 = clock()
            pipelineLine = "pipeline seconds " + parts.joined(separator: " ")
        case "sqlite-core", "sqlite-full":
            let core = mode == "sqlite-core"
            let generator = FeatureGenerator(
                tables: core ? [.hist] : FeatureTable.allCases, workers: 2,
                governor: try MemoryGovernor.forThisProcess(), coreHistOnly: core)
            let store = try SQLiteFeatureStore(path: output)
            let summary = try await generator.run(series, into: store)
            rows = summary.rowsComputed
            t2 = clock()
            pipelineLine = pipelineCPU(summary)
            checksum = try SQLiteChecksum.read(path: output)
        case "postgres-full":
            let base = ProcessInfo.processInfo.environment["SOAKGATE_TEST_DATABASE_URL"]!
            let schema = "loto_bench_\(getpid())"
            try PostgresSchema.create(schema, at: base)
            defer { try? PostgresSchema.drop(schema, at: base) }
            let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
            let generator = FeatureGenerator(workers: 2, governor: try MemoryGovernor.forThisProcess())
            let summary = try await generator.run(series, into: try PostgresFeatureStore(connectionString: url))
            rows = summary.rowsComputed
            t2 = clock()
            pipelineLine = pipelineCPU(summary)
        default:
            fatalError("unknown mode \(mode)")
        }
        print(
            "phases read=\(String(format: "%.3f", t1 - t0)) compute+write=\(String(format: "%.3f", t2 - t1)) rows=\(rows) checksum=\(String(format: "%.6f", checksum))"
        )
        if let pipelineLine { print(pipelineLine) }
    }

    /// Each pipeline's computing seconds in a store run (summed over the two workers).
    static func pipelineCPU(_ summary: GenerateSummary) -> String {
        "pipeline CPU seconds "
            + summary.pipelines.map { "\($0.pipeline)=\(String(format: "%.2f", $0.seconds))" }.joined(separator: " ")
    }

    /// One pipeline over every series, two workers, summing its finite values so nothing is
    /// optimised away; returns the sum and the values counted.
    ///
    /// P13 reads the game's draws across positions: the series are taken six at a time as the
    /// positions N1–N6 of one loto6 game each (the games' draws built inside the timed part).
    static func computeOnly(_ input: [DrawSeries], pipeline: any FeaturePipeline) async -> (Double, Int) {
        var series = input
        var contexts = [SeriesContext](
            repeating: SeriesContext(game: LotoGame.named("loto6"), gameDrawCount: series.first?.count),
            count: series.count)
        if pipeline.id == .p13 {
            for start in stride(from: 0, to: series.count, by: 6) {
                let range = start..<min(start + 6, series.count)
                for index in range {
                    series[index].loto = "loto6"
                    series[index].uniqueId = "N\(index - start + 1)"
                }
                let draws = GameDraws(game: LotoGame.named("loto6"), series: Array(series[range]))
                for index in range { contexts[index].draws = draws }
            }
        }
        let (inputs, seriesContexts) = (series, contexts)
        return await withTaskGroup(of: (Double, Int).self) { group in
            let workers = 2
            for worker in 0..<workers {
                group.addTask {
                    var sum = 0.0
                    var count = 0
                    for index in stride(from: worker, to: inputs.count, by: workers) {
                        let output = pipeline.compute(inputs[index], context: seriesContexts[index])
                        for value in output.stat + output.hist.joined() + output.futr.joined() where value.isFinite {
                            sum += value
                            count += 1
                        }
                    }
                    return (sum, count)
                }
            }
            var total = (0.0, 0)
            for await part in group { total = (total.0 + part.0, total.1 + part.1) }
            return total
        }
    }

    /// The 58 columns of every series in parallel, summing two columns so nothing is optimised
    /// away (and the sums can be compared with polars').
    static func computeOnly(_ series: [DrawSeries]) async -> (Double, Int) {
        let std = HistFeatures.columns.firstIndex(of: "hist_y_roll_std_w30")!
        let q75 = HistFeatures.columns.firstIndex(of: "hist_y_roll_q75_w90")!
        return await withTaskGroup(of: (Double, Int).self) { group in
            let workers = 2
            for worker in 0..<workers {
                group.addTask {
                    var sum = 0.0
                    var rows = 0
                    for index in stride(from: worker, to: series.count, by: workers) {
                        let block = HistFeatures.compute(series[index], coreOnly: true)
                        for row in 0..<block.rowCount {
                            sum += (block.value(row: row, column: std) ?? 0) + (block.value(row: row, column: q75) ?? 0)
                        }
                        rows += block.rowCount
                    }
                    return (sum, rows)
                }
            }
            var total = (0.0, 0)
            for await part in group { total = (total.0 + part.0, total.1 + part.1) }
            return total
        }
    }
}

/// The same checksum read back from the store.
enum SQLiteChecksum {
    static func read(path: String) throws -> Double {
        let database = try SQLiteDatabase(path: path)
        let statement = try database.prepare(
            "SELECT total(hist_y_roll_std_w30) + total(hist_y_roll_q75_w90) FROM features_hist")
        _ = try statement.step()
        return statement.double(0) ?? .nan
    }
}
