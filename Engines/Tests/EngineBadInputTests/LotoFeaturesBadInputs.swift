import CommandTestSupport
import Foundation
import XCTest

/// `loto-features` on bad input: numeric flags that do not fit, malformed stores (PostgreSQL URLs
/// holding a planted password, SQLite paths that are directories, FIFOs, links or garbage),
/// input files that are missing, special or broken, and outputs that are directories or links.
/// Each gives its exit code and one line naming the input, writes nothing and leaks nothing.
final class LotoFeaturesBadInputTests: XCTestCase {
    private static let header = "loto,unique_id,ds,y,num,co\n"
    private static let goodRows = "loto6,N1,2020-01-02,3,1,0\nloto6,N1,2020-01-06,17,2,1000\n"

    /// A draw CSV at `{dir}/draws.csv` with `rows` after the header.
    private static func draws(_ rows: String) -> @Sendable (String) throws -> Void {
        { try Plant.file($0, "draws.csv", header + rows) }
    }

    /// `generate` over `{dir}/draws.csv` into `{dir}/f.sqlite` (never created by a failed run).
    private static func generate(_ extra: [String] = []) -> [String] {
        ["generate", "--input", "{dir}/draws.csv", "--store", "sqlite:{dir}/f.sqlite"] + extra
    }

    private static let password = BadInput.password

