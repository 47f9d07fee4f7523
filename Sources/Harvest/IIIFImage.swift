import Foundation

/// An IIIF Image API `info.json` (versions 1.0/1.1, 2.x and 3.0), reduced to what a harvester
/// needs to ask the server only for what it can give.
///
/// Spec: https://iiif.io/api/image/3.0/#5-image-information (and 2.1, 1.1). Keys of every
/// version are read: v1 `scale_factors` / `tile_width` / `tile_height` / `identifier`, v2
/// `@id` and `profile` as `[uri, {formats, qualities, supports, maxWidth…}]`, v3 `id`,
/// `type`, `extraFormats`, `extraFeatures`, `preferredFormats`. `tiles` and `sizes` are
/// optional (CASES.md C05).
public struct IIIFImageInfo: Sendable, Equatable {
    public struct Size: Sendable, Equatable, Codable {
        public var width: Int
        public var height: Int
        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }
    }

    public struct Tile: Sendable, Equatable, Codable {
        public var width: Int
        public var height: Int
        public var scaleFactors: [Int]
        public init(width: Int, height: Int, scaleFactors: [Int]) {
            self.width = width
            self.height = height
            self.scaleFactors = scaleFactors
        }
    }

    /// Major API version: 1, 2 or 3.
    public var version: Int
    /// The service base URI (`id`, `@id`, v1 `identifier`); no trailing slash.
    public var id: String
    /// Full-size pixels.
    public var width: Int
    public var height: Int
    /// Compliance level 0, 1 or 2 (from `profile`); 0 when unstated.
    public var level: Int
    public var sizes: [Size]
    public var tiles: [Tile]
    public var maxWidth: Int?
    public var maxHeight: Int?
    public var maxArea: Int?
    public var formats: [String]
    public var preferredFormats: [String]
    /// v3 `extraFeatures` / v2 `supports`.
    public var features: [String]

    /// True when the server allows sizes above the full size (v3 `^`, feature `sizeUpscaling`).
    public var allowsUpscaling: Bool { version >= 3 && features.contains("sizeUpscaling") }

    /// Parses an info.json document.
    /// - Throws: `HarvestError(.invalidJSON)` or `.invalidIIIF` naming `source` and the problem
    ///   (no `width`/`height`, no service id).
    public static func parse(_ data: Data, source: String) throws -> IIIFImageInfo {
        try parse(JSONValue.parse(data, source: source), source: source)
    }

    public static func parse(_ json: JSONValue, source: String) throws -> IIIFImageInfo {
        guard json.object != nil else { throw HarvestError(.invalidIIIF, url: source, "info.json is not a JSON object") }
        let context = (json["@context"]?.strings ?? []).joined(separator: " ")
        let profiles = json["profile"]?.list ?? []
        let profileText = profiles.compactMap(\.string).joined(separator: " ")
        let version: Int
        if context.contains("image/3") || json.first("type") == "ImageService3" { version = 3 }
        else if context.contains("image/2") || profileText.contains("image/2") { version = 2 }
        else if context.contains("image-api/1") || context.contains("image/1") || profileText.contains("image-api") || json["scale_factors"] != nil { version = 1 }
        else { version = json["id"] != nil ? 3 : 2 }
        guard let rawID = json.first("id") ?? json.first("@id") ?? json.first("identifier"), !rawID.isEmpty else {
            throw HarvestError(.invalidIIIF, url: source, "info.json has no service id (`id`, `@id` or `identifier`)")
        }
        guard let width = json["width"]?.int, let height = json["height"]?.int, width > 0, height > 0 else {
            throw HarvestError(.invalidIIIF, url: source, "info.json has no positive `width` and `height`")
        }
        var level = 0
        for text in profiles.compactMap(\.string) {
            if let range = text.range(of: "level", options: .backwards), let digit = text[range.upperBound...].first?.wholeNumberValue {
                level = digit
            }
        }
        let extra = profiles.compactMap(\.object).first ?? [:]
        func int(_ key: String) -> Int? { json[key]?.int ?? extra[key]?.int }
        let sizes = (json["sizes"]?.list ?? []).compactMap { s -> Size? in
            guard let w = s["width"]?.int, let h = s["height"]?.int, w > 0, h > 0 else { return nil }
            return Size(width: w, height: h)
        }.sorted { $0.width < $1.width }
        var tiles = (json["tiles"]?.list ?? []).compactMap { t -> Tile? in
            guard let w = t["width"]?.int, w > 0 else { return nil }
            return Tile(width: w, height: t["height"]?.int ?? w, scaleFactors: (t["scaleFactors"]?.list ?? []).compactMap(\.int))
        }
        if tiles.isEmpty, let w = json["tile_width"]?.int, w > 0 {
            tiles = [Tile(width: w, height: json["tile_height"]?.int ?? w, scaleFactors: (json["scale_factors"]?.list ?? []).compactMap(\.int))]
        }
        var formats = (json["formats"]?.strings ?? []) + (extra["formats"]?.strings ?? []) + (json["extraFormats"]?.strings ?? [])
        if formats.isEmpty { formats = ["jpg"] }
        let features = (json["extraFeatures"]?.strings ?? []) + (extra["supports"]?.strings ?? [])
        var id = rawID
        while id.hasSuffix("/") { id.removeLast() }
        return IIIFImageInfo(version: version, id: id, width: width, height: height, level: level, sizes: sizes, tiles: tiles,
                             maxWidth: int("maxWidth"), maxHeight: int("maxHeight"), maxArea: int("maxArea"),
                             formats: formats, preferredFormats: json["preferredFormats"]?.strings ?? [], features: features)
    }

    /// The request for an image whose longer side is about `target` pixels, as this server
    /// allows it:
    /// - level 0 (or a v1/v2 server that lists `sizes` and nothing else): only a listed size,
    ///   the smallest whose longer side is ≥ `target`, else the largest (CASES.md C06);
    ///   `w,` in v2, `w,h` in v3; with no list, the full image;
    /// - otherwise `!t,t` (best fit), clamped to `maxWidth` / `maxHeight` / `maxArea`, and never
    ///   above the full size unless upscaling is allowed (then `^!t,t`); `full`/`max` when
    ///   the target is at or above the full size.
    public func request(longerSide target: Int, format: String = "jpg") -> IIIFImageRequest {
        let format = formats.contains(format) ? format : (formats.first ?? "jpg")
        var request = IIIFImageRequest(base: id, version: version, region: .full, size: .max, rotation: .init(), quality: version == 1 ? "native" : "default", format: format)
        if level == 0 {
            guard !sizes.isEmpty else { return fullRequest(format: format) }
            let pick = sizes.first { max($0.width, $0.height) >= target } ?? sizes.max { $0.width < $1.width } ?? sizes[0]
            if pick.width == width && pick.height == height { return fullRequest(format: format) }
            request.size = version >= 3 ? .exact(pick.width, pick.height) : .width(pick.width)
            return request
        }
        var scale = Double(target) / Double(max(width, height))
        var upscale = false
        if scale >= 1 {
            if allowsUpscaling && scale > 1 { upscale = true } else { scale = 1 }
        }
        if let m = maxWidth { scale = min(scale, Double(m) / Double(width)) }
        if let m = maxHeight ?? maxWidth { scale = min(scale, Double(m) / Double(height)) }
        if let a = maxArea { scale = min(scale, (Double(a) / Double(width * height)).squareRoot()) }
        if scale == 1 { return fullRequest(format: format) }
        let w = max(1, Int((Double(width) * scale).rounded(.down))), h = max(1, Int((Double(height) * scale).rounded(.down)))
        let clamped = scale < Double(target) / Double(max(width, height))
        request.size = clamped ? .bestFit(w, h) : .bestFit(target, target)
        request.upscale = upscale
        return request
    }

    /// The whole image at full size (`full/full` in v1/v2, `full/max` in v3): the fallback
    /// after a 4xx on a sized request.
    public func fullRequest(format: String = "jpg") -> IIIFImageRequest {
        IIIFImageRequest(base: id, version: version, region: .full, size: version >= 3 ? .max : .full, rotation: .init(),
                         quality: version == 1 ? "native" : "default", format: formats.contains(format) ? format : (formats.first ?? "jpg"))
    }
}

