import Foundation

/// Locale-independent text helpers shared by the page and the charts.
///
/// Everything here is deterministic (no locale, no clock), so the same report input always gives
/// byte-identical files.
enum Text {
    /// Escapes text for HTML or SVG element content and double-quoted attribute values.
    ///
    /// Replaces `& < > " '` by entities and control characters that HTML forbids (C0 except tab,
    /// line feed and carriage return, and DEL) by U+FFFD.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\u{FFFD}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// An integer with comma thousands separators, e.g. `12,345`.
    static func grouped(_ value: Int) -> String { grouped(Int64(value)) }

    /// An integer with comma thousands separators, e.g. `-1,234,567`.
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(character)
        }
        return value < 0 ? "-" + result : result
    }

    /// A number with exactly `digits` decimals (half away from zero), e.g. `fixed(2.345, 1)` is
    /// `2.3`; non-finite values give `0`.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<max(digits, 0) { scale *= 10 }
        let scaled = (value.magnitude * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e15 else { return String(Int64(value.rounded())) }
        let units = Int64(scaled)
        let whole = units / Int64(scale)
        let fraction = units % Int64(scale)
        var text = String(whole)
        if digits > 0 {
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return (value < 0 && units != 0 ? "-" : "") + text
    }

    /// A coordinate for SVG: one decimal, trailing `.0` removed.
    static func coordinate(_ value: Double) -> String {
        let text = fixed(value, 1)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// A byte count in decimal units, e.g. `999 B`, `1.2 kB`, `34.5 MB`, `1.0 GB`.
    static func bytes(_ count: Int64) -> String {
        if count < 1000 { return "\(count) B" }
        let units = ["kB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(count) / 1000
        var unit = 0
        while value >= 999.95 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return "\(fixed(value, 1)) \(units[unit])"
    }

    /// A count in compact form for axis ticks: `950`, `9,500`, `95k`, `1.5M`, `2B`.
    static func compact(_ value: Double) -> String {
        let magnitude = value.magnitude
        let sign = value < 0 ? "-" : ""
        let steps: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]
        for (size, suffix) in steps where magnitude >= size && !(size == 1e3 && magnitude < 1e4) {
            let scaled = magnitude / size
            let text = scaled < 10 && scaled.rounded() != scaled ? fixed(scaled, 1) : fixed(scaled, 0)
            return sign + text + suffix
        }
        if magnitude.rounded() == magnitude { return sign + grouped(Int64(magnitude)) }
        return sign + fixed(magnitude, 2)
    }

    /// A fraction in [0, 1] as a percentage with no decimals, e.g. `87 %`; with one decimal when
    /// rounding would show 0 % or 100 % for a value that is not, e.g. `99.8 %`.
    static func percent(_ fraction: Double) -> String {
        let nearEdge = (fraction > 0 && fraction < 0.005) || (fraction > 0.995 && fraction < 1)
        return "\(fixed(fraction * 100, nearEdge ? 1 : 0)) %"
    }

    /// A date as ISO 8601 in UTC, e.g. `2025-01-31T12:00:00Z`.
    static func iso8601(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// A date for people, e.g. `2025-01-31 12:00 UTC`.
    static func humanDate(_ date: Date) -> String {
        let iso = iso8601(date)
        let minutes = iso.prefix(16).replacingOccurrences(of: "T", with: " ")
        return "\(minutes) UTC"
    }

    /// The last path component of a file path or URL, for display; the whole text if it has none.
    static func displayName(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if let slash = trimmed.lastIndex(of: "/") {
            let name = trimmed[trimmed.index(after: slash)...]
            if !name.isEmpty { return String(name) }
        }
        return String(trimmed)
    }

    /// The folder part of a file path or URL, with its trailing slash; empty if there is none.
    static func directoryPart(_ path: String) -> String {
        let name = displayName(path)
        guard name != path, let range = path.range(of: name, options: .backwards) else { return "" }
        return String(path[..<range.lowerBound])
    }

    /// A link target for an original: `http(s)` URLs as they are, absolute file paths as `file://`
    /// URLs (percent-encoded); `nil` for anything else (relative paths, other schemes such as
    /// `javascript:`), which the page shows without a link.
    static func linkTarget(forOriginal path: String) -> String? {
        let lowered = path.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            return path.contains(where: { $0.isWhitespace }) ? nil : path
        }
        if path.hasPrefix("/") {
            return URL(fileURLWithPath: path).absoluteString
        }
        return nil
    }

    /// A file name stem made from an id: lowercase ASCII letters, digits, `-`, `_` and `.`, at most
    /// 64 characters, never starting with a dot. When the id had to be changed, a 16-digit FNV-1a
    /// hash of the original id is appended, so different ids give different names, also on
    /// case-insensitive file systems.
    static func fileStem(_ id: String) -> String {
        var stem = ""
        var changed = false
        for scalar in id.unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9", "-", "_", ".": stem.unicodeScalars.append(scalar)
            default:
                changed = true
                stem += "_"
            }
        }
        if stem.hasPrefix(".") { changed = true; stem = "_" + stem.dropFirst() }
        if stem.count > 64 { changed = true; stem = String(stem.prefix(64)) }
        if stem.isEmpty { changed = true }
        guard changed else { return stem }
        return (stem.isEmpty ? "" : stem + "-") + fnv1a64Hex(id)
    }

    /// FNV-1a 64-bit hash of the UTF-8 bytes, as 16 lowercase hex digits.
    static func fnv1a64Hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// HTML escaping for pages written outside this module (the same rules as the report's).
public enum HTMLText {
    /// Escapes `& < > " '` and replaces control characters HTML forbids by U+FFFD.
    public static func escape(_ text: String) -> String { Text.escape(text) }
}
