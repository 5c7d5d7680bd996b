internal import CCairo
import Foundation

/// A drawing surface in points (origin top-left, y down) backed by a Cairo context.
///
/// The only place besides ``JapaneseFont`` and ``RasterImage`` that talks to Cairo. The same
/// drawing calls produce the PNG (at `scale` device pixels per point) and the SVG, so both
/// files show the same picture. One canvas belongs to one task; it is not `Sendable`.
final class CairoCanvas {
    /// What the canvas draws into.
    enum Kind {
        /// An in-memory ARGB32 image of `width·scale × height·scale` pixels.
        case image(scale: Double)
        /// An SVG 1.1 document streamed to `path`.
        case svg(path: String)
        /// A PDF document streamed to `path`.
        case pdf(path: String)
    }

    let width: Double
    let height: Double
    private let surface: OpaquePointer
    private let context: OpaquePointer
    private let fontFace: FontFace

    /// Creates the surface and context and fills the page white.
    /// - Throws: ``PlotError`` when the font or the surface cannot be created.
    init(kind: Kind, width: Double, height: Double) throws {
        self.width = width
        self.height = height
        fontFace = try FontFaceCache.shared.get()
        var created: OpaquePointer?
        var scale = 1.0
        switch kind {
        case .image(let s):
            scale = s
            created = cairo_image_surface_create(
                CAIRO_FORMAT_ARGB32, Int32((width * s).rounded()),
                Int32((height * s).rounded()))
        case .svg(let path):
            created = cairo_svg_surface_create(path, width, height)
            if let created { cairo_svg_surface_restrict_to_version(created, CAIRO_SVG_VERSION_1_1) }
        case .pdf(let path):
            created = cairo_pdf_surface_create(path, width, height)
        }
        guard let created else { throw PlotError.cairo(operation: "surface create", status: "null surface") }
        let status = cairo_surface_status(created)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(created)
            throw PlotError.cairo(operation: "surface create", status: String(cString: cairo_status_to_string(status)))
        }
        guard let cr = cairo_create(created) else {
            cairo_surface_destroy(created)
            throw PlotError.cairo(operation: "cairo_create", status: "null context")
        }
        surface = created
        context = cr
        cairo_scale(cr, scale, scale)
        cairo_set_font_face(cr, fontFace.face)
        // Unhinted metrics: text is laid out identically in the PNG and the SVG.
        if let options = cairo_font_options_create() {
            cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
            cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
            cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
            cairo_set_font_options(cr, options)
            cairo_font_options_destroy(options)
        }
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
        setColor(.white)
        cairo_rectangle(cr, 0, 0, width, height)
        cairo_fill(cr)
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    // MARK: State

    func save() { cairo_save(context) }
    func restore() { cairo_restore(context) }

    func setColor(_ color: RGBColor, alpha: Double = 1) {
        cairo_set_source_rgba(
            context, Double(color.red) / 255, Double(color.green) / 255,
            Double(color.blue) / 255, alpha)
    }

    func setLineWidth(_ width: Double) { cairo_set_line_width(context, width) }

    /// Sets the dash pattern in points (empty = solid).
    func setDash(_ pattern: [Double]) {
        pattern.withUnsafeBufferPointer { buffer in
            cairo_set_dash(context, buffer.baseAddress, Int32(buffer.count), 0)
        }
    }

    func setRoundCaps(_ round: Bool) {
        cairo_set_line_cap(context, round ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT)
    }

    // MARK: Paths

    func newPath() { cairo_new_path(context) }
    func move(to x: Double, _ y: Double) { cairo_move_to(context, x, y) }
    func line(to x: Double, _ y: Double) { cairo_line_to(context, x, y) }
    func closePath() { cairo_close_path(context) }
    func rectangle(_ x: Double, _ y: Double, _ w: Double, _ h: Double) { cairo_rectangle(context, x, y, w, h) }

    /// Adds a closed circle as its own sub-path.
    func circle(_ x: Double, _ y: Double, radius: Double) {
        cairo_new_sub_path(context)
        cairo_arc(context, x, y, radius, 0, 2 * Double.pi)
        cairo_close_path(context)
    }