/// One IIIF Image API request: `{base}/{region}/{size}/{rotation}/{quality}.{format}`, in the
/// 2.x grammar (https://iiif.io/api/image/2.1/#image-request-parameters) or the 3.0 one
/// (https://iiif.io/api/image/3.0/#4-image-requests). `build()` and `parse(_:)` check every
/// parameter against the grammar of `version` and throw `HarvestError(.invalidIIIF)`.
public struct IIIFImageRequest: Sendable, Equatable {
    public enum Region: Sendable, Equatable {
        case full, square
        case pixels(x: Int, y: Int, width: Int, height: Int)
        case percent(x: Double, y: Double, width: Double, height: Double)
    }

    public enum Size: Sendable, Equatable {
        /// v2 only (deprecated in 2.1, removed in 3.0).
        case full
        case max
        case width(Int)
        case height(Int)
        case percent(Double)
        /// `w,h`: exactly these pixels (may distort).
        case exact(Int, Int)
        /// `!w,h`: the largest size that fits, aspect ratio kept.
        case bestFit(Int, Int)
    }

    public struct Rotation: Sendable, Equatable {
        /// Degrees clockwise, 0 ≤ d ≤ 360.
        public var degrees: Double = 0
        /// `!`: mirrored before rotation.
        public var mirror = false
        public init(degrees: Double = 0, mirror: Bool = false) {
            self.degrees = degrees
            self.mirror = mirror
        }
    }

