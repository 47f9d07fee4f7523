import Catalog
import Foundation
import Reports
import Imaging
import VectorIndex
import VitrineCore

/// What `vitrine cluster` found.
public struct ClusterSummary: Codable, Sendable {
    public struct Cluster: Codable, Sendable {
        public var cluster: Int
        public var size: Int
        public var silhouette: Double
        public var outliers: Int
        /// Items nearest the centroid first (up to 12).
        public var representatives: [Int64]
        public var contactSheet: String?
    }
    public var model: String
    public var k: Int
    public var items: Int
    public var silhouette: Double
    /// Sample size of the silhouette when the collection exceeded the exact limit; nil = exact.
    public var silhouetteSampleSize: Int?
    /// k → overall silhouette, for `--k auto`.
    public var silhouetteByK: [String: Double]
    public var clusters: [Cluster]
    public var membershipCSV: String
    public var reportPage: String
    public var runID: Int64
}

/// Spherical k-means over a store's embeddings, scored with the cosine silhouette.
public enum ClusterJob {
    /// Candidate k for `--k auto` (those ≤ n/3 are tried; the best overall silhouette wins).
    public static let autoCandidates = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40]

    /// Clusters every embedded item. The vectors are put in the order of their images' SHA-256
    /// (then item id) before k-means, so the clusters depend on the pictures and the seed, not on
    /// the order a parallel ingest gave the items their ids.
    public static func run(catalog: Catalog, model: String, k requested: Int?, seed: Int = 1234, threads: Int) throws -> ClusterSummary {
        let items = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { i in i.id.map { ($0, i) } })
        let records = try catalog.embeddings(model: model).sorted {
            let a = items[$0.itemID]?.sha256 ?? "", b = items[$1.itemID]?.sha256 ?? ""
            return a != b ? a < b : $0.itemID < $1.itemID
        }
        guard records.count >= 4 else {
            throw CoreError(.invalidInput, "clustering needs at least 4 embedded items, the store has \(records.count); run `vitrine embed`")
        }
        let dimension = records[0].dimension
        let vectors = records.flatMap(\.floats)
        let n = records.count
        let runID = try catalog.startRun(kind: "cluster", toolVersion: VitrineVersion.current, config: [
            "model": model, "modelSHA256": records[0].modelSHA256, "k": requested.map(String.init) ?? "auto",
            "seed": "\(seed)", "algorithm": "spherical k-means (FAISS), cosine silhouette",
        ])
        var byK: [String: Double] = [:]
        var best: (k: Int, result: KMeansResult, report: SilhouetteReport)?
        let candidates = requested.map { [$0] } ?? autoCandidates.filter { $0 <= max(2, n / 3) }
        for k in candidates {
            let result = try SphericalKMeans.cluster(vectors, dimension: dimension, k: min(k, n), seed: seed, threads: threads)
            guard Set(result.assignment).count >= 2 else { continue }
            let report = try Silhouette.compute(vectors, dimension: dimension, labels: result.assignment)
            byK["\(k)"] = Double(report.overall)
            if best == nil || report.overall > (best?.report.overall ?? -2) { best = (k, result, report) }
        }
        guard let best else { throw CoreError(.invalidInput, "k-means found fewer than 2 clusters in \(n) items") }
        var silhouetteOf: [Int: Float] = [:]
        for (row, item) in best.report.items.enumerated() { silhouetteOf[item] = best.report.values[row] }
        let assignments = records.enumerated().map { i, r in
            ClusterAssignmentRecord(runID: runID, itemID: r.itemID, cluster: best.result.assignment[i],
                                    silhouette: silhouetteOf[i].map(Double.init), centroidSimilarity: Double(best.result.scores[i]))
        }.sorted { $0.itemID < $1.itemID }
        try catalog.saveClusterAssignments(assignments)

        let folder = catalog.store.appendingPathComponent("reports/clusters")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var csv = "item_id,path,cluster,silhouette,centroid_cosine\n"
        for a in assignments {
            let path = items[a.itemID]?.sourcePath ?? ""
            csv += "\(a.itemID),\(CSVField.quote(path)),\(a.cluster),\(a.silhouette.map { String(format: "%.4f", $0) } ?? ""),\(String(format: "%.4f", a.centroidSimilarity))\n"
        }
        let csvURL = folder.appendingPathComponent("membership-run\(runID).csv")
        try Data(csv.utf8).write(to: csvURL)

        var clusters: [ClusterSummary.Cluster] = []
        for c in 0..<best.k {
            let members = assignments.filter { $0.cluster == c }.sorted { $0.centroidSimilarity > $1.centroidSimilarity }
            guard !members.isEmpty else { continue }
            let thumbs = members.prefix(24).compactMap { items[$0.itemID]?.thumbnailPath.map { catalog.absolute($0).path } }
            var sheet: String?
            if !thumbs.isEmpty {
                let url = folder.appendingPathComponent("cluster-\(c).jpg")
                if (try? ImageWriter.contactSheet(of: thumbs, columns: 8, cell: 96, spacing: 4, to: url.path)) != nil { sheet = url.path }
            }
            clusters.append(.init(cluster: c, size: members.count, silhouette: Double(best.report.perCluster[c] ?? 0),
                                  outliers: members.filter { ($0.silhouette ?? 0) < 0 }.count,
                                  representatives: members.prefix(12).map(\.itemID), contactSheet: sheet))
        }
        let page = folder.appendingPathComponent("index.html")
        try Data(ClusterPage.html(model: model, best: (best.k, best.report), byK: byK, clusters: clusters, assignments: assignments,
                                  items: items, csvName: csvURL.lastPathComponent).utf8).write(to: page)
        let summary = ClusterSummary(model: model, k: best.k, items: n, silhouette: Double(best.report.overall),
                                     silhouetteSampleSize: best.report.sampleSize, silhouetteByK: byK, clusters: clusters,
                                     membershipCSV: csvURL.path, reportPage: page.path, runID: runID)
        try catalog.finishRun(runID, summary: summary)
        return summary
    }
}

