import Foundation

/// A reference to an IIIF Image service found in a manifest: its base URI (never the body's
/// image URL, CASES.md C10) and API version.
public struct IIIFServiceRef: Sendable, Equatable, Codable {
    /// Base URI, from `id`, else `@id`; no trailing slash.
    public var base: String
    /// 1, 2 or 3, from `type` / `@type` (`ImageService2`, `ImageService3`), `profile` or `@context`.
    public var version: Int
    public var profile: String?

    /// The first IIIF Image service in a `service` value (object or array), or nil.
    public static func find(_ json: JSONValue?) -> IIIFServiceRef? {
        for s in json?.list ?? [] {
            guard var base = s.first("id") ?? s.first("@id") else { continue }
            let type = s.first("type") ?? s.first("@type") ?? ""
            let profile = s["profile"]?.list.compactMap(\.string).first
            let context = (s["@context"]?.strings ?? []).joined(separator: " ")
            let hints = [type, profile ?? "", context].joined(separator: " ")
            let version: Int
            if type == "ImageService3" || hints.contains("image/3") { version = 3 }
            else if type == "ImageService2" || hints.contains("image/2") { version = 2 }
            else if type == "ImageService1" || hints.contains("image-api") || hints.contains("image/1") { version = 1 }
            else if type.hasPrefix("ImageService") || profile?.hasPrefix("level") == true { version = 3 }
            else { continue }  // another kind of service (auth, search, …)
            while base.hasSuffix("/") { base.removeLast() }
            return IIIFServiceRef(base: base, version: version, profile: profile)
        }
        return nil
    }

    /// The info.json URL.
    public var infoURL: String { base + "/info.json" }
}

/// One image painted on a canvas.
public struct IIIFImageResource: Sendable, Equatable, Codable {
    /// The body / resource URL (a static image, or a full-size request to the service).
    public var url: String
    public var format: String?
    public var width: Int?
    public var height: Int?
    /// Missing service is legal (CASES.md C09): then `url` is fetched as a static image.
    public var service: IIIFServiceRef?
}

public struct IIIFCanvas: Sendable, Equatable, Codable {
    public var id: String
    public var label: String?
    public var width: Int?
    public var height: Int?
    public var images: [IIIFImageResource]
}

/// A IIIF Presentation manifest (v2 or v3), with language maps resolved to one string by
/// `LanguageMap.best` and every canvas's painted images.
/// Spec: https://iiif.io/api/presentation/3.0/ and https://iiif.io/api/presentation/2.1/.
public struct IIIFManifest: Sendable, Equatable, Codable {
    public var id: String
    public var version: Int
    public var label: String?
    public var summary: String?
    public var metadata: [String: String]
    /// v3 `rights`, else v2 `license` (a URI).
    public var rights: String?
    /// v3 `requiredStatement` (label: value), else v2 `attribution`.
    public var requiredStatement: String?
    public var thumbnail: String?
    public var seeAlso: [String]
    public var canvases: [IIIFCanvas]
}

/// A member of a collection: a manifest or a sub-collection, by id.
public struct IIIFMember: Sendable, Equatable, Codable {
    public var id: String
    /// `Manifest` or `Collection`.
    public var type: String
    public var label: String?
}

public struct IIIFCollection: Sendable, Equatable, Codable {
    public var id: String
    public var version: Int
    public var label: String?
    public var members: [IIIFMember]
    /// v2 paging: the next page (`first` on the top page, then each page's `next`).
    public var nextPage: String?
}

public enum IIIFDocument: Sendable, Equatable {
    case manifest(IIIFManifest)
    case collection(IIIFCollection)
}

public enum IIIFPresentation {
    /// The Presentation API version: `presentation/2` or `/3` in `@context` (a string or an
    /// array), else by structure: `sequences` → 2, `items` → 3 (CASES.md C08).
    public static func version(_ json: JSONValue) -> Int? {
        let context = (json["@context"]?.strings ?? []).joined(separator: " ")
        if context.contains("presentation/3") { return 3 }
        if context.contains("presentation/2") { return 2 }
        if json["sequences"] != nil || json["manifests"] != nil || json["collections"] != nil || json["members"] != nil { return 2 }
        if json["items"] != nil { return 3 }
        if let type = json.first("@type"), type.hasPrefix("sc:") { return 2 }
        return nil
    }

    /// Parses a manifest or collection.
    /// - Throws: `HarvestError(.invalidJSON)` or `.invalidIIIF` naming `source` and what is
    ///   wrong (no version, no id, a canvas without id, an image annotation of the wrong type,
    ///   a v3 manifest without label).
    public static func parse(_ data: Data, source: String) throws -> IIIFDocument {
        try parse(JSONValue.parse(data, source: source), source: source)
    }

