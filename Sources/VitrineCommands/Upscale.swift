import ArgumentParser
import Catalog
import Curation
import Foundation
import Imaging
import Inference
import Reports
import VitrineCore

/// `vitrine upscale`: super-resolution of catalog items into derived images, or `--evaluate`
/// on the corpus.
struct Upscale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upscale low-resolution items with ESPCN/FSRCNN/LapSRN into derived images, or measure the models (--evaluate).")

    @OptionGroup var common: CommonOptions

    @Argument(help: "Item ids to upscale (default: every item whose shorter side is below --below).")
    var items: [Int64] = []

    @Option(name: .long, help: "Upscale every ok item whose shorter side is below this many pixels.")
    var below: Int = 400

    @Option(name: .long, help: "Scale factor: 2, 3 or 4 (LapSRN: 2 or 4).")
    var scale: Int = 2

    @Option(name: .long, help: "Model: espcn, fsrcnn or lapsrn.")
    var model: String = "espcn"

    @Flag(name: .long, help: "Evaluate every model and the bicubic and Lanczos3 baselines on corpus images instead (PSNR/SSIM on Y).")
    var evaluate = false

    @Option(name: .long, help: "Evaluation: the corpus folder with labels.csv.")
    var corpus: String = "../shared/corpus"

    @Option(name: .long, help: "Evaluation: images in the seeded, category-balanced sample (0 = the whole corpus).")
    var limit: Int = 24

    @Option(name: .long, help: "Evaluation: seed of the sample.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Evaluation: longer side, in pixels, the reference images are fitted in.")
    var side: Int = 384

    @Option(name: .long, help: "Folder for the HTML report (default: the store's reports/).")
    var reportFolder: String?

    func validate() throws {
        try common.validate()
        guard [2, 3, 4].contains(scale) else { throw ValidationError("--scale must be 2, 3 or 4") }
        guard SuperResolutionModel(rawValue: model) != nil else { throw ValidationError("--model must be espcn, fsrcnn or lapsrn") }
        guard below >= 1, limit >= 0, side >= 48 else { throw ValidationError("--below ≥ 1, --limit ≥ 0 and --side ≥ 48") }
    }

    func run() async throws {
        try await failing {
            if evaluate { try runEvaluation() } else { try runUpscale() }
        }
    }

    // MARK: Evaluation

    struct EvaluationOutput: Encodable {
        var evaluation: SuperResolutionEvaluation
        var report: String
        var runID: Int64?
    }

    private func runEvaluation() throws {
        let corpusURL = URL(fileURLWithPath: corpus)
        let labelsURL = corpusURL.appendingPathComponent("labels.csv")
        let text: String
        do { text = try String(contentsOf: labelsURL, encoding: .utf8) } catch {
            throw ValidationError("cannot read \(labelsURL.path): \(error.localizedDescription)")
        }
        let table = try CSVTable(text: text)
        guard let pathColumn = table.column("path"), let categoryColumn = table.column("category") else {
            throw ValidationError("\(labelsURL.path) has no path and category columns")
        }
        let all = table.rows.compactMap { row -> EvaluationImage? in
            guard row.count > max(pathColumn, categoryColumn) else { return nil }
            let relative = row[pathColumn]
            let candidates = [corpusURL.appendingPathComponent(relative), corpusURL.appendingPathComponent("images/\(row[categoryColumn])/\(relative)")]
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else { return nil }
            return EvaluationImage(path: found.path, category: row[categoryColumn])
        }
        let sample = SuperResolutionEvaluator.sample(all, limit: limit, seed: seed)
        guard !sample.isEmpty else { throw ValidationError("no image of \(labelsURL.path) was found under \(corpusURL.path)") }
        let catalog = try? common.openCatalog()
        let locator = ModelLocator(storeModels: catalog.map { $0.absolute("models") })
        let progress = ProgressReporter(label: "evaluate ×\(scale)", total: sample.count, quiet: common.quiet || common.json)
        let runID = try catalog?.startRun(kind: "superres-evaluation", toolVersion: VitrineVersion.current, config: [
            "scale": "\(scale)", "side": "\(side)", "limit": "\(limit)", "seed": "\(seed)", "corpus": corpusURL.path,
            "models": SuperResolutionModel.allCases.filter { $0.scales.contains(scale) }
                .compactMap { try? $0.descriptor(scale: scale) }.map { "\($0.name)@\($0.sha256)" }.joined(separator: ","),
        ])
        let evaluation = try SuperResolutionEvaluator(scale: scale, side: side, locator: locator)
            .evaluate(sample) { _ in progress.advance() }
        progress.finish()
        if let catalog, let runID { try catalog.finishRun(runID, summary: evaluation.methods) }
        let folder = URL(fileURLWithPath: reportFolder ?? URL(fileURLWithPath: common.store).appendingPathComponent("reports").path)
        let page = try SuperResolutionReport.write(reportInput(evaluation, pairs: []), to: folder, fileName: "superres-evaluation-x\(scale).html")
        if common.json {
            try printJSON(EvaluationOutput(evaluation: evaluation, report: page.path, runID: runID))
            return
        }
        print("super-resolution ×\(scale) on \(sample.count) corpus images (\(evaluation.protocolNote))")
        print("method     PSNR dB   SSIM    s/MP    vs bicubic")
        for m in evaluation.methods {
            let verdict = m.method == "bicubic" ? "baseline" : (m.worseThanBicubic ? "WORSE than bicubic" : "better")
            print("\(m.method.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%7.2f  %6.4f  %6.3f", m.meanPSNR, m.meanSSIM, m.secondsPerMegapixel))  \(verdict)")
        }
        let failed = evaluation.images.filter { $0.error != nil }
        for image in failed { print("skipped \(image.path): \(image.error ?? "")") }
        print("report: \(page.path)")
    }

    private func reportInput(_ evaluation: SuperResolutionEvaluation?, pairs: [SuperResolutionReportInput.Pair]) -> SuperResolutionReportInput {
        let methods = (evaluation?.methods ?? []).map { m in
            SuperResolutionReportInput.Method(
                name: m.method, model: m.model, images: m.images, meanPSNR: m.meanPSNR, meanSSIM: m.meanSSIM,
                perCategory: m.perCategory.mapValues { (psnr: $0.psnr, ssim: $0.ssim) },
                secondsPerMegapixel: m.secondsPerMegapixel, worseThanBicubic: m.worseThanBicubic)
        }
        return SuperResolutionReportInput(
            title: evaluation == nil ? "Vitrine upscaled items" : "Vitrine super-resolution evaluation ×\(scale)",
            toolVersion: VitrineVersion.current, scale: scale, protocolNote: evaluation?.protocolNote ?? "",
            methods: methods, pairs: pairs)
    }

    // MARK: Upscaling items

    struct UpscaleSummary: Codable {
        var runID: Int64
        var model: String
        var scale: Int
        var upscaled: Int
        var failed: Int
        var derived: [String]
        var errors: [String: String]
        var report: String
    }

    private func runUpscale() throws {
        let catalog = try common.openCatalog(mustExist: true)
        guard let chosenModel = SuperResolutionModel(rawValue: model) else { throw ValidationError("unknown model \(model)") }
        let summary = try Self.upscaleItems(catalog: catalog, model: chosenModel, scale: scale, itemIDs: items, below: below,
                                            quiet: common.quiet || common.json, reportFolder: reportFolder)
        if common.json { try printJSON(summary) } else {
            print("upscaled \(summary.upscaled) of \(summary.upscaled + summary.failed) items ×\(scale) with \(summary.model) into \(catalog.absolute("derived/upscale").path); \(summary.failed) failed")
            for (id, message) in summary.errors.sorted(by: { $0.key < $1.key }) { print("item \(id): \(message)") }
            print("report: \(summary.report)")
        }
        if summary.failed > 0 { throw ExitCode(1) }
    }

    /// Upscales the chosen items (ids, or every ok item whose shorter side is below `below`)
    /// into derived images, as one stored run; writes `reports/upscaled.html`. Shared with
    /// `vitrine analyze --upscale-below`.
    static func upscaleItems(catalog: Catalog, model chosenModel: SuperResolutionModel, scale: Int, itemIDs items: [Int64],
                             below: Int, quiet: Bool, reportFolder: String?) throws -> UpscaleSummary {
        let locator = ModelLocator(storeModels: catalog.absolute("models"))
        let resolver = try SuperResolver(model: chosenModel, scale: scale, locator: locator)
        let chosen = try catalog.items().filter { item in
            guard item.status == "ok", let id = item.id else { return false }
            if !items.isEmpty { return items.contains(id) }
            guard let width = item.width, let height = item.height else { return false }
            return min(width, height) < below
        }
        let runID = try catalog.startRun(kind: "upscale", toolVersion: VitrineVersion.current, config: [
            "model": resolver.descriptor.name, "modelSHA256": resolver.descriptor.sha256, "scale": "\(scale)",
            "below": items.isEmpty ? "\(below)" : "", "items": items.map(String.init).joined(separator: ","),
            "tileSize": "\(resolver.tileSize)", "margin": "\(resolver.margin)",
        ])
        let progress = ProgressReporter(label: "upscale ×\(scale)", total: chosen.count, quiet: quiet)
        let folder = catalog.absolute("derived/upscale")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var derived: [String] = [], errors: [String: String] = [:]
        var pairs: [SuperResolutionReportInput.Pair] = []
        for item in chosen {
            let id = item.id ?? 0
            let source = item.storedPath.map { catalog.absolute($0).path } ?? item.sourcePath
            do {
                let image = try Resampling.decodeRGBA(path: source)
                let output = try resolver.upscale(image)
                let relative = "derived/upscale/\(id)-\(chosenModel.rawValue)-x\(scale).png"
                try ImageWriter.save(output, to: catalog.absolute(relative).path)
                _ = try catalog.saveDerivedImage(DerivedImageRecord(
                    itemID: id, kind: "upscale", method: chosenModel.rawValue, model: resolver.descriptor.name,
                    modelSHA256: resolver.descriptor.sha256, scale: scale, path: relative, width: output.width,
                    height: output.height, runID: runID))
                derived.append(relative)
                pairs.append(.init(label: "item \(id)", before: source, after: catalog.absolute(relative).path,
                                   note: "\(image.width)×\(image.height) → \(output.width)×\(output.height), \(resolver.descriptor.name)"))
                progress.advance()
            } catch {
                errors["\(id)"] = "\(source): \(error)"
                progress.advance(errors: 1)
            }
        }
        progress.finish()
        let summaryFolder = URL(fileURLWithPath: reportFolder ?? catalog.absolute("reports").path)
        let input = SuperResolutionReportInput(
            title: "Vitrine upscaled items", toolVersion: VitrineVersion.current, scale: scale, protocolNote: "",
            methods: [], pairs: pairs)
        let page = try SuperResolutionReport.write(input, to: summaryFolder, fileName: "upscaled.html")
        let summary = UpscaleSummary(runID: runID, model: resolver.descriptor.name, scale: scale, upscaled: derived.count,
                                     failed: errors.count, derived: derived, errors: errors, report: page.path)
        try catalog.finishRun(runID, status: errors.isEmpty ? "finished" : "finished-with-errors", summary: summary)
        return summary
    }
}
