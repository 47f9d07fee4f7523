import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import Logging
import Server
import Testing

/// A store with one 400 × 300 colour picture as item 1.
private func storeWithOnePicture() throws -> (URL, Int64) {
    let store = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-iiif-\(UUID().uuidString)")
    let catalog = try Catalog(store: store)
    try FileManager.default.createDirectory(at: store.appendingPathComponent("images"), withIntermediateDirectories: true)
    var pixels = [UInt8](repeating: 0, count: 400 * 300 * 3)
    for y in 0..<300 {
        for x in 0..<400 {
            let i = (y * 400 + x) * 3
            pixels[i] = x < 200 ? 220 : 20
            pixels[i + 1] = UInt8(y * 255 / 299)
            pixels[i + 2] = 90
        }
    }
    try ImageWriter.save(PixelBuffer(width: 400, height: 300, channels: 3, pixels: pixels), to: store.appendingPathComponent("images/p.png").path)
    var item = ItemRecord(sourceKind: "file", sourcePath: "/nowhere/p.png", status: "ok")
    item.storedPath = "images/p.png"
    item.sha256 = String(repeating: "ab", count: 32)
    item.width = 400
    item.height = 300
    let ids = try catalog.save([.init(item: item, hashes: nil, quality: nil)])
    return (store, ids[0])
}

private func parse(_ region: String, _ size: String, _ rotation: String = "0", _ qf: String = "default.jpg",
                   w: Int = 400, h: Int = 300) throws -> IIIFImageRequest {
    try IIIFImageRequest.parse(region: region, size: size, rotation: rotation, qualityAndFormat: qf,
                               imageWidth: w, imageHeight: h, maxWidth: 4096, maxHeight: 4096, maxArea: 4096 * 4096)
}

private func status(of error: any Error) -> Int { (error as? Problem)?.status.code ?? -1 }

@Suite("IIIF Image API 3.0")
struct IIIFImageTests {
    /// Region forms of spec §4.1 on a 400 × 300 image.
    @Test func regionFormsResolveAsTheSpecSays() throws {
        #expect(try parse("full", "max").width == 400)
        let square = try parse("square", "max")
        #expect((square.x, square.y, square.width, square.height) == (50, 0, 300, 300))
        let xywh = try parse("10,20,100,50", "max")
        #expect((xywh.x, xywh.y, xywh.width, xywh.height) == (10, 20, 100, 50))
        let pct = try parse("pct:25,50,50,50", "max")
        #expect((pct.x, pct.y, pct.width, pct.height) == (100, 150, 200, 150))
        // A region past the edge is cropped to the image.
        let edge = try parse("300,200,500,500", "max")
        #expect((edge.width, edge.height) == (100, 100))
    }

    /// Size forms of spec §4.2 on the full 400 × 300 region.
    @Test func sizeFormsResolveAsTheSpecSays() throws {
        func size(_ s: String) throws -> (Int, Int) { let r = try parse("full", s); return (r.outputWidth, r.outputHeight) }
        #expect(try size("max") == (400, 300))
        #expect(try size("200,") == (200, 150))
        #expect(try size(",150") == (200, 150))
        #expect(try size("100,100") == (100, 100))
        #expect(try size("!200,200") == (200, 150))
        // A !w,h box that would scale the region up needs ^ (§4.2; the validator's size_noup test).
        #expect(throws: (any Error).self) { try size("!800,800") }
        #expect(try size("!800,200") == (267, 200))
        #expect(try size("^!800,800") == (800, 600))
        #expect(try size("pct:50") == (200, 150))
        #expect(try size("^800,") == (800, 600))
        #expect(try size("^pct:150") == (600, 450))
        #expect(try size("^max") == (4096, 3072))
    }

    @Test func rotationQualityAndFormatForms() throws {
        #expect(try parse("full", "max", "90").rotation == 90)
        let mirrored = try parse("full", "max", "!180")
        #expect(mirrored.mirror && mirrored.rotation == 180)
        #expect(try parse("full", "max", "0", "gray.png").quality == "gray")
        #expect(try parse("full", "max", "0", "bitonal.webp").format == "webp")
    }

