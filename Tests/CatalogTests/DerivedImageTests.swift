import Catalog
import Foundation
import GRDB
import Testing

@Suite("Derived images and no-reference quality")
struct DerivedImageTests {
    @Test(arguments: CatalogBackend.allCases)
    func derivedImagesAreLinkedToTheirItemAndAReRunReplacesThem(_ backend: CatalogBackend) throws {
        guard let (catalog, done) = try backend.open() else { return }
        defer { done() }
        let ids = try catalog.save([Catalog.IngestedItem(item: ItemRecord(sourceKind: "file", sourcePath: "/x/t.jpg", status: "ok"), hashes: nil, quality: nil)])
        let run = try catalog.startRun(kind: "upscale", toolVersion: "test", config: ["model": "espcn-x2"])
        let record = DerivedImageRecord(itemID: ids[0], kind: "upscale", method: "espcn", model: "espcn-x2", modelSHA256: "59f7",
                                        scale: 2, path: "derived/upscale/1-espcn-x2.png", width: 200, height: 100, runID: run)
        _ = try catalog.saveDerivedImage(record)
        _ = try catalog.saveDerivedImage(record)
        var other = record
        other.scale = 4
        other.path = "derived/upscale/1-espcn-x4.png"
        _ = try catalog.saveDerivedImage(other)
        let derived = try catalog.derivedImages(kind: "upscale")
        #expect(derived.count == 2)
        #expect(Set(derived.map(\.scale)) == [2, 4] && derived.allSatisfy { $0.itemID == ids[0] && $0.runID == run })
        // The original item is untouched.
        #expect(try catalog.items().first?.sourcePath == "/x/t.jpg")
    }

    @Test(arguments: CatalogBackend.allCases)
    func noReferenceFlagsReplaceOnlyTheirOwnFlags(_ backend: CatalogBackend) throws {
        guard let (catalog, done) = try backend.open() else { return }
        defer { done() }
        let quality = QualityRecord(itemID: 0, meanLuminance: 1, luminanceDeviation: 2, entropy: 3, chroma: 4, meanColour: [1, 2, 3],
                                    flags: ["too_small", "blurry"], runID: nil)
        let ids = try catalog.save([Catalog.IngestedItem(item: ItemRecord(sourceKind: "file", sourcePath: "/x/q.jpg", status: "ok"), hashes: nil, quality: quality)])
        try catalog.saveNoReferenceQuality(NoReferenceQualityRecord(itemID: ids[0], brisque: 61, laplacianVariance: 400, runID: nil),
                                           flags: ["low_quality"], replacing: ["low_quality", "blurry"])
        #expect(try catalog.quality().first?.flagList == ["too_small", "low_quality"])
        #expect(try catalog.noReferenceQuality().first?.brisque == 61)
    }
}