/// A categorical palette (Tableau 10) for clusters and labels.
let categoricalPalette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

enum ClusterPage {
    /// The silhouette plot (Rousseeuw 1987): one horizontal line per item, grouped by cluster and
    /// sorted by s(i) within it; negative values (outliers) left of the zero line.
    static func silhouetteSVG(values: [(cluster: Int, s: Float)]) -> String {
        let sorted = values.sorted { $0.cluster != $1.cluster ? $0.cluster < $1.cluster : $0.s > $1.s }
        let step = sorted.count > 1500 ? Double(sorted.count) / 1500 : 1
        let shown = stride(from: 0.0, to: Double(sorted.count), by: step).map { sorted[Int($0)] }
        let width = 640.0, left = 60.0, right = 620.0, top = 30.0
        let rowHeight = max(0.5, min(4, 600 / Double(max(1, shown.count))))
        let height = top + Double(shown.count) * rowHeight + 40
        let zero = left + (right - left) * 0.5
        let x: (Float) -> Double = { zero + (right - zero) * Double(max(-1, min(1, $0))) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\"><title>Silhouette plot</title>"
        svg += "<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"bold\">Silhouette s(i) per item, by cluster (cosine distance)</text>"
        for (i, v) in shown.enumerated() {
            let y = top + Double(i) * rowHeight
            let colour = v.s < 0 ? "#d62728" : categoricalPalette[v.cluster % categoricalPalette.count]
            svg += "<rect x=\"\(String(format: "%.1f", min(zero, x(v.s))))\" y=\"\(String(format: "%.2f", y))\" width=\"\(String(format: "%.1f", abs(x(v.s) - zero)))\" height=\"\(String(format: "%.2f", rowHeight))\" fill=\"\(colour)\"/>"
        }
        let axisY = top + Double(shown.count) * rowHeight + 4
        svg += "<line x1=\"\(zero)\" y1=\"\(top)\" x2=\"\(zero)\" y2=\"\(axisY)\" stroke=\"#333\"/>"
        for t in [-1.0, -0.5, 0, 0.5, 1] {
            let tx = zero + (right - zero) * t
            svg += "<text x=\"\(String(format: "%.1f", tx))\" y=\"\(String(format: "%.1f", axisY + 16))\" text-anchor=\"middle\" font-size=\"11\">\(t)</text>"
        }
        return svg + "</svg>"
    }

    static func html(model: String, best: (k: Int, report: SilhouetteReport), byK: [String: Double], clusters: [ClusterSummary.Cluster],
                     assignments: [ClusterAssignmentRecord], items: [Int64: ItemRecord], csvName: String) -> String {
        let values = assignments.compactMap { a in a.silhouette.map { (cluster: a.cluster, s: Float($0)) } }
        var h = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Clusters — Vitrine</title>"
        h += "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}.outlier{color:#d62728}</style>"
        h += "<h1>Clusters of \(HTMLText.escape(model)) embeddings</h1>"
        h += "<p>Spherical k-means (FAISS), k = \(best.k); silhouette with cosine distance: overall <b>\(String(format: "%.3f", best.report.overall))</b>"
        h += best.report.sampleSize.map { " (on a uniform sample of \($0) items)" } ?? " (exact, all items)"
        h += ". Membership: <a href=\"\(csvName)\">\(csvName)</a>. <a href=\"../map/index.html\">Map of the collection</a>.</p>"
        if byK.count > 1 {
            h += "<p>Silhouette by k: " + byK.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }.map { "k=\($0.key): \(String(format: "%.3f", $0.value))" }.joined(separator: ", ") + "</p>"
        }
        h += silhouetteSVG(values: values)
        h += "<table><tr><th>cluster</th><th>items</th><th>silhouette</th><th>outliers (s &lt; 0)</th></tr>"
        for c in clusters {
            h += "<tr><td><a href=\"#c\(c.cluster)\">\(c.cluster)</a></td><td>\(c.size)</td><td>\(String(format: "%.3f", c.silhouette))</td><td>\(c.outliers)</td></tr>"
        }
        h += "</table>"
        for c in clusters {
            h += "<h2 id=\"c\(c.cluster)\">Cluster \(c.cluster) — \(c.size) items, silhouette \(String(format: "%.3f", c.silhouette))</h2>"
            if let sheet = c.contactSheet {
                h += "<p><img src=\"\(URL(fileURLWithPath: sheet).lastPathComponent)\" alt=\"contact sheet of cluster \(c.cluster), nearest the centre first\" style=\"max-width:100%\"></p>"
            }
            let outliers = assignments.filter { $0.cluster == c.cluster && ($0.silhouette ?? 0) < 0 }
            if !outliers.isEmpty {
                h += "<p class=\"outlier\">Outliers (negative silhouette):</p><ul>"
                for o in outliers.prefix(30) {
                    h += "<li class=\"outlier\">\(HTMLText.escape(items[o.itemID]?.sourcePath ?? "?")) — s = \(String(format: "%.3f", o.silhouette ?? 0))</li>"
                }
                h += "</ul>"
            }
        }
        return h + "</html>\n"
    }
}

