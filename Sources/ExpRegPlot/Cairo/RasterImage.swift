internal import CCairo

/// An RGB image read back from a PNG file (for checks of rendered charts).
package struct RasterImage: Sendable {
    /// Size in pixels.
    package var width: Int
    /// Height in pixels.
    package var height: Int
    /// Row-major pixels, `width · height` entries, alpha composited over white.
    package var pixels: [RGBColor]

    /// Reads a PNG with Cairo.
    /// - Throws: ``PlotError/cairo(operation:status:)`` if the file is missing or not a PNG.
    package init(pngPath path: String) throws {
        guard let surface = cairo_image_surface_create_from_png(path) else {
            throw PlotError.cairo(operation: "read PNG \(path)", status: "null surface")
        }
        defer { cairo_surface_destroy(surface) }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlotError.cairo(
                operation: "read PNG \(path)", status: String(cString: cairo_status_to_string(status)))
        }
        cairo_surface_flush(surface)
        let w = Int(cairo_image_surface_get_width(surface))
        let h = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let format = cairo_image_surface_get_format(surface)
        guard let data = cairo_image_surface_get_data(surface),
            format == CAIRO_FORMAT_ARGB32 || format == CAIRO_FORMAT_RGB24
        else {
            throw PlotError.cairo(operation: "read PNG \(path)", status: "unsupported pixel format")
        }
        var result: [RGBColor] = []
        result.reserveCapacity(w * h)
        for row in 0..<h {
            let line = data.advanced(by: row * stride).withMemoryRebound(to: UInt32.self, capacity: w) { $0 }
            for column in 0..<w {
                // Native-endian 0xAARRGGBB, premultiplied alpha.
                let v = line[column]
                let a = format == CAIRO_FORMAT_RGB24 ? 255 : Int((v >> 24) & 0xFF)
                let r = Int((v >> 16) & 0xFF)
                let g = Int((v >> 8) & 0xFF)
                let b = Int(v & 0xFF)
                result.append(RGBColor(red: UInt8(r + 255 - a), green: UInt8(g + 255 - a), blue: UInt8(b + 255 - a)))
            }
        }
        width = w
        height = h
        pixels = result
    }

    /// The pixel at column `x`, row `y` (0-based, y down).
    package subscript(x: Int, y: Int) -> RGBColor { pixels[y * width + x] }
}
