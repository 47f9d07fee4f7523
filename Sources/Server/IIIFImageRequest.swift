import Foundation
import Hummingbird

/// One parsed IIIF Image API 3.0 request, `{region}/{size}/{rotation}/{quality}.{format}`
/// (https://iiif.io/api/image/3.0/#4-image-requests), resolved against an image's width and height.
/// Parsing is pure: no file is touched, so any string is safe to give it.
public struct IIIFImageRequest: Sendable, Equatable {
    /// Region in pixels of the full (oriented) image: inside it, never empty.
    public var x: Int, y: Int, width: Int, height: Int
    /// Output size in pixels before rotation.
    public var outputWidth: Int, outputHeight: Int
    public var mirror: Bool
    /// 0, 90, 180 or 270 (clockwise).
    public var rotation: Int
    /// `default`, `color`, `gray` or `bitonal`.
    public var quality: String
    /// `jpg`, `png` or `webp`.
    public var format: String

    /// Formats this server writes; others named by the spec answer 501.
    public static let formats = ["jpg", "png", "webp"]
    static let knownFormats = ["jpg", "tif", "png", "gif", "jp2", "pdf", "webp"]
    public static let qualities = ["default", "color", "gray", "bitonal"]

    /// Parses the four path segments against an image of `imageWidth × imageHeight` pixels.
    /// - Parameters:
    ///   - maxWidth, maxHeight, maxArea: the limits `info.json` announces (`max` resolves to them).
    /// - Throws: `Problem` 400 for a malformed or out-of-range parameter, 501 for a valid but
    ///   unsupported feature (arbitrary rotation angles, formats other than jpg/png/webp).
    public static func parse(
        region: String, size: String, rotation: String, qualityAndFormat: String,
        imageWidth: Int, imageHeight: Int, maxWidth: Int, maxHeight: Int, maxArea: Int
    ) throws -> IIIFImageRequest {
        let r = try parseRegion(region, imageWidth, imageHeight)
        let s = try parseSize(size, regionWidth: r.2, regionHeight: r.3, maxWidth: maxWidth, maxHeight: maxHeight, maxArea: maxArea)
        let (mirror, degrees) = try parseRotation(rotation)
        guard let dot = qualityAndFormat.lastIndex(of: ".") else {
            throw bad("quality and format '\(qualityAndFormat)' must be QUALITY.FORMAT, e.g. default.jpg")
        }
        let quality = String(qualityAndFormat[..<dot]), format = String(qualityAndFormat[qualityAndFormat.index(after: dot)...])
        guard qualities.contains(quality) else { throw bad("quality '\(quality)' is not one of \(qualities.joined(separator: ", "))") }
        guard formats.contains(format) else {
            if knownFormats.contains(format) {
                throw Problem(.notImplemented, title: "Unsupported format", detail: "format '\(format)' is not served; use jpg, png or webp")
            }
            throw bad("format '\(format)' is not an IIIF format")
        }
        return IIIFImageRequest(x: r.0, y: r.1, width: r.2, height: r.3, outputWidth: s.0, outputHeight: s.1,
                                mirror: mirror, rotation: degrees, quality: quality, format: format)
    }

    static func bad(_ detail: String) -> Problem { Problem(.badRequest, title: "Invalid IIIF parameter", detail: detail) }

    /// A non-negative decimal number as the spec writes them (no sign, no exponent).
    static func number(_ text: Substring) -> Double? {
        guard !text.isEmpty, text.count <= 32, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              text.filter({ $0 == "." }).count <= 1, text.first != ".", text.last != "." else { return nil }
        return Double(text)
    }

