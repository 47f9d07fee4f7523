import Testing
import VitrineCore

@Suite("Domain types")
struct CoreTests {
    @Test func formatsAreRecognisedByTheirBytes() {
        #expect(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0, 0, 0]) == .jpeg)
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == .png)
        #expect(ImageFormat.sniff(Array("II*\0".utf8) + [8, 0, 0, 0]) == .tiff)
        #expect(ImageFormat.sniff(Array("MM\0*".utf8) + [0, 0, 0, 8]) == .tiff)
        #expect(ImageFormat.sniff([0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A]) == .jp2)
        #expect(ImageFormat.sniff(Array("RIFF".utf8) + [1, 2, 3, 4] + Array("WEBPVP8 ".utf8)) == .webp)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == .gif)
        #expect(ImageFormat.sniff(Array("BM".utf8) + Array(repeating: 0, count: 20)) == .bmp)
        #expect(ImageFormat.sniff(Array("<!DOCTYPE html><html>".utf8)) == .unknown)
        #expect(ImageFormat.sniff([]) == .unknown)
        #expect(ImageFormat.jpeg.matches(fileExtension: ".JPG"))
        #expect(!ImageFormat.png.matches(fileExtension: "jpg"))
    }

    @Test func csvHandlesQuotesDoubledQuotesCRLFAndByteOrderMark() throws {
        let text = "\u{FEFF}path,title\r\n\"a, b.jpg\",\"He said \"\"hi\"\"\"\r\nc.png,\r\n\r\n"
        let table = try CSVTable(text: text)
        #expect(table.header == ["path", "title"])
        #expect(table.rows == [["a, b.jpg", "He said \"hi\""], ["c.png", ""]])
        #expect(table.column("TITLE") == 1)
        #expect(throws: CoreError.self) { try CSVTable(text: "a,b\n\"open,x\n") }
        let tsv = try CSVTable(text: "path\ttitle\nx.jpg\tA \"quoted\" title\n", separator: "\t")
        #expect(tsv.rows == [["x.jpg", "A \"quoted\" title"]])
    }

    @Test func disjointSetsGiveConnectedComponents() {
        var sets = DisjointSets(count: 7)
        sets.union(0, 1)
        sets.union(1, 2)
        sets.union(4, 5)
        #expect(sets.union(2, 0) == false)
        #expect(sets.components() == [[0, 1, 2], [4, 5]])
        #expect(sets.components(minimumSize: 1).count == 4)
    }

    @Test func qualityFlagsFollowTheirThresholds() {
        let flat = ImageStatistics(meanLuminance: 250, luminanceDeviation: 0.5, entropy: 0.1, chroma: 0, meanColour: [250, 250, 250])
        let flags = QualityCheck.flags(width: 200, height: 1000, storedColourBands: 3, statistics: flat, format: .png, fileExtension: "jpg")
        #expect(flags == [.tooSmall, .blank, .veryLight, .oddAspectRatio, .greyAsRGB, .extensionMismatch])
        let normal = ImageStatistics(meanLuminance: 120, luminanceDeviation: 50, entropy: 7.2, chroma: 20, meanColour: [130, 120, 100])
        #expect(QualityCheck.flags(width: 800, height: 600, storedColourBands: 3, statistics: normal, format: .jpeg, fileExtension: "jpeg").isEmpty)
        let dark = ImageStatistics(meanLuminance: 10, luminanceDeviation: 8, entropy: 1.5, chroma: 0, meanColour: [10, 10, 10])
        #expect(QualityCheck.flags(width: 800, height: 600, storedColourBands: 1, statistics: dark, format: .tiff, fileExtension: "tif") == [.veryDark, .lowInformation])
    }
}