    private static let flagCases: [BadInput] = [
        // A pipeline this version does not have: exit 2 listing the known ones; a key longer
        // than the tables' loto (50) or unique_id (10) column: the series named, nothing written.
        BadInput("loto-features", generate(["--pipelines", "P1,P99"]), names: "'P99'", setup: draws(goodRows)),
        BadInput("loto-features", generate(["--pipelines", ""]), names: "--pipelines", setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--pipelines", "P1", "--tables", "futr"]),
            names: "writes no column of --tables futr",
            setup: draws(goodRows)),
        // show, info and migrate read a store: a missing SQLite file is named, never created.
        BadInput("loto-features", ["info", "--store", "sqlite:{dir}/f.sqlite"], names: "there is no such file"),
        BadInput(
            "loto-features", ["show", "--store", "sqlite:{dir}/f.sqlite", "--table", "stat"], names: "no such file"),
        BadInput(
            "loto-features", ["show", "--store", "sqlite:{dir}/f.sqlite", "--table", "nope"], names: "--table"),
        BadInput(
            "loto-features", ["show", "--store", "sqlite:{dir}/f.sqlite", "--table", "stat", "--limit", "0"],
            names: "--limit"),
        BadInput("loto-features", ["migrate", "--store", "sqlite:{dir}/f.sqlite"], names: "no such file"),
        BadInput(
            "loto-features", generate(), names: "unique_id 'N12345678901'",
            setup: draws("loto6,N12345678901,2020-01-02,3,1,0\n")),
        // --memory-budget (first named --budget-mib, which still works) crashed with signal 4
        // (overflow of MiB → bytes). A range error names --memory-budget; ArgumentParser's
        // refusal of a value that is no whole number names the flag as typed.
        BadInput(
            "loto-features", generate(["--memory-budget", "99999999999999"]), names: "--memory-budget",
            setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--memory-budget", "99999999999999999999999"]), names: "--memory-budget",
            setup: draws(goodRows)),
        BadInput("loto-features", generate(["--memory-budget=-5"]), names: "--memory-budget", setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--memory-budget", "15"]), names: "--memory-budget", setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--memory-budget", "0"]), names: "--memory-budget", setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--memory-budget", "1e3"]), names: "--memory-budget", setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--memory-budget", "nan"]), names: "--memory-budget", setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--memory-budget", "64MiB"]), names: "--memory-budget", setup: draws(goodRows)),
        BadInput("loto-features", generate(["--memory-budget"]), names: "--memory-budget", setup: draws(goodRows)),
        // A budget in range but below what the process already uses: the size to give, no store.
        BadInput(
            "loto-features", generate(["--memory-budget", "16"]), names: "--memory-budget 16 MiB",
            setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--budget-mib", "16", "--governor-report", "{dir}/r.json"]),
            names: "give at least", setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--budget-mib", "99999999999999"]), names: "--memory-budget",
            setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--budget-mib", "99999999999999999999999"]), names: "--budget-mib",
            setup: draws(goodRows)),
        BadInput("loto-features", generate(["--budget-mib=-5"]), names: "--memory-budget", setup: draws(goodRows)),
        BadInput("loto-features", generate(["--budget-mib", "15"]), names: "--memory-budget", setup: draws(goodRows)),
        BadInput("loto-features", generate(["--budget-mib", "1e3"]), names: "--budget-mib", setup: draws(goodRows)),
        BadInput("loto-features", generate(["--budget-mib", "nan"]), names: "--budget-mib", setup: draws(goodRows)),
        // --governor-report is checked before any work: nothing is read, written or created.
        BadInput(
            "loto-features", generate(["--governor-report", "{dir}/reports"]), names: "--governor-report {dir}/reports"
        ) { dir in
            try draws(goodRows)(dir)
            try Plant.directory(dir, "reports")
        },
        BadInput(
            "loto-features", generate(["--governor-report", "{dir}/r.fifo"]), names: "--governor-report {dir}/r.fifo",
            timeout: 20
        ) { dir in
            try draws(goodRows)(dir)
            try Plant.fifo(dir, "r.fifo")
        },
        BadInput(
            "loto-features", generate(["--governor-report", "/dev/null"]), names: "--governor-report /dev/null",
            setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--governor-report", "{dir}/no/such/r.json"]),
            names: "--governor-report {dir}/no/such/r.json", setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--governor-report", "{dir}/draws.csv/r.json"]),
            names: "--governor-report {dir}/draws.csv/r.json", setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--governor-report", "{dir}/link.json"]),
            names: "--governor-report {dir}/link.json"
        ) { dir in
            try draws(goodRows)(dir)
            try Plant.file(dir, "victim.json", "not to be touched")
            try Plant.symlink(dir, "link.json", to: dir + "/victim.json")
        },
        BadInput(
            "loto-features", generate(["--governor-report", ""]), names: "--governor-report", setup: draws(goodRows)),
        BadInput("loto-features", generate(["--resume=yes"]), names: "--resume", setup: draws(goodRows)),
        BadInput("loto-features", generate(["--workers", "0"]), names: "--workers", setup: draws(goodRows)),
        BadInput("loto-features", generate(["--workers", "100000"]), names: "--workers", setup: draws(goodRows)),
        BadInput("loto-features", generate(["--workers=-1"]), names: "--workers", setup: draws(goodRows)),
        BadInput("loto-features", generate(["--workers", "1.5"]), names: "--workers", setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--workers", "99999999999999999999"]), names: "--workers", setup: draws(goodRows)
        ),
        BadInput("loto-features", generate(["--tables", "hist,future"]), names: "future", setup: draws(goodRows)),
        BadInput(
            "loto-features", generate(["--input-table", "draws;drop"]), names: "--input-table", setup: draws(goodRows)),
        BadInput("loto-features", generate(["--no-such-flag"]), names: "--no-such-flag", setup: draws(goodRows)),
        BadInput("loto-features", ["generate", "--store", "sqlite:{dir}/f.sqlite"], names: "--input"),
        BadInput(
            "loto-features", ["sample", "--loto", "loto6", "--draws", "99999999999", "--out", "{dir}/s.csv"],
            names: "--draws"),
        BadInput(
            "loto-features", ["sample", "--loto", "loto6", "--draws", "0", "--out", "{dir}/s.csv"], names: "--draws"),
        BadInput(
            "loto-features", ["sample", "--loto", "loto6", "--draws=-3", "--out", "{dir}/s.csv"], names: "--draws"),
        BadInput(
            "loto-features", ["sample", "--loto", "loto6", "--draws", "inf", "--out", "{dir}/s.csv"], names: "--draws"),
        BadInput("loto-features", ["sample", "--loto", "loto6", "--seed=-1", "--out", "{dir}/s.csv"], names: "--seed"),
        BadInput(
            "loto-features",
            ["sample", "--loto", "loto6", "--seed", "99999999999999999999999", "--out", "{dir}/s.csv"], names: "--seed"),
        BadInput("loto-features", ["sample", "--loto", "loto99", "--out", "{dir}/s.csv"], names: "loto99"),
    ]

    private static let storeCases: [BadInput] = [
        BadInput(
            "loto-features", ["generate", "--input", "{dir}/draws.csv", "--store", "sqlite:"], names: "--store",
            setup: draws(goodRows)),
        BadInput(
            "loto-features", ["generate", "--input", "{dir}/draws.csv", "--store", "mysql://u:\(password)@h/db"],
            names: "--store", setup: draws(goodRows)),
        BadInput(
            "loto-features",
            ["generate", "--input", "{dir}/draws.csv", "--store", "host=127.0.0.1 port=1 password=\(password)"],
            names: "--store", setup: draws(goodRows)),
        BadInput(
            "loto-features", ["generate", "--input", "{dir}/draws.csv", "--store", "sqlite:{dir}/dir"],
            names: "sqlite:{dir}/dir"
        ) { dir in
            try draws(goodRows)(dir)
            try Plant.directory(dir, "dir")
        },
        BadInput(
            "loto-features", ["generate", "--input", "{dir}/draws.csv", "--store", "sqlite:{dir}/store.fifo"],
            names: "store.fifo", timeout: 20
        ) { dir in
            try draws(goodRows)(dir)
            try Plant.fifo(dir, "store.fifo")
        },
        BadInput(
            "loto-features", ["generate", "--input", "{dir}/draws.csv", "--store", "sqlite:{dir}/link.sqlite"],
            names: "link.sqlite"
        ) { dir in
            try draws(goodRows)(dir)
            try Plant.file(dir, "victim.sqlite", "not to be touched")
            try Plant.symlink(dir, "link.sqlite", to: dir + "/victim.sqlite")
        },
        // An SQLite file that is not a database: refused, its bytes untouched, no journal left.
        BadInput(
            "loto-features", ["generate", "--input", "{dir}/draws.csv", "--store", "sqlite:{dir}/garbage.sqlite"],
            exit: 1, names: "garbage.sqlite"
        ) { dir in
            try draws(goodRows)(dir)
            try Plant.file(dir, "garbage.sqlite", String(repeating: "this is no database, just text; ", count: 200))
        },
        // PostgreSQL URLs holding the planted password: unparseable ones are bad flags (2), an
        // unreachable server fails the run (1); the line names the redacted URL or the server.
        BadInput(
            "loto-features",
            ["generate", "--input", "{dir}/draws.csv", "--store", "postgresql://u:\(password)@[::1/db"],
            names: "postgresql://***@[::1/db", setup: draws(goodRows)),
        BadInput(
            "loto-features",
            ["generate", "--input", "{dir}/draws.csv", "--store", "postgresql://u:\(password)%zz@127.0.0.1/db"],
            names: "postgresql://***@127.0.0.1/db", setup: draws(goodRows)),
        BadInput(
            "loto-features",
            [
                "generate", "--input", "{dir}/draws.csv", "--store",
                "postgresql://u:\(password)@127.0.0.1:1/db?bogus_option=1",
            ], names: "--store", setup: draws(goodRows)),
        BadInput(
            "loto-features",
            [
                "generate", "--input", "{dir}/draws.csv", "--store",
                "postgresql://u:\(password)@127.0.0.1:1/db?connect_timeout=2",
            ], exit: 1, names: "127.0.0.1:1/db", setup: draws(goodRows)),
        BadInput(
            "loto-features",
            [
                "generate", "--input", "{dir}/draws.csv", "--store",
                "postgresql://u@127.0.0.1:1/db?password=\(password)&connect_timeout=2",
            ], exit: 1, names: "127.0.0.1:1/db", setup: draws(goodRows)),
        BadInput(
            "loto-features",
            ["generate", "--input", "postgresql://u:\(password)@[::1/db", "--store", "sqlite:{dir}/f.sqlite"],
            names: "--input"),
        BadInput(
            "loto-features",
            [
                "generate", "--input", "postgresql://u:\(password)%zz@127.0.0.1:1/db", "--store",
                "sqlite:{dir}/f.sqlite",
            ], names: "--input"),
        BadInput(
            "loto-features",
            [
                "generate", "--input", "postgresql://u:\(password)@127.0.0.1:1/db?connect_timeout=2", "--store",
                "sqlite:{dir}/f.sqlite",
            ], exit: 1, names: "127.0.0.1:1/db"),
        // A libpq keyword string where a file was expected is no file, and is not echoed whole.
        BadInput(
            "loto-features",
            ["generate", "--input", "host=127.0.0.1 port=1 password=\(password)", "--store", "sqlite:{dir}/f.sqlite"],
            names: "password=***"),
    ]

    private static let inputFileCases: [BadInput] = [
        BadInput("loto-features", generate(), names: "{dir}/draws.csv"),
        BadInput(
            "loto-features", ["generate", "--input", "{dir}", "--store", "sqlite:{dir}/f.sqlite"], names: "directory"),
        BadInput("loto-features", generate(), names: "{dir}/draws.csv", timeout: 20) {
            try Plant.fifo($0, "draws.csv")
        },
        BadInput("loto-features", generate(), names: "{dir}/draws.csv:1") { try Plant.file($0, "draws.csv", "") },
        BadInput("loto-features", generate(), names: "{dir}/draws.csv:1", setup: draws("")),
        BadInput("loto-features", generate(), names: "{dir}/draws.csv:1") {
            try Plant.file($0, "draws.csv", "just some words\nand more words\n")
        },
        BadInput("loto-features", generate(), names: "{dir}/draws.csv:1") { dir in
            // Binary: NUL, carriage returns, NEL, a line separator and bytes that are not UTF-8.
            let bytes: [UInt8] =
                [0, 1, 0x0D, 0xC2, 0x85, 0xE2, 0x80, 0xA8, 0xFF, 0xFE, 0x0D, 0x41] + Array(repeating: 0x7F, count: 300)
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/draws.csv"))
        },
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:3",
            setup: draws("loto6,N1,2020-01-02,3,1,0\nloto6,N1,2020-01-0")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'y'",
            setup: draws("loto6,N1,2020-01-02,1e400,1,0\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'y'",
            setup: draws("loto6,N1,2020-01-02,1e300,1,0\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'y'",
            setup: draws("loto6,N1,2020-01-02,-1e20,1,0\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'y'",
            setup: draws("loto6,N1,2020-01-02,inf,1,0\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'y'",
            setup: draws("loto6,N1,2020-01-02,abc,1,0\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:3, column 'num'",
            setup: draws("loto6,N1,2020-01-02,3,1,0\nloto6,N1,2020-01-06,4,-1,0\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'num'",
            setup: draws("loto6,N1,2020-01-02,3,99999999999999999999,0\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'num'",
            setup: draws("loto6,N1,2020-01-02,3,1.5,0\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'co'",
            setup: draws("loto6,N1,2020-01-02,3,1,-5\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'co'",
            setup: draws("loto6,N1,2020-01-02,3,1,nan\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'co'",
            setup: draws("loto6,N1,2020-01-02,3,1,1e999\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:3, column 'ds'",
            setup: draws("loto6,N1,2023-02-27,3,1,0\nloto6,N1,2023-02-30,4,2,0\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'ds'",
            setup: draws("loto6,N1,2023-13-01,3,1,0\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:3, column 'ds'",
            setup: draws("loto6,N1,2023-03-02,3,1,0\nloto6,N1,2023-03-02,4,2,0\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:3, column 'ds'",
            setup: draws("loto6,N1,2023-03-09,3,1,0\nloto6,N1,2023-03-02,4,2,0\n")),
        BadInput("loto-features", generate(), names: "{dir}/draws.csv:2", setup: draws("loto6,N1,2023-03-02\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2",
            setup: draws("loto6,N1,2023-03-02,3,1,0,extra,fields\n")),
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'loto'",
            setup: draws(",N1,2023-03-02,3,1,0\n")),
        BadInput("loto-features", generate(), names: "{dir}/draws.csv:2, column 'loto'") { dir in
            try Data(Array(header.utf8) + [0xFF, 0xFE] + Array(",N1,2023-03-02,3,1,0\n".utf8)).write(
                to: URL(fileURLWithPath: dir + "/draws.csv"))
        },
        // A carriage return and a line separator inside quoted fields must not split the line.
        BadInput(
            "loto-features", generate(), names: "{dir}/draws.csv:2, column 'ds'",
            setup: draws("loto6,N1,\"2023\r03\u{2028}02\",3,1,0\n")),
    ]

    private static let outputCases: [BadInput] = [
        BadInput(
            "loto-features", ["sample", "--loto", "loto6", "--draws", "5", "--out", "{dir}/out"], names: "{dir}/out"
        ) { try Plant.directory($0, "out") },
        BadInput(
            "loto-features", ["sample", "--loto", "loto6", "--draws", "5", "--out", "{dir}/out.csv"],
            names: "{dir}/out.csv"
        ) { dir in
            try Plant.file(dir, "victim.csv", "not to be touched")
            try Plant.symlink(dir, "out.csv", to: dir + "/victim.csv")
        },
        BadInput(
            "loto-features", ["sample", "--loto", "loto6", "--draws", "5", "--out", "{dir}/out.csv"],
            names: "{dir}/out.csv"
        ) { dir in
            try Plant.symlink(dir, "out.csv", to: dir + "/nowhere/absent.csv")
        },
        BadInput(
            "loto-features", ["sample", "--loto", "loto6", "--draws", "5", "--out", "{dir}/out.csv"],
            names: "{dir}/out.csv", timeout: 20
        ) {
            try Plant.fifo($0, "out.csv")
        },
        BadInput(
            "loto-features", ["sample", "--loto", "loto6", "--draws", "5", "--out", "{dir}/no/such/out.csv"],
            names: "{dir}/no/such/out.csv"),
        BadInput("loto-features", ["sample", "--loto", "loto6", "--draws", "5", "--out", ""], names: "--out"),
        // An earlier output stays as it was when a later run fails.
        BadInput(
            "loto-features", ["sample", "--loto", "nosuchgame", "--draws", "5", "--out", "{dir}/earlier.csv"],
            names: "nosuchgame"
        ) {
            try Plant.file($0, "earlier.csv", header + goodRows)
        },
    ]

    func testEveryBadInputGivesOneLineAndChangesNothing() throws {
        try BadInput.runAll(Self.flagCases + Self.storeCases + Self.inputFileCases + Self.outputCases, in: self)
    }
}
