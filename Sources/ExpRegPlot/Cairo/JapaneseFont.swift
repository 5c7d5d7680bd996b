internal import CCairo
import Foundation

/// The font the charts draw all text with: a face that has Japanese glyphs, chosen via fontconfig.
///
/// Lookup order: the family `IPAexGothic` (Debian `fonts-ipaexfont-gothic`), then any font
/// fontconfig offers for `:lang=ja`. A candidate is accepted only if its character set has the
/// probe characters 損 (U+640D), 推 (U+63A8) and λ (U+03BB) — fontconfig always returns *some*
/// font, so the match itself proves nothing.
public struct JapaneseFont: Sendable, Equatable {
    /// The family name fontconfig reports for the chosen file, e.g. `IPAexGothic`.
    public var family: String
    /// The font file, e.g. `/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf`.
    public var file: String

    /// Code points every accepted font must cover (Japanese title glyphs and λ).
    public static let probeCharacters: [Unicode.Scalar] = ["\u{640D}", "\u{63A8}", "\u{03BB}"]

    /// The font used by every chart (looked up once per process).
    /// - Throws: ``PlotError/noJapaneseFont(tried:)`` when no installed font covers the probes.
    public static func chosen() throws -> JapaneseFont {
        try FontFaceCache.shared.get().font
    }

    /// Asks fontconfig whether the font file at `file` has a glyph for `scalar`.
    ///
    /// Used by tests and diagnostics to prove the chosen font really covers Japanese text.
    package static func fileHasGlyph(_ file: String, for scalar: Unicode.Scalar) -> Bool {
        var count: Int32 = 0
        let queried = withFcString(file) { FcFreeTypeQuery($0, 0, nil, &count) }
        guard let queried else { return false }
        defer { FcPatternDestroy(queried) }
        var charset: OpaquePointer?
        guard FcPatternGetCharSet(queried, "charset", 0, &charset) == FcResultMatch, let charset else { return false }
        return FcCharSetHasChar(charset, scalar.value) != 0
    }
}

/// Owns the Cairo font face built from the matched fontconfig pattern (one per process).
///
/// Cairo font faces are reference counted and safe to share between threads.
final class FontFace: @unchecked Sendable {
    let font: JapaneseFont
    let face: OpaquePointer
    /// The font's character set (fontconfig, owned), or nil when unknown.
    private let charset: OpaquePointer?

    init(font: JapaneseFont, face: OpaquePointer, charset: OpaquePointer? = nil) {
        self.font = font
        self.face = face
        self.charset = charset
    }

    deinit {
        cairo_font_face_destroy(face)
        if let charset { FcCharSetDestroy(charset) }
    }

    /// Whether the font has a glyph for `scalar` (true when the character set is unknown).
    func covers(_ scalar: Unicode.Scalar) -> Bool {
        guard let charset else { return true }
        return FcCharSetHasChar(charset, scalar.value) != 0
    }
}

/// Faces for characters the Japanese font lacks (e.g. ≤ U+2264 in IPAexGothic), looked up once
/// per character with fontconfig (`sans-serif` with that character in its charset).
final class FallbackFaces: @unchecked Sendable {
    static let shared = FallbackFaces()
    private let lock = NSLock()
    private var byScalar: [UInt32: FontFace?] = [:]
    private var byFile: [String: FontFace] = [:]

    /// A face that has a glyph for `scalar`, or nil when no installed font has one.
    func face(for scalar: Unicode.Scalar) -> FontFace? {
        lock.lock()
        defer { lock.unlock() }
        if let known = byScalar[scalar.value] { return known }
        var found: FontFace?
        if let candidate = FontFaceCache.match(covering: scalar) {
            // One face per file, so a document embeds each fallback font once.
            found = byFile[candidate.font.file] ?? candidate
            byFile[candidate.font.file] = found
        }
        byScalar[scalar.value] = found
        return found
    }
}

/// Looks the font up once and keeps the result (success or the error) for the process.
final class FontFaceCache: @unchecked Sendable {
    static let shared = FontFaceCache()
    private let lock = NSLock()
    private var result: Result<FontFace, PlotError>?

    func get() throws -> FontFace {
        lock.lock()
        defer { lock.unlock() }
        if let result { return try result.get() }
        let fresh = Self.lookUp()
        result = fresh
        return try fresh.get()
    }

    private static func lookUp() -> Result<FontFace, PlotError> {
        let queries = ["IPAexGothic", ":lang=ja"]
        for query in queries {
            if let found = match(query) { return .success(found) }
        }
        return .failure(.noJapaneseFont(tried: queries))
    }

