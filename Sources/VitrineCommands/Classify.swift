import ArgumentParser

/// `vitrine classify …`: classification into a controlled vocabulary on the stored embeddings.
struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify items into a controlled vocabulary (logistic regression on embeddings): train, predict, evaluate, uncertain.",
        subcommands: [ClassifyEvaluate.self, ClassifyTrain.self, ClassifyPredict.self, ClassifyUncertain.self])
}
