import ArgumentParser
import Curation
import Foundation

struct DatasetSplit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Split the annotated items into train/val/test, seeded and stratified, keeping near-duplicate groups whole.",
        discussion: "Groups come from the latest `vitrine duplicates` run; run it first so that copies never cross subsets.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Fraction of items for training.")
    var train: Double = 0.8

    @Option(name: .long, help: "Fraction of items for validation.")
    var val: Double = 0.1

    @Option(name: .long, help: "Fraction of items for testing.")
    var test: Double = 0.1

    @Option(name: .long, help: "Stratify by: label (each item's most frequent class) or none.")
    var stratify: String = "label"

    @Option(name: .long, help: "Seed of the shuffle (SplitMix64).")
    var seed: UInt64 = 42

    func validate() throws {
        guard [train, val, test].allSatisfy({ $0 >= 0 }), abs(train + val + test - 1) < 1e-9 else {
            throw ValidationError("--train, --val and --test must be ≥ 0 and sum to 1")
        }
        guard ["label", "none"].contains(stratify) else { throw ValidationError("--stratify must be label or none") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let (id, counts) = try DatasetJobs(catalog: catalog).split(fractions: [("train", train), ("val", val), ("test", test)], seed: seed, stratify: stratify == "label")
            if common.json {
                try printJSON(["splitID": Int(id), "train": counts["train"] ?? 0, "val": counts["val"] ?? 0, "test": counts["test"] ?? 0])
                return
            }
            print("split \(id): train \(counts["train"] ?? 0), val \(counts["val"] ?? 0), test \(counts["test"] ?? 0) items (seed \(seed), stratified by \(stratify), duplicate groups kept whole)")
        }
    }
}