    /// 400 for malformed parameters, 501 for valid but unsupported ones (spec §7).
    @Test func invalidParametersAre400AndUnsupportedAre501() {
        for (region, size, rotation, qf) in [
            ("0,0,0,10", "max", "0", "default.jpg"), ("500,0,10,10", "max", "0", "default.jpg"),
            ("a,b,c,d", "max", "0", "default.jpg"), ("pct:-1,0,10,10", "max", "0", "default.jpg"),
            ("full", "800,", "0", "default.jpg"), ("full", "pct:150", "0", "default.jpg"), ("full", "0,", "0", "default.jpg"),
            ("full", "max", "-90", "default.jpg"), ("full", "max", "400", "default.jpg"),
            ("full", "max", "0", "sepia.jpg"), ("full", "max", "0", "default.bmp"), ("full", "max", "0", "default"),
            ("full", "^5000,", "0", "default.jpg"),
        ] {
            #expect(throws: (any Error).self) { try parse(region, size, rotation, qf) }
            do { _ = try parse(region, size, rotation, qf) } catch { #expect(status(of: error) == 400, "\(region)/\(size)/\(rotation)/\(qf)") }
        }
        for (rotation, qf) in [("45", "default.jpg"), ("0", "default.tif"), ("0", "default.pdf")] {
            do { _ = try parse("full", "max", rotation, qf); Issue.record("\(rotation) \(qf) was accepted") } catch {
                #expect(status(of: error) == 501, "\(rotation)/\(qf)")
            }
        }
    }

    /// Random strings never crash the parser and only ever answer a problem (seeded).
    @Test func parserFuzzNeverCrashes() {
        var state: UInt64 = 0x1234_5678
        let alphabet = Array("0123456789,.:!^pctfulsqrmaxdegybni/-% \u{0}é")
        func random() -> String {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let n = Int(state >> 59)
            return String((0..<n).map { i in alphabet[Int((state >> UInt64(i % 50)) % UInt64(alphabet.count))] })
        }
        for _ in 0..<5000 {
            do {
                let r = try parse(random(), random(), random(), random())
                #expect(r.x >= 0 && r.y >= 0 && r.x + r.width <= 400 && r.y + r.height <= 300)
            } catch { #expect(error is Problem) }
        }
    }

    @Test func infoJSONAndImagesAreServedWithTheRightHeaders() async throws {
        let (store, id) = try storeWithOnePicture()
        defer { try? FileManager.default.removeItem(at: store) }
        let state = try ServerState(configuration: ServerConfiguration(store: store), logger: Logger(label: "test"))
        let app = Application(router: VitrineServer.makeRouter(state: state))
        try await app.test(.router) { client in
            try await client.execute(uri: "/iiif/3/\(id)/info.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.contentType]?.contains("application/ld+json") == true)
                let info = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(info?["width"] as? Int == 400 && info?["height"] as? Int == 300)
                #expect(info?["type"] as? String == "ImageService3")
                #expect((info?["id"] as? String)?.hasSuffix("/iiif/3/\(id)") == true)
            }
            for (path, width, height) in [("full/max/0/default.png", 400, 300), ("square/100,/0/default.png", 100, 100),
                                          ("0,0,200,100/!50,50/90/gray.png", 25, 50), ("pct:0,0,50,50/max/!0/bitonal.png", 200, 150)] {
                try await client.execute(uri: "/iiif/3/\(id)/\(path)", method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.contentType] == "image/png")
                    let file = store.appendingPathComponent("answer-\(UUID().uuidString).png")
                    try Data(buffer: response.body).write(to: file)
                    let size = try IIIFRendering.size(path: file.path)
                    #expect(size.width == width && size.height == height, "\(path): \(size)")
                }
            }
            try await client.execute(uri: "/iiif/3/\(id)/full/max/0/default.jpg", method: .get) { response in
                #expect(response.headers[.contentType] == "image/jpeg")
                #expect(Array(Data(buffer: response.body).prefix(2)) == [0xFF, 0xD8])
            }
            for (uri, code) in [("/iiif/3/999/info.json", 404), ("/iiif/3/..%2F..%2Fetc%2Fpasswd/info.json", 404),
                                ("/iiif/3/\(id)/full/max/45/default.jpg", 501), ("/iiif/3/\(id)/full/max/0/sepia.jpg", 400)] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status.code == code, "\(uri)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }
}

extension Data {
    init(buffer: ByteBuffer) { self.init(buffer.readableBytesView) }
}
