import Catalog
import Foundation
import GRDB
import Testing

@Suite("Catalog (SQLite, and PostgreSQL where marked with the backend argument)")
struct CatalogTests {
    func temporaryStore() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-catalog-\(UUID().uuidString)")
    }

    @Test func storeUsesWALAnd16KiBPages() throws {
        let store = temporaryStore()
        defer { try? FileManager.default.removeItem(at: store) }
        let catalog = try Catalog(store: store)
        let (pageSize, journal) = try #require(catalog.pool).read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0, try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "")
        }
        #expect(pageSize == 16384)
        #expect(journal == "wal")
        for folder in ["images", "derived", "indexes", "reports"] {
            #expect(FileManager.default.fileExists(atPath: store.appendingPathComponent(folder).path))
        }
        // Opening again migrates nothing and keeps the data.
        _ = try Catalog(store: store)
    }

    @Test func twoOpenCatalogsOnOneStoreSeeEachOthersWrites() throws {
        let store = temporaryStore()
        defer { try? FileManager.default.removeItem(at: store) }
        let writer = try Catalog(store: store), reader = try Catalog(store: store)
        #expect(try reader.items().isEmpty)
        try writer.save([Catalog.IngestedItem(item: ItemRecord(sourceKind: "file", sourcePath: "/x/1.png", status: "ok"), hashes: nil, quality: nil)])
        #expect(try reader.items().count == 1)
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: store.path).contains { $0.hasSuffix(".new") }))
    }

    @Test(arguments: CatalogBackend.allCases)
    func savingTheSameSourceTwiceReplacesRatherThanDuplicates(_ backend: CatalogBackend) throws {
        guard let (catalog, done) = try backend.open() else { return }
        defer { done() }
        var item = ItemRecord(sourceKind: "file", sourcePath: "/x/a.jpg", status: "error")
        item.errorCode = "truncated"
        let first = try catalog.save([Catalog.IngestedItem(item: item, hashes: nil, quality: nil)])
        item.status = "ok"
        item.errorCode = nil
        item.sha256 = String(repeating: "a", count: 64)
        let hashes = ImageHashRecord(itemID: 0, ahash: 1, dhash: 2, phash: UInt64.max, whash: 4, variants: nil, runID: nil)
        let quality = QualityRecord(itemID: 0, meanLuminance: 1, luminanceDeviation: 2, entropy: 3, chroma: 4, meanColour: [1, 2, 3],
                                    flags: ["blank", "too_small"], runID: nil)
        let second = try catalog.save([Catalog.IngestedItem(item: item, hashes: hashes, quality: quality)])
        #expect(first == second)
        let items = try catalog.items()
        #expect(items.count == 1 && items[0].status == "ok")
        #expect(try catalog.hashes().first.map { UInt64(bitPattern: $0.phash) } == UInt64.max)
        #expect(try catalog.quality().first?.flagList == ["blank", "too_small"])
        #expect(try catalog.sourceStates()["/x/a.jpg"]?.status == "ok")
        #expect(try catalog.items(sha256: String(repeating: "a", count: 64)).count == 1)
    }

    @Test(arguments: CatalogBackend.allCases)
    func runsAndDuplicateGroupsAreStored(_ backend: CatalogBackend) throws {
        guard let (catalog, done) = try backend.open() else { return }
        defer { done() }
        let ids = try catalog.save((0..<3).map {
            Catalog.IngestedItem(item: ItemRecord(sourceKind: "file", sourcePath: "/x/\($0).png", status: "ok"), hashes: nil, quality: nil)
        })
        let run = try catalog.startRun(kind: "duplicates", toolVersion: "test", config: ["threshold": "10"])
        try catalog.saveDuplicateGroups([Catalog.NewDuplicateGroup(
            kind: "near", algorithm: "phash", maxDistance: 4, keeperItemID: ids[1], keeperReason: "largest",
            members: [(ids[0], 4), (ids[1], 0)])], runID: run)
        struct Summary: Codable { var groups: Int }
        try catalog.finishRun(run, summary: Summary(groups: 1))
        let latest = try #require(try catalog.latestRun(kind: "duplicates"))
        #expect(latest.summary == "{\"groups\":1}")
        #expect(latest.config == "{\"threshold\":\"10\"}")
        let groups = try catalog.duplicateGroups(runID: run)
        #expect(groups.count == 1)
        #expect(groups[0].group.keeperItemID == ids[1])
        #expect(groups[0].members.map(\.itemID) == [ids[1], ids[0]])
        #expect(try catalog.countByStatus() == ["ok": 3])
    }
}
