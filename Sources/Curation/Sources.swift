import Foundation
import VitrineCore

/// One thing to ingest: a file found in a folder walk, or a row of a CSV/TSV list.
public struct SourceEntry: Sendable, Equatable {
    /// `file` or `list`.
    public var kind: String
    /// Absolute path (or URL for list rows with a `url` column).
    public var location: String
    /// Descriptive metadata from the list row (title, creator, date, rights, provider, …).
    public var metadata: [String: String]

    public init(kind: String, location: String, metadata: [String: String] = [:]) {
        self.kind = kind
        self.location = location
        self.metadata = metadata
    }
}

/// What a source walk found besides entries.
public struct SourceScan: Sendable {
    public var entries: [SourceEntry]
    /// Files skipped because they are neither images nor named like images (sidecars, text).
    public var skippedNonImages: Int
    /// Problems with the sources themselves (missing path, unreadable list), one line each.
    public var problems: [String]
}

/// Turns command-line sources into entries.
///
/// - A folder is walked recursively (hidden files and folders skipped); a file is taken when
///   its bytes are an image or its extension names an image format (so an HTML page saved as
///   `.jpg` is ingested and recorded as an error, while a `.txt` sidecar is skipped).
/// - A `.csv` / `.tsv` file is a list: a `path` (relative to the list's own folder, or
///   absolute) or `url` column, plus any metadata columns. Recognised names: `title`,
///   `creator` (`dcCreator`), `date` (`year`), `rights`, `provider`, `dataProvider`, `id`
///   (`source_id`, `europeana_id`), `landingPage` (`edmIsShownAt`, `guid`); others are kept as is.
/// - Any other file is taken as one image; a URL (`scheme://…`) is one remote image.
public enum SourceScanner {
    public static let imageExtensions: Set<String> = Set(ImageFormat.allCases.flatMap(\.extensions))

    public static func scan(_ paths: [String], excluding excluded: URL? = nil) -> SourceScan {
        var scan = SourceScan(entries: [], skippedNonImages: 0, problems: [])
        let fm = FileManager.default
        for path in paths {
            // A URL given as a source (e.g. by a label import) is fetched like a list's `url`.
            if IngestJob.isRemote(path) {
                scan.entries.append(SourceEntry(kind: "list", location: path))
                continue
            }
            let url = URL(fileURLWithPath: path).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                scan.problems.append("\(path): no such file or folder")
                continue
            }
            if isDirectory.boolValue {
                walk(url, excluding: excluded?.standardizedFileURL, into: &scan)
            } else if ["csv", "tsv"].contains(url.pathExtension.lowercased()) {
                readList(url, into: &scan)
            } else {
                scan.entries.append(SourceEntry(kind: "file", location: url.path))
            }
        }
        return scan
    }

    static func walk(_ folder: URL, excluding: URL?, into scan: inout SourceScan) {
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey],
                                             options: [.skipsHiddenFiles]) else {
            scan.problems.append("\(folder.path): cannot list the folder")
            return
        }
        var found: [String] = []
        for case let url as URL in enumerator {
            if let excluding, url.standardizedFileURL.path.hasPrefix(excluding.path + "/") || url.standardizedFileURL == excluding {
                enumerator.skipDescendants()
                continue
            }
            // Symbolic links to files count as files.
            guard (try? url.resolvingSymlinksInPath().resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            if imageExtensions.contains(url.pathExtension.lowercased()) || looksLikeImage(url) {
                found.append(url.standardizedFileURL.path)
            } else {
                scan.skippedNonImages += 1
            }
        }
        // Sorted, so that the order of work is reproducible (keepers do not depend on it: see DuplicateFinder.keeper).
        for path in found.sorted() { scan.entries.append(SourceEntry(kind: "file", location: path)) }
    }

    static func looksLikeImage(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 32)) ?? Data()
        let format = ImageFormat.sniff(head)
        return format != .unknown && format != .pdf && format != .svg
    }

    static let metadataAliases: [String: String] = [
        "title": "title", "dctitle": "title",
        "creator": "creator", "dccreator": "creator", "artist": "creator", "author": "creator",
        "date": "date", "year": "date", "dcdate": "date",
        "rights": "rights", "license": "rights", "licence": "rights", "edmrights": "rights",
        "provider": "provider", "edmprovider": "provider",
        "dataprovider": "dataProvider", "edmdataprovider": "dataProvider",
        "id": "sourceID", "source_id": "sourceID", "sourceid": "sourceID", "europeana_id": "sourceID", "identifier": "sourceID",
        "landingpage": "landingPage", "edmisshownat": "landingPage", "guid": "landingPage",
    ]

    static func readList(_ url: URL, into scan: inout SourceScan) {
        let table: CSVTable
        do {
            let text = try String(contentsOf: url, encoding: .utf8)
            table = try CSVTable(text: text, separator: url.pathExtension.lowercased() == "tsv" ? "\t" : ",")
        } catch {
            scan.problems.append("\(url.path): cannot read the list: \(error)")
            return
        }
        guard let locationColumn = table.column("path", "file", "filename", "url", "edmIsShownBy", "image_url") else {
            scan.problems.append("\(url.path): the list has no `path` or `url` column (columns: \(table.header.joined(separator: ", ")))")
            return
        }
        let base = url.deletingLastPathComponent()
        for (n, row) in table.rows.enumerated() {
            let raw = row[locationColumn].trimmingCharacters(in: .whitespaces)
            if raw.isEmpty {
                scan.problems.append("\(url.lastPathComponent) row \(n + 2): empty `\(table.header[locationColumn])`")
                continue
            }
            let location: String
            if raw.hasPrefix("file://"), let fileURL = URL(string: raw) {
                location = fileURL.standardizedFileURL.path
            } else if raw.contains("://") {
                location = raw  // fetched if http(s), else recorded as an invalid URL
            } else if raw.hasPrefix("/") {
                location = URL(fileURLWithPath: raw).standardizedFileURL.path
            } else {
                location = base.appendingPathComponent(raw).standardizedFileURL.path
            }
            var metadata: [String: String] = [:]
            for (i, name) in table.header.enumerated() where i != locationColumn && i < row.count {
                let value = row[i].trimmingCharacters(in: .whitespaces)
                if value.isEmpty { continue }
                let key = metadataAliases[name.lowercased()] ?? name
                metadata[key] = value
            }
            scan.entries.append(SourceEntry(kind: "list", location: location, metadata: metadata))
        }
    }
}
