import ArgumentParser
import Curation
import Foundation

struct DatasetExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the catalog's annotations (or one split's subset) as COCO, VOC, labelme, folders, CSV, Zooniverse or W3C.",
        discussion: """
        Images are referenced, never copied: file names are the items' source paths; `folders` makes symbolic links to \
        the stored originals. COCO category ids are renumbered from 1 keeping the names unless --keep-category-ids.
        """)

    @OptionGroup var common: CommonOptions

    @Argument(help: "Output file (coco, csv, detections, zooniverse, w3c) or folder (voc, labelme, folders).")
    var output: String

    @Option(name: .long, help: "Format: coco, voc, labelme, folders, csv, detections, zooniverse, w3c.")
    var format: AnnotationFormatArgument = .coco

    @Option(name: .long, parsing: .upToNextOption, help: "Label source ids to export (default: every ground-truth and crowd source).")
    var source: [Int64] = []

    @Option(name: .long, help: "Split id (default with --subset: the latest split).")
    var split: Int64?

    @Option(name: .long, help: "Subset of the split to export on its own: train, val or test.")
    var subset: String?

    @Flag(name: .long, help: "Leave out duplicates that are not their group's keeper (latest duplicates run).")
    var dropDuplicates = false

    @Flag(name: .customLong("keep-category-ids"), help: "Keep the store's category ids in COCO output instead of renumbering from 1.")
    var keepCategoryIDs = false

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            var splitID = split
            if subset != nil && splitID == nil {
                guard let latest = try catalog.latestSplit()?.id else { throw ValidationError("--subset needs a split: run `vitrine dataset split` first") }
                splitID = latest
            }
            let selection = DatasetJobs.Selection(sourceIDs: source.isEmpty ? nil : source, splitID: splitID, subset: subset, dropDuplicates: dropDuplicates)
            let url = URL(fileURLWithPath: output)
            let result = try DatasetJobs(catalog: catalog).export(selection, format: format.format, to: url, keepCategoryIDs: keepCategoryIDs)
            if common.json {
                try printJSON(["images": result.images, "annotations": result.annotations, "files": result.files])
                return
            }
            print("exported \(result.annotations) annotations on \(result.images) images as \(format.rawValue) to \(url.standardizedFileURL.path) (\(result.files) file\(result.files == 1 ? "" : "s"))")
        }
    }
}
