import Foundation
import Harvest
import Testing

@Suite struct IIIFImageTests {
    func info(_ text: String) throws -> IIIFImageInfo { try IIIFImageInfo.parse(Data(text.utf8), source: "test.json") }

    @Test func everyCorpusInfoJSONParses() throws {
        guard let folder = requireCorpus("api/iiif/image-info") else { return }
        let files = jsonFiles(folder)
        #expect(files.count == 9)
        for file in files {
            let parsed = try IIIFImageInfo.parse(Data(contentsOf: file), source: file.lastPathComponent)
            #expect(parsed.width > 0 && parsed.height > 0 && !parsed.id.isEmpty, "\(file.lastPathComponent)")
            let expected = file.path.contains("/v1/") ? 1 : file.path.contains("/v2/") ? 2 : 3
            #expect(parsed.version == expected, "\(file.lastPathComponent)")
        }
        let v11 = try IIIFImageInfo.parse(Data(contentsOf: folder.appendingPathComponent("v1/osd__iiif_1_1_tiled.info.json")), source: "v1.1")
        #expect(v11.tiles == [IIIFImageInfo.Tile(width: 256, height: 256, scaleFactors: [1, 2, 4, 8, 16, 32])] && v11.level == 2)
        let getty = try IIIFImageInfo.parse(Data(contentsOf: folder.appendingPathComponent("v3/htj2k_getty__gm_36716601.info.json")), source: "getty")
        #expect(getty.maxWidth == 50000 && getty.allowsUpscaling && getty.formats.contains("webp") && getty.sizes.count == 6)
    }

