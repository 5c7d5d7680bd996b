import Foundation
import Testing

@testable import ExpRegPlot

/// The chart font is chosen explicitly and really has Japanese glyphs (asked of fontconfig).
@Suite struct FontTests {
    @Test func chosenFontHasJapaneseGlyphs() throws {
        let font = try JapaneseFont.chosen()
        #expect(font.family == "IPAexGothic", "expected IPAexGothic (fonts-ipaexfont-gothic), got \(font.family)")
        #expect(FileManager.default.fileExists(atPath: font.file))
        for scalar in ["損", "失", "推", "移", "幅", "λ"].flatMap(\.unicodeScalars) {
            #expect(
                JapaneseFont.fileHasGlyph(font.file, for: scalar),
                "\(font.file) lacks U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test func glyphCheckCanFail() throws {
        let font = try JapaneseFont.chosen()
        // U+1F600 (emoji) is not in IPAexGothic; a missing file has no glyphs at all.
        #expect(!JapaneseFont.fileHasGlyph(font.file, for: "\u{1F600}"))
        #expect(!JapaneseFont.fileHasGlyph("/nonexistent/font.ttf", for: "損"))
    }

    @Test func missingFontErrorSaysHowToFix() {
        let message = PlotError.noJapaneseFont(tried: ["IPAexGothic"]).description
        #expect(message.contains("apt-get install fonts-ipaexfont-gothic"))
    }
}
