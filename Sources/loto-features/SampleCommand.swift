import ArgumentParser
import Foundation
import LotoFeatures

/// `loto-features sample`: seeded synthetic draws of one game as CSV.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write seeded synthetic draws of one game as CSV (loto,unique_id,ds,y,num,co).",
        discussion: """
            Each game has its real range and count of numbers and its weekly draw days:
              loto6 6 of 1-43 (Mon, Thu) · loto7 7 of 1-37 (Fri) · miniloto 5 of 1-31 (Tue)
              bingo5 one of each column 1-5 … 36-40 (Wed) · numbers3/numbers4 digits 0-9 (Mon-Fri)
            The same --seed gives the same file.
            """
    )

    @Option(help: "The game: \(LotoGame.names.joined(separator: ", ")).")
    var loto: String

    @Option(help: "Draws per series (each draw gives one row per number).")
    var draws = 1000

    @Option(help: "Seed of the generator; the same seed gives the same draws.")
    var seed: UInt64 = 1

    @Option(help: "The CSV file to write (written whole, then renamed into place).")
    var out: String

    func validate() throws {
        guard LotoGame.named(loto) != nil else {
            throw ValidationError("unknown game '\(loto)'; use one of: \(LotoGame.names.joined(separator: ", "))")
        }
        guard draws >= 1, draws <= 10_000_000 else { throw ValidationError("--draws must be between 1 and 10000000, e.g. --draws 1000") }
    }

    func run() throws {
        let game = LotoGame.named(loto)!
        let text = SampleDraws.csv(SampleDraws.series(game: game, draws: draws, seed: seed))
        do {
            try AtomicFile.write(Data(text.utf8), to: out)
        } catch {
            FileHandle.standardError.write(Data("loto-features: \(error)\n".utf8))
            throw ExitCode(2)
        }
        FileHandle.standardError.write(Data("wrote \(draws) draws × \(game.count) numbers of \(game.name) to \(out)\n".utf8))
    }
}
