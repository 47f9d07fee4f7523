import Foundation
import Harvest
import Testing

@Suite struct EuropeanaTests {
    @Test func recordedSearchPageMapsToItemsWithEDMNames() throws {
        guard let file = requireCorpus("api/europeana/search/search_api_v2_query_all_profile_rich_facets_hits.json") else { return }
        let page = try EuropeanaSearchPage.parse(Data(contentsOf: file), source: file.lastPathComponent, language: "en")
        #expect(page.items.count == 12 && page.itemsCount == 12 && page.totalResults == 58_059_821 && page.nextCursor == nil)
        let first = try #require(page.items.first)
        #expect(first.title == "Chourmouzi Foteini" && first.titleLanguage == "en")
        #expect(first.edmIsShownBy == "http://pandektis.ekt.gr/pandektis/retrieve/93138/2244.jpg")
        #expect(first.rights == "http://rightsstatements.org/vocab/InC/1.0/" && first.year == "1898" && first.type == "IMAGE" && first.country == "Greece")
        #expect(first.dataProvider == "Ινστιτούτο Ιστορικών Ερευνών (ΙΙΕ/ΕΙΕ)" && first.provider?.hasPrefix("Greek Aggregator") == true)
        #expect(first.concepts == ["http://semantics.gr/authorities/ekt-item-types/fwtografia"])
        // The API's redirect (with its key) is unwrapped to the provider's landing page.
        #expect(first.edmIsShownAt?.hasPrefix("http://pandektis.ekt.gr/") == true && first.edmIsShownAt?.contains("api2demo") == false)
        let greek = try EuropeanaSearchPage.parse(Data(contentsOf: file), source: "s", language: "el")
        #expect(greek.items.first?.title == "Χουρμούζη Φωτεινή" && greek.items.first?.titleLanguage == "el")
    }

    /// CASES.md C04: a title that exists only under `la` (no `def`, no `en`) is still a title.
    @Test func c04SingleLanguageMapsStillGiveATitleWithItsLanguage() throws {
        let item = try #require(EuropeanaItem(searchItem: try JSONValue.parse(Data(#"{"id":"/1/a","dcTitleLangAware":{"la":["Sonus naturalis"]}}"#.utf8), source: "s"), language: "en"))
        #expect(item.title == "Sonus naturalis" && item.titleLanguage == "la")
        let def = LanguageMap(try JSONValue.parse(Data(#"{"et":["Eesti"],"def":["Default"],"en":["English"]}"#.utf8), source: "s"))
        #expect(def.best(["fr"])?.value == "Default" && def.best(["et"])?.value == "Eesti")
        guard let file = requireCorpus("api/europeana/record/record_api_v2_09102__GNM_693983_stein_piano.json") else { return }
        let record = try EuropeanaItem.parseRecord(Data(contentsOf: file), source: file.lastPathComponent, language: "en")
        #expect(record.title == "Hammerflügel" && record.titleLanguage == "de")
        #expect(record.id == "/09102/_GNM_693983" && record.dataProvider == "Germanisches Nationalmuseum")
        #expect(record.rights == "http://creativecommons.org/licenses/by-nc-sa/3.0/" && record.edmObject?.hasSuffix("MIR1097_1279787057222_2.jpg") == true)
        #expect(record.edmIsShownAt == "http://www.mimo-db.eu/GNM/693983")
    }

    /// CASES.md C01: no usable edmIsShownBy: the chain goes on to the Record API's edmObject and
    /// image web resources, then edmPreview.
    @Test func c01ImageChainFallsBackFromEdmIsShownByToEdmObjectToEdmPreview() throws {
        var item = try #require(EuropeanaItem(searchItem: try JSONValue.parse(Data(#"{"id":"/1/b","edmIsShownBy":[],"edmPreview":["https://p/1.jpg"],"edmIsShownAt":["https://l/1"],"guid":"https://www.europeana.eu/item/1/b?utm_source=api&utm_medium=api"}"#.utf8), source: "s")))
        #expect(item.edmIsShownBy == nil && item.guid == "https://www.europeana.eu/item/1/b")
        #expect(item.imageCandidates.map(\.source) == [.edmPreview])
        item.edmObject = "https://o/1.jpg"
        item.webResources = ["https://w/1.jpg"]
        item.iiifService = "https://iiif/1"
        item.edmIsShownBy = "https://s/1.jpg"
        #expect(item.imageCandidates.map(\.source) == [.iiif, .edmIsShownBy, .edmObject, .webResource, .edmPreview])
    }

    @Test func searchParametersAreValidatedAndEncoded() throws {
        var q = EuropeanaSearchQuery(query: "who:\"Rembrandt\" +paint")
        q.qf = ["TYPE:IMAGE", "COUNTRY:netherlands"]
        q.reusability = ["open"]
        q.media = true
        q.thumbnail = true
        q.landingPage = true
        q.colourPalette = ["#000000"]
        q.theme = "art"
        q.sort = "random"
        q.profile = "minimal facets"
        q.rows = 50
        q.cursor = "*"
        q.facet = ["COUNTRY"]
        let url = try q.url(base: "https://api.europeana.eu/", apiKey: "k3y")
        let items = try #require(URLComponents(string: url)?.queryItems)
        #expect(url.hasPrefix("https://api.europeana.eu/record/v2/search.json?"))
        #expect(items.filter { $0.name == "qf" }.map(\.value) == ["TYPE:IMAGE", "COUNTRY:netherlands"])
        #expect(items.first { $0.name == "query" }?.value == "who:\"Rembrandt\" +paint")
        for (name, value) in [("reusability", "open"), ("media", "true"), ("landingpage", "true"), ("colourpalette", "#000000"), ("sort", "random"), ("rows", "50"), ("cursor", "*"), ("facet", "COUNTRY"), ("wskey", "k3y")] {
            #expect(items.first { $0.name == name }?.value == value, "\(name)")
        }
        q.rows = 101
        #expect(throws: HarvestError.self) { try q.validate() }
        q.rows = 20
        q.cursor = nil
        q.start = 990
        #expect { try q.validate() } throws: { "\($0)".contains("1,000") }
        q.start = nil
        q.reusability = ["free"]
        #expect(throws: HarvestError.self) { try q.validate() }
    }

    @Test func theAPIKeyIsRedactedFromURLsAndMessages() {
        let redact = KeyRedactor(key: "s3cr3t/key")
        #expect(redact("https://api/x?wskey=s3cr3t/key&query=a") == "https://api/x?wskey=REDACTED&query=a")
        #expect(redact("https://api/api/s3cr3t%2Fkey/redirect") == "https://api/api/REDACTED/redirect")
        #expect(!redact("GET https://x?wskey=other: failed").contains("other"))
    }

    @Test func retryAfterIsReadAsSecondsOrAnHTTPDate() throws {
        #expect(HTTPFetcher.retryAfter("7") == 7)
        let now = try #require(ISO8601DateFormatter().date(from: "2026-12-04T10:00:00Z"))
        #expect(HTTPFetcher.retryAfter("Fri, 04 Dec 2026 10:00:30 GMT", now: now) == 30)
        #expect(HTTPFetcher.retryAfter("soon") == nil)
    }
}
