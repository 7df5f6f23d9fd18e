import ArgumentParser

/// `loto-features`: lottery draw series → features_hist, features_futr, features_stat.
@main
struct LotoFeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loto-features",
        abstract: "Lottery draw series into forecasting features (features_hist, features_futr, features_stat) in SQLite or PostgreSQL.",
        discussion: """
            Start with a sample file, then generate the tables:
              loto-features sample --loto loto6 --draws 500 --out draws.csv
              loto-features generate --input draws.csv
            """,
        subcommands: [SampleCommand.self, GenerateCommand.self]
    )
}