    static func integer(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    static func parseRegion(_ text: String, _ w: Int, _ h: Int) throws -> (Int, Int, Int, Int) {
        switch text {
        case "full": return (0, 0, w, h)
        case "square":
            let side = min(w, h)
            return ((w - side) / 2, (h - side) / 2, side, side)
        default: break
        }
        var x: Double, y: Double, rw: Double, rh: Double
        if text.hasPrefix("pct:") {
            let parts = text.dropFirst(4).split(separator: ",", omittingEmptySubsequences: false).map(number)
            guard parts.count == 4, let px = parts[0], let py = parts[1], let pw = parts[2], let ph = parts[3] else {
                throw bad("region '\(text)' must be pct:x,y,w,h with non-negative numbers")
            }
            x = px * Double(w) / 100; y = py * Double(h) / 100; rw = pw * Double(w) / 100; rh = ph * Double(h) / 100
        } else {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(integer)
            guard parts.count == 4, let px = parts[0], let py = parts[1], let pw = parts[2], let ph = parts[3] else {
                throw bad("region '\(text)' must be full, square, x,y,w,h or pct:x,y,w,h")
            }
            x = Double(px); y = Double(py); rw = Double(pw); rh = Double(ph)
        }
        guard rw > 0, rh > 0 else { throw bad("region '\(text)' has zero width or height") }
        guard x < Double(w), y < Double(h) else { throw bad("region '\(text)' lies outside the \(w)×\(h) image") }
        // The spec crops a region that extends past the image to the image.
        let left = Int(x.rounded(.down)), top = Int(y.rounded(.down))
        let right = min(w, Int((x + rw).rounded())), bottom = min(h, Int((y + rh).rounded()))
        guard right > left, bottom > top else { throw bad("region '\(text)' is empty once cropped to the image") }
        return (left, top, right - left, bottom - top)
    }

    static func parseSize(_ text: String, regionWidth w: Int, regionHeight h: Int, maxWidth: Int, maxHeight: Int, maxArea: Int) throws -> (Int, Int) {
        let upscale = text.hasPrefix("^")
        let body = upscale ? String(text.dropFirst()) : text
        // The largest size the limits allow for the region's aspect ratio (spec 4.2, "max").
        func maxSize(allowUpscale: Bool) -> (Int, Int) {
            var scale = min(Double(maxWidth) / Double(w), Double(maxHeight) / Double(h), (Double(maxArea) / Double(w * h)).squareRoot())
            if !allowUpscale { scale = min(scale, 1) }
            return (max(1, Int((Double(w) * scale).rounded(.down))), max(1, Int((Double(h) * scale).rounded(.down))))
        }
        var out: (Int, Int)
        if body == "max" {
            out = maxSize(allowUpscale: upscale)
            return out
        } else if body.hasPrefix("pct:") {
            guard let n = number(body.dropFirst(4)), n > 0 else { throw bad("size '\(text)' must be pct:n with n > 0") }
            guard upscale || n <= 100 else { throw bad("size '\(text)' above 100 % needs the ^ prefix") }
            out = (max(1, Int((Double(w) * n / 100).rounded())), max(1, Int((Double(h) * n / 100).rounded())))
        } else {
            let confined = body.hasPrefix("!")
            let parts = (confined ? String(body.dropFirst()) : body).split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw bad("size '\(text)' must be max, w,, ,h, w,h, !w,h or pct:n (optionally with ^)") }
            let sw = parts[0].isEmpty ? nil : integer(parts[0]), sh = parts[1].isEmpty ? nil : integer(parts[1])
            if (!parts[0].isEmpty && sw == nil) || (!parts[1].isEmpty && sh == nil) { throw bad("size '\(text)' has a width or height that is not a whole number") }
            switch (sw, sh, confined) {
            case let (.some(a), .some(b), true):
                guard a > 0, b > 0 else { throw bad("size '\(text)' must be positive") }
                // §4.2: the best fit inside w×h. Without ^ a box that would scale the region up is a 400
                // (below), as §4.2 "requests … larger than the region without ^ must return 400" reads
                // and the IIIF validator's size_noup test checks with !2000,3000 on a 1000×1000 image;
                // links the server builds use `max` for images smaller than their box (Queries.fittedSize).
                var scale = min(Double(a) / Double(w), Double(b) / Double(h))
                scale = min(scale, Double(maxWidth) / Double(w), Double(maxHeight) / Double(h), (Double(maxArea) / Double(w * h)).squareRoot())
                out = (max(1, min(a, Int((Double(w) * scale).rounded()))), max(1, min(b, Int((Double(h) * scale).rounded()))))
            case let (.some(a), .some(b), false): out = (a, b)
            case let (.some(a), nil, false): out = (a, max(1, Int((Double(h) * Double(a) / Double(w)).rounded())))
            case let (nil, .some(b), false): out = (max(1, Int((Double(w) * Double(b) / Double(h)).rounded())), b)
            default: throw bad("size '\(text)' must be max, w,, ,h, w,h, !w,h or pct:n (optionally with ^)")
            }
            guard out.0 > 0, out.1 > 0 else { throw bad("size '\(text)' must be positive") }
        }
        if !upscale && (out.0 > w || out.1 > h) {
            throw bad("size '\(text)' is larger than the \(w)×\(h) region; prefix it with ^ to upscale")
        }
        if out.0 > maxWidth || out.1 > maxHeight || out.0 * out.1 > maxArea {
            throw bad("size '\(text)' gives \(out.0)×\(out.1), above the limits maxWidth \(maxWidth), maxHeight \(maxHeight), maxArea \(maxArea)")
        }
        return out
    }

    static func parseRotation(_ text: String) throws -> (Bool, Int) {
        let mirror = text.hasPrefix("!")
        guard let degrees = number(mirror ? text.dropFirst() : Substring(text)), degrees <= 360 else {
            throw bad("rotation '\(text)' must be a number of degrees 0–360, optionally prefixed by !")
        }
        let whole = degrees.truncatingRemainder(dividingBy: 360)
        guard whole.truncatingRemainder(dividingBy: 90) == 0 else {
            throw Problem(.notImplemented, title: "Unsupported rotation", detail: "rotation '\(text)': only multiples of 90 degrees are served")
        }
        return (mirror, Int(whole))
    }
}