    /// CASES.md C05: level 1, no tiles, no sizes, no scale factors: a whole-region size request.
    @Test func c05LevelOneWithoutTilesOrSizesAsksForABestFitOfTheWholeImage() throws {
        let v2 = try info(#"{"@context":"http://iiif.io/api/image/2/context.json","@id":"https://x.org/iiif/a","width":4000,"height":3000,"profile":["http://iiif.io/api/image/2/level1.json"]}"#)
        #expect(v2.tiles.isEmpty && v2.sizes.isEmpty && v2.level == 1)
        #expect(try v2.request(longerSide: 2048).build() == "https://x.org/iiif/a/full/!2048,2048/0/default.jpg")
        #expect(try v2.request(longerSide: 5000).build() == "https://x.org/iiif/a/full/full/0/default.jpg")
        let v11 = try info(#"{"@context":"http://library.stanford.edu/iiif/image-api/1.1/context.json","@id":"https://x.org/b","width":4000,"height":3000,"scale_factors":[1,2,4],"tile_width":512,"profile":"http://library.stanford.edu/iiif/image-api/1.1/compliance.html#level1"}"#)
        #expect(v11.version == 1 && v11.tiles.first?.width == 512 && v11.tiles.first?.scaleFactors == [1, 2, 4])
    }

    /// CASES.md C06: level 0 gets only a listed size, the smallest at or above the target.
    @Test func c06LevelZeroGetsOnlyTheSmallestListedSizeAboveTheTarget() throws {
        let sizes = #""sizes":[{"width":912,"height":684},{"width":456,"height":342},{"width":228,"height":171},{"width":114,"height":86},{"width":57,"height":43}]"#
        let v2 = try info(#"{"@context":"http://iiif.io/api/image/2/context.json","@id":"https://x.org/c","width":3648,"height":2736,"profile":["http://iiif.io/api/image/2/level0.json"],\#(sizes)}"#)
        #expect(try v2.request(longerSide: 100).build().hasSuffix("/full/114,/0/default.jpg"))
        let v3 = try info(#"{"@context":"http://iiif.io/api/image/3/context.json","id":"https://x.org/c","type":"ImageService3","width":3648,"height":2736,"profile":"level0",\#(sizes)}"#)
        #expect(try v3.request(longerSide: 100).build() == "https://x.org/c/full/114,86/0/default.jpg")
        // Above every listed size: the largest listed one, never an unlisted size.
        #expect(try v3.request(longerSide: 5000).build() == "https://x.org/c/full/912,684/0/default.jpg")
        #expect(v3.tiles.isEmpty)
    }

    @Test func sizesAreClampedToMaxWidthAndAreaAndUpscaleOnlyWhenAllowed() throws {
        let clamped = try info(#"{"@context":"http://iiif.io/api/image/3/context.json","id":"https://x.org/d","width":8000,"height":4000,"profile":"level2","maxWidth":1000}"#)
        #expect(try clamped.request(longerSide: 4000).build() == "https://x.org/d/full/!1000,500/0/default.jpg")
        let area = try info(#"{"@context":"http://iiif.io/api/image/3/context.json","id":"https://x.org/e","width":4000,"height":4000,"profile":"level2","maxArea":1000000}"#)
        #expect(try area.request(longerSide: 4000).build() == "https://x.org/e/full/!1000,1000/0/default.jpg")
        let small = try info(#"{"@context":"http://iiif.io/api/image/3/context.json","id":"https://x.org/f","width":500,"height":400,"profile":"level2"}"#)
        #expect(try small.request(longerSide: 1024).build() == "https://x.org/f/full/max/0/default.jpg")
        let up = try info(#"{"@context":"http://iiif.io/api/image/3/context.json","id":"https://x.org/g","width":500,"height":400,"profile":"level2","extraFeatures":["sizeUpscaling"]}"#)
        #expect(try up.request(longerSide: 1000).build() == "https://x.org/g/full/^!1000,1000/0/default.jpg")
    }

    @Test func infoWithoutSizeOrIdIsAClearError() {
        #expect {
            try info(#"{"@context":"http://iiif.io/api/image/2/context.json","@id":"https://x.org/h"}"#)
        } throws: { ($0 as? HarvestError)?.code == .invalidIIIF && "\($0)".contains("test.json") && "\($0)".contains("width") }
    }

    /// Examples of https://iiif.io/api/image/3.0/ §4 and https://iiif.io/api/image/2.1/ §4.
    @Test func specificationExampleURLsRoundTrip() throws {
        let base = "https://example.org/image-service/abcd1234/1E34750D-38DB-4825-A38A-B60A345E591C"
        let v3 = ["full/max/0/default.jpg", "square/max/0/default.jpg", "125,15,120,140/max/0/default.jpg", "pct:41.6,7.5,40,70/max/0/default.jpg",
                  "full/^max/0/default.jpg", "full/150,/0/default.jpg", "full/^360,/0/default.jpg", "full/,150/0/default.jpg", "full/pct:50/0/default.jpg",
                  "full/225,100/0/default.jpg", "full/^360,360/0/default.jpg", "full/!225,100/0/default.jpg", "full/^!360,360/0/default.jpg",
                  "full/max/90/default.png", "full/max/!0/default.jpg", "full/max/!180/default.jpg", "full/max/22.5/default.jpg",
                  "full/max/0/color.jpg", "full/max/0/gray.jpg", "full/max/0/bitonal.webp", "full/^pct:120/0/default.jpg"]
        for path in v3 {
            let url = "\(base)/\(path)"
            let request = try IIIFImageRequest.parse(url, version: 3)
            #expect(request.base == base)
            #expect(try request.build() == url)
        }
        let v2 = ["full/full/0/default.jpg", "full/max/0/default.jpg", "square/full/0/default.jpg", "10,10,100,100/full/0/default.jpg",
                  "pct:10,10,80,80/full/0/default.jpg", "full/150,/0/default.jpg", "full/,150/0/default.jpg", "full/pct:50/0/default.jpg",
                  "full/225,100/0/default.jpg", "full/!225,100/0/default.jpg", "full/full/!0/default.jpg", "full/full/180/gray.png"]
        for path in v2 {
            let url = "http://www.example.org/image-service/abcd1234/\(path)"
            #expect(try IIIFImageRequest.parse(url, version: 2).build() == url)
        }
    }

    @Test func invalidParametersAreRejectedWithTheParameterNamed() {
        let bad: [(String, Int, String)] = [
            ("https://x.org/i/full/^max/0/default.jpg", 2, "^"), ("https://x.org/i/full/full/0/default.jpg", 3, "full"),
            ("https://x.org/i/full/max/0/grey.jpg", 3, "grey"), ("https://x.org/i/0,0,0,10/max/0/default.jpg", 3, "positive"),
            ("https://x.org/i/full/max/abc/default.jpg", 3, "rotation"), ("https://x.org/i/full/max/400/default.jpg", 3, "rotation"),
            ("https://x.org/i/full/max/0/default.bmp", 3, "format"), ("https://x.org/i/full/pct:150/0/default.jpg", 3, "percent"),
            ("https://x.org/i/nowhere/max/0/default.jpg", 3, "region"), ("https://x.org/i/full/1,2,3/0/default.jpg", 3, "size"),
        ]
        for (url, version, word) in bad {
            #expect(throws: HarvestError.self) { try IIIFImageRequest.parse(url, version: version) }
            do { _ = try IIIFImageRequest.parse(url, version: version) } catch {
                #expect("\(error)".contains(word) && "\(error)".contains(url), "\(error)")
            }
        }
    }
}

@Suite struct IIIFPresentationTests {
    func parse(_ text: String) throws -> IIIFDocument { try IIIFPresentation.parse(Data(text.utf8), source: "m.json") }

    /// Documents in the corpus that are not valid manifests or collections, and why.
    static let invalid: [String: String] = [
        "parser__malformed-image-annotation.json": "oa:Annotation",
        "validator__broken_simple_image.json": "no id",
        "parser__anno_list_choice.json": "AnnotationList",
        "parser__delft-collection-store.json": "no Presentation API version",
    ]

    @Test func everyCorpusManifestAndCollectionParsesOrGivesAnErrorNamingTheFile() throws {
        guard let folder = requireCorpus("api/iiif") else { return }
        let files = jsonFiles(folder.appendingPathComponent("presentation")) + jsonFiles(folder.appendingPathComponent("collections"))
        #expect(files.count == 84)
        var manifests: [String: IIIFManifest] = [:], collections: [String: IIIFCollection] = [:]
        for file in files {
            let name = file.lastPathComponent
            do {
                switch try IIIFPresentation.parse(Data(contentsOf: file), source: file.path) {
                case .manifest(let m): manifests[file.path.contains("/v2/") ? "v2/" + name : "v3/" + name] = m
                case .collection(let c): collections[name] = c
                }
                #expect(Self.invalid[name] == nil, "\(name) should be refused")
            } catch let error as HarvestError {
                let expected = try #require(Self.invalid[name], "\(name): \(error.description)")
                #expect(error.url == file.path && error.description.contains(name) && error.message.contains(expected), "\(error)")
            }
        }
        #expect(manifests.count == 60, "\(manifests.keys.sorted())")
        #expect(collections.count == 19, "\(collections.keys.sorted())")
        let counts: [String: (canvases: Int, images: Int)] = [
            "v2/gallica__vogue_bpt6k9604118j_with_ocr.json": (74, 74), "v2/htj2k_getty_50_images_manifest.json": (50, 50),
            "v2/parser__body-choice.json": (19, 72), "v2/mirador__emptyCanvas.json": (322, 238), "v2/mirador__2017498721.json": (0, 0),
            "v3/cookbook__0009-book-1__manifest.json": (5, 5), "v3/cookbook__0033-choice__manifest.json": (1, 2),
            "v3/parser__wellcome-p3-2.json": (36, 36), "v3/mirador__hamilton.json": (1, 23), "v3/cookbook__0299-region__manifest.json": (1, 1),
        ]
        for (name, expected) in counts {
            let m = try #require(manifests[name], "\(name)")
            #expect(m.canvases.count == expected.canvases && m.canvases.reduce(0) { $0 + $1.images.count } == expected.images, "\(name)")
        }
        #expect(collections["parser__paginated-collection.json"]?.nextPage?.contains("cursor=initial") == true)
        #expect(collections["mirador__collection.json"]?.members.count == 55)
        let full = try #require(manifests["v3/validator__full_example.json"])
        #expect(full.label == "Book 1" && full.metadata["Author"] == "Anne Author" && full.summary?.hasPrefix("Book 1") == true)
    }

    /// CASES.md C08: `@context` as an array, and detection by structure.
    @Test func c08VersionFromContextStringOrArrayElseStructure() throws {
        let v2 = #"{"@context":["http://iiif.io/api/presentation/2/context.json","http://example.org/extra.json"],"@id":"https://x/m","@type":"sc:Manifest","label":"A","sequences":[{"canvases":[]}]}"#
        guard case .manifest(let m2) = try parse(v2) else { Issue.record("not a manifest"); return }
        #expect(m2.version == 2)
        let v3 = #"{"@context":["http://www.w3.org/ns/anno.jsonld","http://iiif.io/api/presentation/3/context.json"],"id":"https://x/m","type":"Manifest","label":{"en":["B"]},"items":[]}"#
        guard case .manifest(let m3) = try parse(v3) else { Issue.record("not a manifest"); return }
        #expect(m3.version == 3 && m3.label == "B")
        #expect(IIIFPresentation.version(try JSONValue.parse(Data(#"{"sequences":[]}"#.utf8), source: "s")) == 2)
        #expect(IIIFPresentation.version(try JSONValue.parse(Data(#"{"items":[]}"#.utf8), source: "s")) == 3)
    }

    /// CASES.md C09: a v2.1 canvas whose image resource has no service.
    @Test func c09MissingImageServiceIsLegalAndTheStaticImageIsUsed() throws {
        let text = #"{"@context":"http://iiif.io/api/presentation/2/context.json","@id":"https://x/m","@type":"sc:Manifest","label":"C","sequences":[{"canvases":[{"@id":"https://x/c1","@type":"sc:Canvas","width":2000,"height":3000,"images":[{"@type":"oa:Annotation","motivation":"sc:painting","resource":{"@id":"https://x/img/1.jpg","@type":"dctypes:Image","format":"image/jpeg","width":2000,"height":3000},"on":"https://x/c1"}]}]}]}"#
        guard case .manifest(let m) = try parse(text) else { Issue.record("not a manifest"); return }
        let image = try #require(m.canvases.first?.images.first)
        #expect(image.service == nil && image.url == "https://x/img/1.jpg" && image.width == 2000 && image.height == 3000)
    }

    /// CASES.md C10: an ImageService2 in a v3 body with `@id`/`@type`, or mixed `id`/`@type`.
    @Test func c10ImageServiceBaseFromIdOrAtIdAndVersionFromType() throws {
        for service in [#"{"@id":"https://x/iiif/2/abc","@type":"ImageService2","profile":"http://iiif.io/api/image/2/level2.json"}"#,
                        #"{"id":"https://x/iiif/2/abc","@type":"ImageService2"}"#] {
            let text = #"{"@context":"http://iiif.io/api/presentation/3/context.json","id":"https://x/m","type":"Manifest","label":{"en":["D"]},"items":[{"id":"https://x/c1","type":"Canvas","items":[{"id":"https://x/p1","type":"AnnotationPage","items":[{"id":"https://x/a1","type":"Annotation","motivation":"painting","body":{"id":"https://x/iiif/2/abc/full/max/0/default.jpg","type":"Image","service":[\#(service)]},"target":"https://x/c1"}]}]}]}"#
            guard case .manifest(let m) = try parse(text) else { Issue.record("not a manifest"); return }
            let s = try #require(m.canvases.first?.images.first?.service)
            #expect(s.base == "https://x/iiif/2/abc" && s.version == 2)
            let request = IIIFImageRequest(base: s.base, version: s.version, region: .full, size: .width(500), rotation: .init(), quality: "default", format: "jpg")
            #expect(try request.build() == "https://x/iiif/2/abc/full/500,/0/default.jpg")
        }
    }

    @Test func labelsInEveryShapeBecomeText() throws {
        #expect(LanguageMap(try JSONValue.parse(Data(#""plain""#.utf8), source: "s")).text() == "plain")
        #expect(LanguageMap(try JSONValue.parse(Data(#"[{"@value":"Titre","@language":"fr"},{"@value":"Title","@language":"en"}]"#.utf8), source: "s")).text() == "Title")
        #expect(LanguageMap(try JSONValue.parse(Data(#"{"fr":["Titre"],"none":["X"]}"#.utf8), source: "s")).text(["fr"]) == "Titre")
    }
}