    func stroke() { cairo_stroke(context) }
    func fill() { cairo_fill(context) }
    func clip() { cairo_clip(context) }

    // MARK: Text

    func setFontSize(_ size: Double) { cairo_set_font_size(context, size) }

    /// Advance width of `text` at the current font size, in points.
    func textWidth(_ text: String) -> Double {
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, text, &extents)
        return extents.x_advance
    }

    /// `text` cut into runs: those the Japanese font covers (nil) and those drawn with a fallback
    /// face (a character no installed font has stays with the Japanese font).
    func fontRuns(_ text: String) -> [(text: String, face: FontFace?)] {
        var runs: [(text: String, face: FontFace?)] = []
        for character in text {
            var face: FontFace?
            if let scalar = character.unicodeScalars.first, !fontFace.covers(scalar) {
                face = FallbackFaces.shared.face(for: scalar)
            }
            if let last = runs.last, last.face === face {
                runs[runs.count - 1].text.append(character)
            } else {
                runs.append((String(character), face))
            }
        }
        return runs
    }

    /// As ``textWidth(_:)``, measuring characters the Japanese font lacks with their fallback face.
    func textWidthWithFallback(_ text: String) -> Double {
        let runs = fontRuns(text)
        guard runs.count > 1 || runs.first?.face != nil else { return textWidth(text) }
        defer { cairo_set_font_face(context, fontFace.face) }
        return runs.reduce(0) { total, run in
            cairo_set_font_face(context, (run.face ?? fontFace).face)
            return total + textWidth(run.text)
        }
    }

    /// As ``showText(_:x:y:)``, drawing characters the Japanese font lacks with a fallback face.
    func showTextWithFallback(_ text: String, x: Double, y: Double) {
        var cursor = x
        defer { cairo_set_font_face(context, fontFace.face) }
        for run in fontRuns(text) {
            cairo_set_font_face(context, (run.face ?? fontFace).face)
            showText(run.text, x: cursor, y: y)
            cursor += textWidth(run.text)
        }
    }

    /// Draws `text` with its baseline starting at (x, y).
    func showText(_ text: String, x: Double, y: Double) {
        cairo_move_to(context, x, y)
        cairo_show_text(context, text)
        cairo_new_path(context)
    }

    func translate(_ x: Double, _ y: Double) { cairo_translate(context, x, y) }
    func rotate(_ radians: Double) { cairo_rotate(context, radians) }
    func scale(_ factor: Double) { cairo_scale(context, factor, factor) }

    // MARK: Pages (PDF)

    /// Ends the current page of a paged document (PDF) and starts a blank one.
    func showPage() { cairo_show_page(context) }

    /// Document metadata of a PDF canvas (ignored by other kinds).
    ///
    /// Dates are ISO-8601 `YYYY-MM-DDThh:mm:ssZ`; setting them keeps Cairo from stamping the
    /// clock's time into the file, so the same drawing gives the same bytes.
    func setPDFMetadata(title: String, creator: String, createDate: String, modDate: String) {
        guard cairo_surface_get_type(surface) == CAIRO_SURFACE_TYPE_PDF else { return }
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, creator)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, createDate)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, modDate)
    }

    // MARK: Output

    /// Checks the context for a sticky error.
    func check(_ operation: String) throws {
        let status = cairo_status(context)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlotError.cairo(operation: operation, status: String(cString: cairo_status_to_string(status)))
        }
    }

    /// Finishes a streamed document (SVG/PDF): everything is flushed to its file.
    func finish() throws {
        try check("drawing")
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlotError.cairo(operation: "surface finish", status: String(cString: cairo_status_to_string(status)))
        }
    }

    /// Writes an image canvas as PNG to `path`.
    func writePNG(to path: String) throws {
        try check("drawing")
        cairo_surface_flush(surface)
        let status = cairo_surface_write_to_png(surface, path)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlotError.cairo(
                operation: "write PNG \(path)", status: String(cString: cairo_status_to_string(status)))
        }
    }
}
