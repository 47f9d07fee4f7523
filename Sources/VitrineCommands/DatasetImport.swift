import ArgumentParser
import Curation
import Foundation

struct DatasetImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an annotation file or folder into the catalog; its images are ingested once, never duplicated.",
        discussion: """
        Images are found next to the annotation files (or under --image-folder) and ingested through the usual ingest; an image \
        already in the catalog (same path, or same SHA-256 of its bytes) is reused. Labels are stored as one source with \
        their provenance (file, format, kind, time). Images not on disk are counted and their annotations left out.
        """)

    @OptionGroup var common: CommonOptions

    @Argument(help: "The annotation file (COCO/labelme/W3C JSON, VOC XML, CSV) or folder (VOC XMLs, labelme JSONs, an image-folder tree).")
    var path: String

    @Option(name: .long, help: "Format: coco, voc, labelme, folders, csv, detections, zooniverse, w3c (default: guessed from the path).")
    var format: AnnotationFormatArgument?

    @Option(name: .long, help: "Folder the image file names are relative to (default: the annotation file's folder). (Formerly --images, which now names the files folder of a PostgreSQL --store.)")
    var imageFolder: String?

    @Option(name: .long, help: "Kind of labels: ground_truth, crowd or prediction.")
    var kind: String = "ground_truth"

    @Option(name: .long, help: "Name of the label source (default: the file name).")
    var name: String?

    func validate() throws {
        guard ["ground_truth", "crowd", "prediction"].contains(kind) else { throw ValidationError("--kind must be ground_truth, crowd or prediction") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog()
            let url = URL(fileURLWithPath: path)
            var options = IngestOptions()
            options.threads = common.threads
            options.quiet = common.quiet
            let chosen = format?.format ?? AnnotationFormat.guess(url)
            let summary = try await DatasetJobs(catalog: catalog, logger: common.makeLogger("vitrine.dataset")).importFile(
                url, format: chosen, kind: kind, images: imageFolder.map { URL(fileURLWithPath: $0) }, name: name, ingest: options)
            if common.json { try printJSON(summary); return }
            print("imported \(summary.annotations) annotations (\(summary.categories) classes) on \(summary.images - summary.imagesMissing) of \(summary.images) images as source \(summary.sourceID) (\(summary.format), \(summary.kind))")
            print("  images: \(summary.imagesIngested) ingested now, \(summary.imagesAlreadyInCatalog) already in the catalog, \(summary.imagesMissing) not found")
            if summary.annotationsLeftOut > 0 { print("  \(summary.annotationsLeftOut) annotations left out (their image was not found)") }
            for w in summary.warnings.prefix(10) { print("  warning: \(w)") }
            if summary.warnings.count > 10 { print("  … and \(summary.warnings.count - 10) more warnings") }
        }
    }
}