/// What `vitrine map` wrote.
public struct MapSummary: Codable, Sendable {
    public var model: String
    public var items: Int
    public var projection: String
    /// Share of the variance on each of the two axes.
    public var explainedVariance: [Double]
    public var colouredBy: String
    public var page: String
    public var coordinatesCSV: String
    public var runID: Int64
}

/// A 2-D map of the collection: PCA of the embeddings, thumbnails placed by coordinates.
public enum MapJob {
    /// - Parameter labels: optional CSV with `path` and `category`/`label` columns (paths relative
    ///   to the CSV's folder); otherwise items are coloured by their latest clustering.
    public static func run(catalog: Catalog, model: String, labels: URL?) throws -> MapSummary {
        let records = try catalog.embeddings(model: model)
        guard records.count >= 2 else { throw CoreError(.invalidInput, "a map needs at least 2 embedded items; run `vitrine embed`") }
        let dimension = records[0].dimension
        let vectors = records.flatMap(\.floats)
        let (coordinates, variances) = try PCA.project(vectors, dimension: dimension, outputDimension: 2)
        // Total variance of unit vectors around their mean: Σ over dimensions of the variance.
        var mean = [Double](repeating: 0, count: dimension)
        for r in 0..<records.count { for j in 0..<dimension { mean[j] += Double(vectors[r * dimension + j]) } }
        var total = 0.0
        for r in 0..<records.count {
            for j in 0..<dimension { let d = Double(vectors[r * dimension + j]) - mean[j] / Double(records.count); total += d * d }
        }
        total /= Double(records.count)
        let items = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { i in i.id.map { ($0, i) } })
        var colourKey: [Int64: String] = [:]
        var colouredBy = "none"
        if let labels {
            let table = try CSVTable(text: try String(contentsOf: labels, encoding: .utf8))
            guard let pathColumn = table.column("path", "file"), let labelColumn = table.column("category", "label") else {
                throw CoreError(.invalidInput, "\(labels.path): needs `path` and `category` (or `label`) columns")
            }
            let base = labels.deletingLastPathComponent()
            var byPath: [String: String] = [:]
            for row in table.rows { byPath[base.appendingPathComponent(row[pathColumn]).standardizedFileURL.path] = row[labelColumn] }
            for (id, item) in items { if let l = byPath[URL(fileURLWithPath: item.sourcePath).standardizedFileURL.path] { colourKey[id] = l } }
            colouredBy = "label (\(labels.lastPathComponent))"
        } else if let run = try catalog.latestRun(kind: "cluster"), let runID = run.id {
            for a in try catalog.clusterAssignments(runID: runID) { colourKey[a.itemID] = "cluster \(a.cluster)" }
            colouredBy = "cluster (run \(runID))"
        }
        let keys = Array(Set(colourKey.values)).sorted()
        let colourOf = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, categoricalPalette[$0 % categoricalPalette.count]) })
        let runID = try catalog.startRun(kind: "map", toolVersion: VitrineVersion.current, config: [
            "model": model, "modelSHA256": records[0].modelSHA256, "projection": "PCA (faiss::PCAMatrix, LAPACK)", "colour": colouredBy,
        ])
        let folder = catalog.store.appendingPathComponent("reports/map")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var csv = "item_id,path,x,y,colour_key\n"
        let xs = stride(from: 0, to: coordinates.count, by: 2).map { coordinates[$0] }
        let ys = stride(from: 1, to: coordinates.count, by: 2).map { coordinates[$0] }
        let (minX, maxX, minY, maxY) = (xs.min() ?? 0, xs.max() ?? 1, ys.min() ?? 0, ys.max() ?? 1)
        let canvas = 3000.0
        var tiles = ""
        for (i, r) in records.enumerated() {
            let item = items[r.itemID]
            csv += "\(r.itemID),\(CSVField.quote(item?.sourcePath ?? "")),\(xs[i]),\(ys[i]),\(CSVField.quote(colourKey[r.itemID] ?? ""))\n"
            let px = canvas * Double(xs[i] - minX) / Double(max(maxX - minX, 1e-6))
            let py = canvas * Double(maxY - ys[i]) / Double(max(maxY - minY, 1e-6))
            let colour = colourKey[r.itemID].flatMap { colourOf[$0] } ?? "#888"
            let title = HTMLText.escape("\(item?.title ?? URL(fileURLWithPath: item?.sourcePath ?? "?").lastPathComponent) — \(colourKey[r.itemID] ?? "")")
            if let thumb = item?.thumbnailPath {
                tiles += "<img src=\"../../\(HTMLText.escape(thumb))\" title=\"\(title)\" style=\"left:\(Int(px))px;top:\(Int(py))px;border-color:\(colour)\" loading=\"lazy\">"
            } else {
                tiles += "<div class=\"dot\" title=\"\(title)\" style=\"left:\(Int(px))px;top:\(Int(py))px;background:\(colour)\"></div>"
            }
        }
        let csvURL = folder.appendingPathComponent("coordinates.csv")
        try Data(csv.utf8).write(to: csvURL)
        // Variance of each projected axis (computed from the coordinates, independent of how
        // FAISS scales its eigenvalues) over the total variance.
        _ = variances
        let explained = [xs, ys].map { axis -> Double in
            let m = axis.reduce(0.0) { $0 + Double($1) } / Double(axis.count)
            let v = axis.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(axis.count)
            return total > 0 ? v / total : 0
        }
        var legend = ""
        for key in keys.prefix(40) { legend += "<span style=\"border-left:12px solid \(colourOf[key] ?? "#888");padding-left:4px;margin-right:10px\">\(HTMLText.escape(key))</span>" }
        let page = """
        <!doctype html><html lang="en"><meta charset="utf-8"><title>Map — Vitrine</title>
        <style>body{margin:0;font-family:system-ui,sans-serif}#bar{padding:6px 10px;background:#f4f4f4;border-bottom:1px solid #ccc;font-size:13px}
        #view{position:absolute;top:64px;left:0;right:0;bottom:0;overflow:hidden;cursor:grab;background:#fff}
        #plane{position:absolute;transform-origin:0 0}#plane img{position:absolute;width:48px;height:48px;object-fit:cover;border:3px solid;transform:translate(-50%,-50%)}
        #plane .dot{position:absolute;width:10px;height:10px;border-radius:5px}</style>
        <div id="bar">\(records.count) items of \(HTMLText.escape(model)) embeddings, PCA (LAPACK) — axis 1 \(String(format: "%.1f", 100 * (explained.first ?? 0))) %, axis 2 \(String(format: "%.1f", 100 * (explained.dropFirst().first ?? 0))) % of the variance; coloured by \(HTMLText.escape(colouredBy)). Drag to pan, wheel to zoom. <a href="coordinates.csv">coordinates.csv</a> · <a href="../clusters/index.html">clusters</a><br>\(legend)</div>
        <div id="view"><div id="plane">\(tiles)</div></div>
        <script>
        const view=document.getElementById('view'),plane=document.getElementById('plane');let s=Math.min(view.clientWidth,view.clientHeight)/3100,x=20,y=20,drag=null;
        function draw(){plane.style.transform=`translate(${x}px,${y}px) scale(${s})`}draw();
        view.addEventListener('wheel',e=>{e.preventDefault();const f=e.deltaY<0?1.2:1/1.2,r=view.getBoundingClientRect(),mx=e.clientX-r.left,my=e.clientY-r.top;x=mx-(mx-x)*f;y=my-(my-y)*f;s*=f;draw()},{passive:false});
        view.addEventListener('mousedown',e=>{drag=[e.clientX-x,e.clientY-y];view.style.cursor='grabbing'});
        window.addEventListener('mouseup',()=>{drag=null;view.style.cursor='grab'});
        window.addEventListener('mousemove',e=>{if(drag){x=e.clientX-drag[0];y=e.clientY-drag[1];draw()}});
        </script></html>

        """
        let pageURL = folder.appendingPathComponent("index.html")
        try Data(page.utf8).write(to: pageURL)
        let summary = MapSummary(model: model, items: records.count, projection: "PCA", explainedVariance: explained,
                                 colouredBy: colouredBy, page: pageURL.path, coordinatesCSV: csvURL.path, runID: runID)
        try catalog.finishRun(runID, summary: summary)
        return summary
    }
}
