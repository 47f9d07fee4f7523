import CVipsShim

/// The one place where Imaging calls libvips through the shim: every call's status is checked
/// here and failures become `ImagingError`s carrying libvips' message.
enum Vips {
    static func start() throws {
        guard vt_vips_init() == 0 else {
            throw ImagingError(.operationFailed, path: "-", "libvips failed to start", underlying: takeError())
        }
    }

    static func takeError() -> String {
        var buffer = [CChar](repeating: 0, count: 2048)
        vt_vips_take_error(&buffer, buffer.count)
        let bytes = buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs a shim call; a non-zero status throws with the given code and message.
    static func check(_ status: Int32, _ code: ImagingError.Code, path: String, _ message: @autoclosure () -> String) throws {
        if status != 0 {
            throw ImagingError(code, path: path, message(), underlying: takeError())
        }
    }

    /// Moves a shim pixel buffer into Swift memory and frees the C copy.
    static func adopt(_ pixels: vt_pixels) -> PixelBuffer? {
        guard let base = pixels.pixels else { return nil }
        defer { vt_vips_free(base) }
        let count = Int(pixels.width) * Int(pixels.height) * Int(pixels.bands)
        let bytes = Array(UnsafeBufferPointer(start: base, count: count))
        return PixelBuffer(width: Int(pixels.width), height: Int(pixels.height), channels: Int(pixels.bands), pixels: bytes)
    }
}
