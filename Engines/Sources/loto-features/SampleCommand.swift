import ArgumentParser
import EngineCommandLine
import Foundation
import LotoFeatures
import SoakGateBasics

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

    /// The most draws a sample holds: ten million draws of loto7 is about 3 GB of CSV.
    static let drawRange = 1...10_000_000

    @Option(
        help: "The game: \(LotoGame.names.joined(separator: ", ")).",
        transform: OptionValue.parser(LotoGame.init(option:)))
    var loto: LotoGame

    @Option(help: "Draws per series (each draw gives one row per number), 1 to 10000000.")
    var draws = 1000

    @Option(help: "Seed of the generator; the same seed gives the same draws.")
    var seed: UInt64 = 1

    @Option(
        help: "The CSV file to write (written whole, then renamed into place; never a directory or a symbolic link).")
    var out: String

    func validate() throws {
        do {
            try CheckedNumber.checked(draws, in: Self.drawRange, source: "--draws", unit: "draws")
        } catch {
            throw ValidationError("\(error), e.g. --draws 1000")
        }
        if let problem = OutputPath.problem(out) { throw ValidationError("--out \(out): \(problem)") }
    }

    func run() throws {
        let text = SampleDraws.csv(SampleDraws.series(game: loto, draws: draws, seed: seed))
        do {
            try AtomicFile.write(text, to: out)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        StandardError.printLine(
            "wrote \(draws) draws × \(loto.count) numbers of \(loto.name) to \(out)", redactingArguments: false)
    }
}

extension LotoGame {
    /// `--loto`'s text as a game, or the one line that refuses it with the names to use.
    init(option name: String) throws {
        guard let game = LotoGame.named(name) else {
            throw OptionRefusal("--loto: unknown game '\(name)'; use one of: \(LotoGame.names.joined(separator: ", "))")
        }
        self = game
    }
}

/// Output paths the user names: refused before anything is computed when they cannot be
/// written safely.
enum OutputPath {
    /// Why `path` cannot be an output: a directory is never replaced, and a symbolic link there
    /// is neither followed nor silently replaced (it may have been planted to redirect the
    /// write), and a file in a directory that does not exist cannot be written at the end of
    /// a run. Nil when the path is usable.
    static func problem(_ path: String) -> String? {
        guard !path.isEmpty else { return "the path is empty; name a file" }
        var status = stat()
        if lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK {
            return "it is a symbolic link; remove it or name another file"
        }
        if let kind = RegularFile.irregularKind(path) { return "it is \(kind); name a file instead" }
        let directory = AtomicFileWriter.directory(of: path)
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            return "its directory \(directory) does not exist; create it first or name a file in an existing directory"
        }
        if !isDirectory.boolValue { return "\(directory) is not a directory; name a file in an existing directory" }
        return nil
    }
}
