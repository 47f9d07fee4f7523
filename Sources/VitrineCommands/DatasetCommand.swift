import ArgumentParser

extension AnnotationFormatArgument: ExpressibleByArgument {}

/// `vitrine dataset …`: import, export, split and describe annotated datasets.
struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Import, export, split and describe annotated datasets (COCO, Pascal VOC, labelme, folders, CSV, Zooniverse, W3C).",
        subcommands: [DatasetImport.self, DatasetExport.self, DatasetSplit.self, DatasetCardCommand.self])
}