    public var base: String
    /// 1, 2 or 3 (1 uses the 2.x grammar with v1 qualities).
    public var version: Int
    public var region: Region
    public var size: Size
    /// v3 `^`: the size may be larger than the region.
    public var upscale = false
    public var rotation: Rotation
    public var quality: String
    public var format: String

    public init(base: String, version: Int, region: Region, size: Size, upscale: Bool = false, rotation: Rotation,
                quality: String, format: String) {
        self.base = base
        self.version = version
        self.region = region
        self.size = size
        self.upscale = upscale
        self.rotation = rotation
        self.quality = quality
        self.format = format
    }

    static let formats: Set<String> = ["jpg", "tif", "png", "gif", "jp2", "pdf", "webp"]

    static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(v)
    }

    /// The request URL. - Throws: `HarvestError(.invalidIIIF)` for a parameter the version's
    /// grammar does not allow (e.g. `full` size or `square` region in v1, `^` before v3).
    public func build() throws -> String {
        try validate()
        let r: String
        switch region {
        case .full: r = "full"
        case .square: r = "square"
        case let .pixels(x, y, w, h): r = "\(x),\(y),\(w),\(h)"
        case let .percent(x, y, w, h): r = "pct:" + [x, y, w, h].map(Self.number).joined(separator: ",")
        }
        var s: String
        switch size {
        case .full: s = "full"
        case .max: s = "max"
        case .width(let w): s = "\(w),"
        case .height(let h): s = ",\(h)"
        case .percent(let p): s = "pct:" + Self.number(p)
        case let .exact(w, h): s = "\(w),\(h)"
        case let .bestFit(w, h): s = "!\(w),\(h)"
        }
        if upscale { s = "^" + s }
        let rot = (rotation.mirror ? "!" : "") + Self.number(rotation.degrees)
        return "\(base)/\(r)/\(s)/\(rot)/\(quality).\(format)"
    }

    func validate() throws {
        func fail(_ message: String) -> HarvestError { HarvestError(.invalidIIIF, url: base, message) }
        switch region {
        case let .pixels(_, _, w, h) where w <= 0 || h <= 0: throw fail("region width and height must be positive")
        case let .pixels(x, y, _, _) where x < 0 || y < 0: throw fail("region x and y must not be negative")
        case let .percent(x, y, w, h) where w <= 0 || h <= 0 || x < 0 || y < 0 || x > 100 || y > 100:
            throw fail("percent region out of range")
        case .square where version < 2: throw fail("the `square` region needs Image API 2.1 or later")
        default: break
        }
        switch size {
        case .full where version >= 3: throw fail("the `full` size is not in Image API 3.0 (use `max`)")
        case .max where version < 2: throw fail("the `max` size needs Image API 2.0 or later")
        case .width(let w) where w <= 0, .height(let w) where w <= 0: throw fail("size must be positive")
        case let .exact(w, h) where w <= 0 || h <= 0, let .bestFit(w, h) where w <= 0 || h <= 0: throw fail("size must be positive")
        case .percent(let p) where p <= 0 || (p > 100 && !upscale): throw fail("percent size must be in (0, 100] without `^`")
        default: break
        }
        if upscale && version < 3 { throw fail("`^` upscaling needs Image API 3.0") }
        if !(0...360).contains(rotation.degrees) { throw fail("rotation must be in [0, 360]") }
        if rotation.mirror && version < 2 { throw fail("mirroring needs Image API 2.0 or later") }
        let qualities: Set<String> = version == 1 ? ["native", "color", "grey", "bitonal"] : version == 2 ? ["default", "color", "gray", "bitonal"] : ["default", "color", "gray", "bitonal"]
        if !qualities.contains(quality) { throw fail("quality `\(quality)` is not one of \(qualities.sorted().joined(separator: ", ")) in Image API \(version)") }
        if !Self.formats.contains(format) { throw fail("format `\(format)` is not one of \(Self.formats.sorted().joined(separator: ", "))") }
    }

    /// Parses a request URL in the grammar of `version` (2 or 3; 1 for 1.x qualities).
    /// - Throws: `HarvestError(.invalidIIIF)` naming the URL and the parameter.
    public static func parse(_ url: String, version: Int) throws -> IIIFImageRequest {
        func fail(_ message: String) -> HarvestError { HarvestError(.invalidIIIF, url: url, message) }
        var parts = url.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 5 else { throw fail("not {base}/{region}/{size}/{rotation}/{quality}.{format}") }
        let last = parts.removeLast(), rotationText = parts.removeLast(), sizeText = parts.removeLast(), regionText = parts.removeLast()
        let base = parts.joined(separator: "/")
        guard let dot = last.lastIndex(of: ".") else { throw fail("`\(last)` is not {quality}.{format}") }
        let quality = String(last[..<dot]), format = String(last[last.index(after: dot)...])
        func numbers(_ text: Substring, _ n: Int) throws -> [Double] {
            let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
            guard values.count == n, values.allSatisfy({ $0 != nil }) else { throw fail("`\(text)` is not \(n) numbers") }
            return values.compactMap { $0 }
        }
        func integer(_ text: Substring) throws -> Int {
            guard let v = Int(text) else { throw fail("`\(text)` is not a whole number of pixels") }
            return v
        }
        let region: Region
        switch regionText {
        case "full": region = .full
        case "square": region = .square
        case let t where t.hasPrefix("pct:"):
            let v = try numbers(t.dropFirst(4), 4)
            region = .percent(x: v[0], y: v[1], width: v[2], height: v[3])
        default:
            let p = regionText.split(separator: ",", omittingEmptySubsequences: false)
            guard p.count == 4 else { throw fail("region `\(regionText)` is not full, square, x,y,w,h or pct:x,y,w,h") }
            region = .pixels(x: try integer(p[0]), y: try integer(p[1]), width: try integer(p[2]), height: try integer(p[3]))
        }
        var s = Substring(sizeText)
        var upscale = false
        if s.hasPrefix("^") { upscale = true; s = s.dropFirst() }
        let size: Size
        switch s {
        case "full": size = .full
        case "max": size = .max
        case let t where t.hasPrefix("pct:"):
            guard let p = Double(t.dropFirst(4)) else { throw fail("size `\(sizeText)` has no percentage") }
            size = .percent(p)
        case let t where t.hasPrefix("!"):
            let p = t.dropFirst().split(separator: ",", omittingEmptySubsequences: false)
            guard p.count == 2 else { throw fail("size `\(sizeText)` is not !w,h") }
            size = .bestFit(try integer(p[0]), try integer(p[1]))
        default:
            let p = s.split(separator: ",", omittingEmptySubsequences: false)
            guard p.count == 2 else { throw fail("size `\(sizeText)` is not max, w,, ,h, pct:n, w,h or !w,h") }
            if p[1].isEmpty { size = .width(try integer(p[0])) }
            else if p[0].isEmpty { size = .height(try integer(p[1])) }
            else { size = .exact(try integer(p[0]), try integer(p[1])) }
        }
        var r = Substring(rotationText)
        var mirror = false
        if r.hasPrefix("!") { mirror = true; r = r.dropFirst() }
        guard let degrees = Double(r) else { throw fail("rotation `\(rotationText)` is not a number") }
        let request = IIIFImageRequest(base: base, version: version, region: region, size: size, upscale: upscale,
                                       rotation: Rotation(degrees: degrees, mirror: mirror), quality: quality, format: format)
        do { try request.validate() } catch let error as HarvestError { throw fail(error.message) }
        return request
    }
}
