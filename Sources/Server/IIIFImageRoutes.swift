import Catalog
import Foundation
import Hummingbird
import Imaging

/// IIIF Image API 3.0 over the store's images (https://iiif.io/api/image/3.0/), compliance level 2:
/// `/iiif/3/{identifier}/info.json` and `/iiif/3/{identifier}/{region}/{size}/{rotation}/{quality}.{format}`.
/// `{identifier}` is a catalog item id (decimal); nothing else is looked up, so no request can name a
/// file outside the store. Renders run on their own bounded queue (`renderSlots` at once) so that slow
/// or large renders cannot block the server's other requests.
public enum IIIFImageRoutes {
    /// Largest output side and area announced in `info.json` and enforced (pixels).
    public static let maxWidth = 4096, maxHeight = 4096, maxArea = 4096 * 4096
    /// Tile side announced in `info.json`.
    public static let tileSide = 512
    static let profileLink = "<http://iiif.io/api/image/3/level2.json>;rel=\"profile\""
    static let infoContentType = "application/ld+json;profile=\"http://iiif.io/api/image/3/context.json\""
    static let linkField = HTTPFields.Element.Name("Link") ?? .contentLocation
    static let renderQueue = DispatchQueue(label: "vitrine.iiif.render", attributes: .concurrent)
    static let renderSlots = DispatchSemaphore(value: max(1, ProcessInfo.processInfo.activeProcessorCount))

    public static func register(on router: Router<BasicRequestContext>, state: ServerState) {
        router.get("/iiif/3/:identifier") { request, context -> Response in
            let identifier = context.parameters.get("identifier") ?? ""
            _ = try imagePath(identifier, state: state)
            var headers = corsHeaders()
            headers[.location] = "\(state.baseURL(for: request))/iiif/3/\(identifier)/info.json"
            return Response(status: .seeOther, headers: headers)
        }
        router.get("/iiif/3/:identifier/info.json") { request, context -> Response in
            let identifier = context.parameters.get("identifier") ?? ""
            let (path, sha) = try imagePath(identifier, state: state)
            let size = try await offload { try IIIFRendering.size(path: path) }
            let info = infoDocument(id: "\(state.baseURL(for: request))/iiif/3/\(identifier)", width: size.width, height: size.height)
            let data = try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys])
            var headers = corsHeaders()
            headers[.contentType] = infoContentType
            headers[linkField] = profileLink
            headers[.cacheControl] = "public, max-age=86400"
            headers[.eTag] = "\"\(sha.prefix(16))-info\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/iiif/3/:identifier/:region/:size/:rotation/:qualityFormat") { request, context -> Response in
            let identifier = context.parameters.get("identifier") ?? ""
            let (path, sha) = try imagePath(identifier, state: state)
            let full = try await offload { try IIIFRendering.size(path: path) }
            let parsed = try IIIFImageRequest.parse(
                region: context.parameters.get("region") ?? "", size: context.parameters.get("size") ?? "",
                rotation: context.parameters.get("rotation") ?? "", qualityAndFormat: context.parameters.get("qualityFormat") ?? "",
                imageWidth: full.width, imageHeight: full.height, maxWidth: maxWidth, maxHeight: maxHeight, maxArea: maxArea)
            let quality: IIIFRendering.Quality = parsed.quality == "gray" ? .grey : parsed.quality == "bitonal" ? .bitonal : .colour
            let bytes = try await offload {
                try IIIFRendering.render(path: path, region: (parsed.x, parsed.y, parsed.width, parsed.height),
                                         width: parsed.outputWidth, height: parsed.outputHeight, mirror: parsed.mirror,
                                         rotation: parsed.rotation, quality: quality, format: parsed.format)
            }
            var headers = corsHeaders()
            headers[.contentType] = ["jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"][parsed.format] ?? "application/octet-stream"
            headers[linkField] = profileLink
            headers[.cacheControl] = "public, max-age=86400"
            headers[.eTag] = "\"\(sha.prefix(16))-\(abs(request.uri.path.hashValue))\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// `Access-Control-Allow-Origin: *`, as the spec asks of every IIIF answer.
    static func corsHeaders() -> HTTPFields {
        var headers = HTTPFields()
        headers[.accessControlAllowOrigin] = "*"
        return headers
    }

    /// The stored file and sha256 of a decimal item id; 404 problem for anything else.
    static func imagePath(_ identifier: String, state: ServerState) throws -> (String, String) {
        guard identifier.count <= 18, identifier.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int64(identifier),
              let item = try state.catalog.item(id: id), let stored = item.storedPath
        else {
            throw Problem(.notFound, title: "Unknown identifier", detail: "no image with identifier '\(identifier.prefix(64))' in this store", headers: corsHeaders())
        }
        return (state.catalog.absolute(stored).path, item.sha256 ?? identifier)
    }

    /// The IIIF `info.json` object (Image API 3.0 §5).
    static func infoDocument(id: String, width: Int, height: Int) -> [String: Any] {
        var sizes: [[String: Int]] = []
        var scale = 1
        while width / scale >= 64 || height / scale >= 64 {
            if width / scale <= maxWidth, height / scale <= maxHeight {
                sizes.append(["width": max(1, width / scale), "height": max(1, height / scale)])
            }
            scale *= 2
        }
        var factors: [Int] = []
        var f = 1
        while (width + f - 1) / f > tileSide / 2 || (height + f - 1) / f > tileSide / 2 || factors.isEmpty {
            factors.append(f)
            f *= 2
            if f > 1 << 12 { break }
        }
        return [
            "@context": "http://iiif.io/api/image/3/context.json",
            "id": id, "type": "ImageService3", "protocol": "http://iiif.io/api/image", "profile": "level2",
            "width": width, "height": height,
            "maxWidth": maxWidth, "maxHeight": maxHeight, "maxArea": maxArea,
            "sizes": sizes.reversed() as [[String: Int]],
            "tiles": [["width": tileSide, "height": tileSide, "scaleFactors": factors]],
            "extraFormats": ["webp"], "extraQualities": ["color", "gray", "bitonal"],
            "extraFeatures": ["baseUriRedirect", "cors", "jsonldMediaType", "mirroring", "profileLinkHeader",
                              "regionSquare", "rotationBy90s", "sizeUpscaling"],
        ]
    }

    /// Runs blocking libvips work on the render queue, at most `renderSlots` at once.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            renderQueue.async {
                renderSlots.wait()
                defer { renderSlots.signal() }
                do { continuation.resume(returning: try work()) } catch {
                    continuation.resume(throwing: Problem(.internalServerError, title: "Rendering failed", detail: "\(error)"))
                }
            }
        }
    }
}
