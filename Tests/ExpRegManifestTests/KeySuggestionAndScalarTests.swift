import Testing

@testable import ExpRegManifest

@Suite struct KeySuggestionTests {
    @Test func editDistance() {
        #expect(KeySuggestion.editDistance("width", "widht") == 2)
        #expect(KeySuggestion.editDistance("", "abc") == 3)
        #expect(KeySuggestion.editDistance("kitten", "sitting") == 3)
        #expect(KeySuggestion.editDistance("same", "same") == 0)
    }

    @Test func nearestRespectsTheLimit() {
        let keys = ["activation", "width", "init_scale"]
        #expect(KeySuggestion.nearest(to: "widht", among: keys) == "width")
        #expect(KeySuggestion.nearest(to: "Width", among: keys) == "width")
        #expect(KeySuggestion.nearest(to: "initscale", among: keys) == "init_scale")
        #expect(KeySuggestion.nearest(to: "banana", among: keys) == nil)
        #expect(ConfigKey.suggestion(forDotted: "width") == "did you mean `model.width`?")
        #expect(ConfigKey.suggestion(forDotted: "train.step") == "did you mean `train.steps`?")
    }
}

@Suite struct ScalarTextTests {
    @Test func plainScalarsAreClassified() {
        #expect(ScalarText(plain: "") == .null)
        #expect(ScalarText(plain: "~") == .null)
        #expect(ScalarText(plain: "True") == .bool(true))
        #expect(ScalarText(plain: "-12") == .integer("-12"))
        #expect(ScalarText(plain: "+12") == .integer("12"))
        #expect(ScalarText(plain: "0x1F") == .integer("31"))
        #expect(ScalarText(plain: "0o17") == .integer("15"))
        #expect(ScalarText(plain: "1e3") == .float(1000))
        #expect(ScalarText(plain: ".5") == .float(0.5))
        #expect(ScalarText(plain: "-.inf") == .float(-.infinity))
        #expect(ScalarText(plain: "1_000") == .string("1_000"))
        #expect(ScalarText(plain: "yes") == .string("yes"))
        #expect(ScalarText(plain: "1e") == .string("1e"))
        #expect(ScalarText(plain: "0x") == .string("0x"))
    }

    @Test func floatLiteralGrammar() {
        for good in ["1", "-1.5", "+.5", "5.", "1e-6", "1.0E+3"] { #expect(ScalarText.isFloatLiteral(good), "\(good)") }
        for bad in ["", ".", "e3", "1e", "1.2.3", "nan", "inf", "0x10", " 1"] {
            #expect(!ScalarText.isFloatLiteral(bad), "\(bad)")
        }
    }
}
