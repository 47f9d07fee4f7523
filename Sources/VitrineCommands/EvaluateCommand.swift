import ArgumentParser

/// `vitrine evaluate …`.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate predictions against ground truth.",
        subcommands: [EvaluateDetections.self])
}