    /// Matches one fontconfig query; returns nil unless the match covers every probe character.
    private static func match(_ query: String) -> FontFace? {
        guard FcInit() != 0, let pattern = withFcString(query, { FcNameParse($0) }) else { return nil }
        defer { FcPatternDestroy(pattern) }
        FcConfigSubstitute(nil, pattern, FcMatchPattern)
        FcDefaultSubstitute(pattern)
        var result = FcResultNoMatch
        guard let matched = FcFontMatch(nil, pattern, &result), result == FcResultMatch else { return nil }
        var charset: OpaquePointer?
        var familyPointer: UnsafeMutablePointer<FcChar8>?
        var filePointer: UnsafeMutablePointer<FcChar8>?
        guard FcPatternGetCharSet(matched, "charset", 0, &charset) == FcResultMatch, let charset,
            JapaneseFont.probeCharacters.allSatisfy({ FcCharSetHasChar(charset, $0.value) != 0 }),
            FcPatternGetString(matched, "family", 0, &familyPointer) == FcResultMatch, let familyPointer,
            FcPatternGetString(matched, "file", 0, &filePointer) == FcResultMatch, let filePointer
        else {
            FcPatternDestroy(matched)
            return nil
        }
        let font = JapaneseFont(family: String(cString: familyPointer), file: String(cString: filePointer))
        let ownCharset = FcCharSetCopy(charset)
        // The face keeps its own reference to the pattern.
        guard let face = cairo_ft_font_face_create_for_pattern(matched) else {
            FcPatternDestroy(matched)
            if let ownCharset { FcCharSetDestroy(ownCharset) }
            return nil
        }
        FcPatternDestroy(matched)
        guard cairo_font_face_status(face) == CAIRO_STATUS_SUCCESS else {
            cairo_font_face_destroy(face)
            if let ownCharset { FcCharSetDestroy(ownCharset) }
            return nil
        }
        return FontFace(font: font, face: face, charset: ownCharset)
    }

    /// The `sans-serif` face fontconfig picks for text containing `scalar`, if it has the glyph.
    static func match(covering scalar: Unicode.Scalar) -> FontFace? {
        guard FcInit() != 0, let pattern = withFcString("sans-serif", { FcNameParse($0) }) else { return nil }
        defer { FcPatternDestroy(pattern) }
        guard let wanted = FcCharSetCreate() else { return nil }
        FcCharSetAddChar(wanted, scalar.value)
        FcPatternAddCharSet(pattern, "charset", wanted)
        FcCharSetDestroy(wanted)
        FcConfigSubstitute(nil, pattern, FcMatchPattern)
        FcDefaultSubstitute(pattern)
        var result = FcResultNoMatch
        guard let matched = FcFontMatch(nil, pattern, &result), result == FcResultMatch else { return nil }
        var charset: OpaquePointer?
        var familyPointer: UnsafeMutablePointer<FcChar8>?
        var filePointer: UnsafeMutablePointer<FcChar8>?
        guard FcPatternGetCharSet(matched, "charset", 0, &charset) == FcResultMatch, let charset,
            FcCharSetHasChar(charset, scalar.value) != 0,
            FcPatternGetString(matched, "family", 0, &familyPointer) == FcResultMatch, let familyPointer,
            FcPatternGetString(matched, "file", 0, &filePointer) == FcResultMatch, let filePointer,
            let face = cairo_ft_font_face_create_for_pattern(matched)
        else {
            FcPatternDestroy(matched)
            return nil
        }
        let font = JapaneseFont(family: String(cString: familyPointer), file: String(cString: filePointer))
        let ownCharset = FcCharSetCopy(charset)
        FcPatternDestroy(matched)
        guard cairo_font_face_status(face) == CAIRO_STATUS_SUCCESS else {
            cairo_font_face_destroy(face)
            if let ownCharset { FcCharSetDestroy(ownCharset) }
            return nil
        }
        return FontFace(font: font, face: face, charset: ownCharset)
    }
}

/// Calls `body` with `string` as a NUL-terminated `FcChar8` (unsigned char) C string.
private func withFcString<R>(_ string: String, _ body: (UnsafePointer<FcChar8>) -> R) -> R {
    string.withCString { pointer in
        pointer.withMemoryRebound(to: FcChar8.self, capacity: string.utf8.count + 1) { body($0) }
    }
}
