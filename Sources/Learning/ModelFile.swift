import Foundation

/// A saved classifier (`models/classifiers/NAME.json`): what it predicts (the vocabulary's
/// concept URIs and labels), from what (the embedding model and its sha256), the weights and
/// calibration, how well it did in training, when, and with which file version.
public struct ClassifierModelFile: Sendable, Codable, Equatable {
    /// The newest file version this build reads. Version 2 marks a multi-label (one-vs-rest)
    /// classifier, which older builds must not read as a softmax one; single-label files stay 1.
    public static let currentVersion = 2

    public struct Concept: Sendable, Codable, Equatable {
        public var uri: String
        public var label: String
        public init(uri: String, label: String) { self.uri = uri; self.label = label }
    }

    public var version: Int
    public var name: String
    /// One concept per class of ``classifier``, same order.
    public var vocabulary: [Concept]
    public var embeddingModel: String
    public var embeddingModelSHA256: String
    public var classifier: LogisticRegression
    /// Training figures (e.g. inner-CV accuracy, items per class, seconds).
    public var trainingMetrics: [String: Double]
    public var createdAt: Date
    public var toolVersion: String

    public init(name: String, vocabulary: [Concept], embeddingModel: String, embeddingModelSHA256: String, classifier: LogisticRegression,
                trainingMetrics: [String: Double], createdAt: Date = Date(), toolVersion: String) {
        self.version = classifier.isMultiLabel ? 2 : 1
        self.name = name
        self.vocabulary = vocabulary
        self.embeddingModel = embeddingModel
        self.embeddingModelSHA256 = embeddingModelSHA256
        self.classifier = classifier
        self.trainingMetrics = trainingMetrics
        self.createdAt = createdAt
        self.toolVersion = toolVersion
    }

    /// Writes pretty-printed JSON with sorted keys and ISO 8601 dates (atomically).
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoder.encode(self).write(to: url, options: .atomic)
        } catch { throw LearningError(.modelFile, "cannot write \(url.path)", underlying: error) }
    }

    /// Reads a model file. - Throws: ``LearningError/Code/modelFile`` when unreadable, of a newer
    /// version, or inconsistent (weights not `classes × (d + 1)`).
    public static func read(_ url: URL) throws -> ClassifierModelFile {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let file: ClassifierModelFile
        do { file = try decoder.decode(ClassifierModelFile.self, from: Data(contentsOf: url)) } catch {
            throw LearningError(.modelFile, "cannot read the classifier \(url.path)", underlying: error)
        }
        guard file.version <= currentVersion else {
            throw LearningError(.modelFile, "\(url.path) has version \(file.version); this vitrine reads up to \(currentVersion)")
        }
        let c = file.classifier
        guard c.weights.count == c.classes.count * (c.dimension + 1), file.vocabulary.count == c.classes.count else {
            throw LearningError(.modelFile, "\(url.path): \(c.weights.count) weights for \(c.classes.count) classes × \(c.dimension + 1)")
        }
        return file
    }
}
