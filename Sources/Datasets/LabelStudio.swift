import Foundation

/// Classification labels from a Label Studio JSON export (the "JSON" export format: an array of
/// tasks, each with `data` and `annotations[].result[]`), see
/// https://labelstud.io/guide/export.html#Label-Studio-JSON-format-of-annotated-tasks.
public enum LabelStudioExport {
    public struct Task: Sendable, Equatable {
        /// Label Studio task id.
        public var id: Int64
        /// The image the task shows: the `data` value of `imageKey` (a URL or a file path).
        public var image: String?
        /// Choices of the task's annotations that were not cancelled, in annotation order, each
        /// once; an annotation marked `ground_truth` puts its choices first.
        public var choices: [String]
        /// Annotations that gave at least one choice.
        public var annotations: Int
        public var cancelled: Int
    }

    /// `data` keys tried, in order, for the image when `imageKey` is nil.
    public static let imageKeys = ["image", "img", "url", "URL", "image_url", "imageUrl", "$image"]

    /// True when the bytes look like a Label Studio JSON export (an array whose first task has
    /// `annotations` and `data`).
    public static func looksLikeExport(_ text: String) -> Bool {
        let head = text.prefix(4096)
        return head.drop(while: \.isWhitespace).first == "[" && head.contains("\"annotations\"") && head.contains("\"data\"")
    }

    /// Reads the tasks of an export.
    /// - Parameters:
    ///   - imageKey: the `data` key of the image (the `value="$…"` of the labelling config's
    ///     `<Image>`); nil tries `imageKeys`, then the first value that looks like a URL.
    ///   - fromName: only results of this control (`from_name`); nil takes every `choices` result.
    /// - Throws: `DatasetsError.malformed` naming the file when it is not such an export.
    public static func tasks(_ data: Data, what: String, imageKey: String? = nil, fromName: String? = nil) throws -> [Task] {
        guard let array = try JSONValue.parse(data, what: what).array else {
            throw DatasetsError(.malformed, "\(what): a Label Studio JSON export is an array of tasks")
        }
        var out: [Task] = []
        for (index, task) in array.enumerated() {
            guard let object = task.object else { throw DatasetsError(.malformed, "\(what): task \(index) is not an object") }
            let fields = object["data"]?.object ?? [:]
            var image = imageKey.flatMap { fields[$0]?.string }
            if imageKey == nil {
                image = imageKeys.lazy.compactMap { fields[$0]?.string }.first
                    ?? fields.keys.sorted().lazy.compactMap { fields[$0]?.string }.first { $0.hasPrefix("http://") || $0.hasPrefix("https://") }
            }
            var first: [String] = [], rest: [String] = [], annotations = 0, cancelled = 0
            for annotation in object["annotations"]?.array ?? [] {
                if annotation["was_cancelled"] == .bool(true) { cancelled += 1; continue }
                var chosen: [String] = []
                for result in annotation["result"]?.array ?? [] where result["type"]?.string == "choices" {
                    if let fromName, result["from_name"]?.string != fromName { continue }
                    chosen += result["value"]?["choices"]?.array?.compactMap(\.string) ?? []
                }
                guard !chosen.isEmpty else { continue }
                annotations += 1
                if annotation["ground_truth"] == .bool(true) { first += chosen } else { rest += chosen }
            }
            var seen = Set<String>()
            let choices = (first + rest).filter { seen.insert($0).inserted }
            out.append(Task(id: object["id"]?.integer ?? Int64(index), image: image, choices: choices, annotations: annotations, cancelled: cancelled))
        }
        return out
    }
}