    public static func parse(_ json: JSONValue, source: String) throws -> IIIFDocument {
        func fail(_ message: String) -> HarvestError { HarvestError(.invalidIIIF, url: source, message) }
        guard json.object != nil else { throw fail("not a JSON object") }
        guard let version = version(json) else { throw fail("no Presentation API version in @context, and neither `sequences` nor `items`") }
        let type = (json.first("type") ?? json.first("@type") ?? "").replacingOccurrences(of: "sc:", with: "")
        guard let id = json.first("id") ?? json.first("@id") else { throw fail("the \(type.isEmpty ? "document" : type) has no id") }
        if type == "Collection" || (type.isEmpty && (json["manifests"] != nil || json["collections"] != nil || json["members"] != nil)) {
            return .collection(collection(json, id: id, version: version))
        }
        if type == "Canvas", var wrapper = json.object {
            // A canvas on its own (some servers dereference canvas ids): one manifest with that canvas.
            wrapper = ["@id": .string(id), "id": .string(id), "label": json["label"] ?? .string(id), "@context": json["@context"] ?? .null]
            if version == 2 { wrapper["sequences"] = .array([.object(["canvases": .array([json])])]) } else { wrapper["items"] = .array([json]) }
            wrapper["type"] = .string("Manifest")
            return try parse(.object(wrapper), source: source)
        }
        guard type == "Manifest" || type.isEmpty else { throw fail("type `\(type)` is neither Manifest nor Collection") }
        let label = LanguageMap(json["label"]).text()
        if version == 3 && label == nil { throw fail("the v3 manifest \(id) has no label (required)") }
        var canvases: [IIIFCanvas] = []
        if version == 2 {
            for sequence in json["sequences"]?.list ?? [] {
                for (n, canvas) in (sequence["canvases"]?.list ?? []).enumerated() {
                    guard let cid = canvas.first("@id") ?? canvas.first("id") else { throw fail("canvas \(n + 1) has no @id") }
                    var images: [IIIFImageResource] = []
                    for (k, annotation) in (canvas["images"]?.list ?? []).enumerated() {
                        if let t = annotation.first("@type"), t != "oa:Annotation" {
                            throw fail("image annotation \(k + 1) of canvas \(cid) has @type `\(t)`, expected oa:Annotation")
                        }
                        images += resources(annotation["resource"])
                    }
                    canvases.append(IIIFCanvas(id: cid, label: LanguageMap(canvas["label"]).text(), width: canvas["width"]?.int,
                                               height: canvas["height"]?.int, images: images))
                }
            }
        } else {
            for (n, canvas) in (json["items"]?.list ?? []).enumerated() {
                guard let cid = canvas.first("id") ?? canvas.first("@id") else { throw fail("canvas \(n + 1) has no id") }
                var images: [IIIFImageResource] = []
                for page in canvas["items"]?.list ?? [] {
                    for annotation in page["items"]?.list ?? [] {
                        let motivation = annotation["motivation"]?.strings ?? []
                        guard motivation.isEmpty || motivation.contains("painting") else { continue }
                        for body in annotation["body"]?.list ?? [] { images += resources(body) }
                    }
                }
                canvases.append(IIIFCanvas(id: cid, label: LanguageMap(canvas["label"]).text(), width: canvas["width"]?.int,
                                           height: canvas["height"]?.int, images: images))
            }
        }
        var metadata: [String: String] = [:]
        for entry in json["metadata"]?.list ?? [] {
            if let k = LanguageMap(entry["label"]).text(), let v = LanguageMap(entry["value"]).text() { metadata[k] = v }
        }
        let required = json["requiredStatement"].flatMap { r -> String? in
            let v = LanguageMap(r["value"]).text()
            return LanguageMap(r["label"]).text().map { "\($0): \(v ?? "")" } ?? v
        } ?? LanguageMap(json["attribution"]).text()
        let thumbnail = json["thumbnail"]?.list.first.flatMap { $0.string ?? $0.first("id") ?? $0.first("@id") }
        let seeAlso = (json["seeAlso"]?.list ?? []).compactMap { $0.string ?? $0.first("id") ?? $0.first("@id") }
        return .manifest(IIIFManifest(id: id, version: version, label: label, summary: LanguageMap(json["summary"] ?? json["description"]).text(),
                                      metadata: metadata, rights: json.first("rights") ?? json.first("license"), requiredStatement: required,
                                      thumbnail: thumbnail, seeAlso: seeAlso, canvases: canvases))
    }

    /// Images in a resource / body: an `Image` (or `dctypes:Image`), each item of a
    /// `Choice` / `oa:Choice` (`default` + `item` in v2, `items` in v3), the `source` (`full`
    /// in v2) of a `SpecificResource`. Other types are skipped.
    static func resources(_ json: JSONValue?) -> [IIIFImageResource] {
        guard let json else { return [] }
        let type = json.first("type") ?? json.first("@type") ?? ""
        if type == "Choice" || type == "oa:Choice" {
            return ((json["default"]?.list ?? []) + (json["item"]?.list ?? []) + (json["items"]?.list ?? [])).flatMap { resources($0) }
        }
        if type == "SpecificResource" || type == "oa:SpecificResource" { return resources(json["source"] ?? json["full"]) }
        guard type.isEmpty || type == "Image" || type == "dctypes:Image", let url = json.first("id") ?? json.first("@id") else { return [] }
        return [IIIFImageResource(url: url, format: json.first("format"), width: json["width"]?.int, height: json["height"]?.int,
                                  service: IIIFServiceRef.find(json["service"]))]
    }

    static func collection(_ json: JSONValue, id: String, version: Int) -> IIIFCollection {
        var members: [IIIFMember] = []
        func add(_ list: [JSONValue], defaultType: String) {
            for m in list {
                guard let mid = m.string ?? m.first("id") ?? m.first("@id") else { continue }
                let t = (m.first("type") ?? m.first("@type") ?? defaultType).replacingOccurrences(of: "sc:", with: "")
                guard t == "Manifest" || t == "Collection" else { continue }
                members.append(IIIFMember(id: mid, type: t, label: LanguageMap(m["label"]).text()))
            }
        }
        add(json["collections"]?.list ?? [], defaultType: "Collection")
        add(json["manifests"]?.list ?? [], defaultType: "Manifest")
        add(json["members"]?.list ?? [], defaultType: "Manifest")
        add(json["items"]?.list ?? [], defaultType: "Manifest")
        let next = json.first("next") ?? (members.isEmpty ? (json["first"]?.string ?? json["first"]?.first("@id") ?? json["first"]?.first("id")) : nil)
        return IIIFCollection(id: id, version: version, label: LanguageMap(json["label"]).text(), members: members, nextPage: next)
    }
}
