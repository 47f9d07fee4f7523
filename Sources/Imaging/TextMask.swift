import CVipsShim

/// Text rendered by libvips (`vips_text`, Pango + fontconfig), for synthetic overlays.
public enum TextRendering {
    /// A coverage mask of `text`: 1 channel, 0 (no ink) … 255 (full ink), as wide and tall as the
    /// rendered text (after rotation, which grows the canvas).
    /// - Parameters:
    ///   - font: a Pango font description without size, e.g. "DejaVu Sans Bold"; an unknown
    ///     family falls back to fontconfig's default.
    ///   - pixelSize: the font size in pixels (points at 72 dpi), ≥ 1.
    ///   - angle: clockwise rotation in degrees.
    /// - Throws: `ImagingError.operationFailed` when libvips cannot render it (empty text, no fonts).
    public static func mask(text: String, font: String, pixelSize: Int, angle: Double = 0) throws -> PixelBuffer {
        try Vips.start()
        var out = vt_pixels()
        let status = vt_vips_text_mask(text, font, Int32(max(1, pixelSize)), angle, &out)
        try Vips.check(status, .operationFailed, path: "-", "cannot render the text \"\(text)\" in \(font) \(pixelSize) px")
        guard let buffer = Vips.adopt(out) else {
            throw ImagingError(.operationFailed, path: "-", "libvips returned no mask for the text \"\(text)\"")
        }
        return buffer
    }
}
