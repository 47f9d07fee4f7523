import Foundation
/// A table read from CSV or TSV text (RFC 4180: quoted fields, doubled quotes, CR LF or LF
/// line ends, a header row). TSV uses tabs and no quoting.
public struct CSVTable: Sendable, Equatable {
    /// Column names from the header row, trimmed; a UTF-8 byte order mark is dropped.
    public let header: [String]
    /// Data rows; short rows are padded with empty strings.
    public let rows: [[String]]

    /// Parses text. - Parameter separator: `,` for CSV, `\t` for TSV.
    /// - Throws: `CoreError.invalidInput` for an unterminated quoted field (with its line number).
    public init(text: String, separator: Character = ",") throws {
        var records: [[String]] = []
        var field = "", record: [String] = []
        var inQuotes = false, line = 1, quoteLine = 0
        var iterator = text.makeIterator()
        var pending: Character? = nil
        func nextCharacter() -> Character? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = nextCharacter() {
            if inQuotes {
                if c == "\"" {
                    if let n = nextCharacter() {
                        if n == "\"" { field.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty && separator != "\t" {
                inQuotes = true
                quoteLine = line
            } else if c == separator {
                record.append(field)
                field = ""
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                record.append(field)
                records.append(record)
                field = ""
                record = []
                line += 1
            } else {
                field.append(c)
            }
        }
        if inQuotes { throw CoreError(.invalidInput, "unterminated quoted field starting on line \(quoteLine)") }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        records.removeAll { $0.count == 1 && $0[0].trimmingCharacters(in: .whitespaces).isEmpty }
        guard var head = records.first else {
            header = []
            rows = []
            return
        }
        if let first = head.first, first.hasPrefix("\u{FEFF}") { head[0] = String(first.dropFirst()) }
        header = head.map { $0.trimmingCharacters(in: .whitespaces) }
        rows = records.dropFirst().map { row in row.count >= head.count ? row : row + Array(repeating: "", count: head.count - row.count) }
    }

    /// Index of the first column whose name matches one of `names` (case-insensitive).
    public func column(_ names: String...) -> Int? {
        for name in names {
            if let i = header.firstIndex(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) { return i }
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: CharacterSetLite) -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }

    fileprivate func caseInsensitiveCompare(_ other: String) -> ComparisonResultLite {
        lowercased() == other.lowercased() ? .orderedSame : .orderedDifferent
    }
}

fileprivate enum CharacterSetLite { case whitespaces }
fileprivate enum ComparisonResultLite { case orderedSame, orderedDifferent }

/// Writing CSV fields (RFC 4180): a field holding a comma, a double quote or a line break is
/// quoted, with its quotes doubled.
public enum CSVField {
    public static func quote(_ field: String) -> String {
        field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}
