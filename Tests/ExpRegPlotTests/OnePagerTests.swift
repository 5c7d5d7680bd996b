import ExpRegCore
import ExpRegTestSupport
import Foundation
import Testing

@testable import ExpRegPlot

/// The one-pager's layout: line breaking, markup, and real PDFs opened with poppler.
@Suite struct OnePagerLayoutTests {
    /// Every character one unit wide: the breaking rules alone decide.
    static var unitWidth: LineBreaker { LineBreaker { text, _ in Double(text.count) } }

    static func plain(_ lines: [[LineBreaker.Piece]]) -> [String] { lines.map { $0.map(\.text).joined() } }

    @Test func japaneseBreaksKeepPunctuationOffTheLineStart() {
        let text = "あいうえお。かきくけこ、さしすせそ「たちつてと」なにぬねの"
        let lines = Self.plain(Self.unitWidth.lines([InlineSpan(text: text, style: .plain)], maxWidth: 5))
        #expect(lines.joined() == text, "no character lost or added")
        for line in lines {
            #expect(line.count <= 5, "line '\(line)' is wider than 5")
            #expect(!LineBreaker.noLineStart.contains(line.first!), "line '\(line)' starts with closing punctuation")
            #expect(!LineBreaker.noLineEnd.contains(line.last!), "line '\(line)' ends with an opening bracket")
        }
    }

    @Test func latinWordsAreNotSplitAndSpacesVanishAtBreaks() {
        let lines = Self.plain(
            Self.unitWidth.lines([InlineSpan(text: "alpha beta gamma delta", style: .plain)], maxWidth: 11))
        #expect(lines == ["alpha beta", "gamma delta"])
    }

    @Test func aTokenWiderThanTheLineIsCutBetweenCharacters() {
        let id = "20261129T043000Z-nightly-exp-with-a-long-name"
        let lines = Self.plain(Self.unitWidth.lines([InlineSpan(text: "batch " + id, style: .code)], maxWidth: 12))
        #expect(lines.allSatisfy { $0.count <= 12 })
        #expect(lines.joined() == "batch" + id)
    }

    @Test func stylesSurviveWrapping() {
        let spans = InlineSpan.parse("**結論:** 全8件が `quick` で到達")
        #expect(spans.map(\.style) == [.strong, .plain, .code, .plain])
        let lines = Self.unitWidth.lines(spans, maxWidth: 6)
        #expect(lines.flatMap { $0 }.contains { $0.style == .code && $0.text == "quick" })
        #expect(lines.allSatisfy { line in (line.last.map { $0.x + $0.width } ?? 0) <= 6 })
    }

    @Test func markupLinesBecomeBlocks() {
        let blocks = OnePagerBlock.parse(
            """
            # タイトル
            % 開始 2026-11-29
            ## 要約
            **要点**
            1. **一:** 本文
            - 箇条
            |# a | b
            |! `max_final_loss` | 不合格
            @figure loss
            ふつうの段落 **強調** と `code` と **閉じない
            """)
        #expect(blocks.count == 10)
        #expect(blocks[3] == .subheading([InlineSpan(text: "要点", style: .strong)]))
        #expect(
            blocks[4]
                == .numbered(
                    marker: "1.", [InlineSpan(text: "一:", style: .strong), InlineSpan(text: " 本文", style: .plain)]))
        #expect(
            blocks[7]
                == .tableRow(
                    kind: .failed,
                    cells: [
                        [InlineSpan(text: "max_final_loss", style: .code)],
                        [InlineSpan(text: "不合格", style: .plain)],
                    ]))
        #expect(blocks[8] == .figure(name: "loss"))
        guard case .paragraph(let spans) = blocks[9] else {
            Issue.record("not a paragraph")
            return
        }
        #expect(spans.last == InlineSpan(text: " と **閉じない", style: .plain), "an unclosed marker stays text")
    }
}

/// Real PDFs from ``OnePager`` opened with poppler-utils.
@Suite struct OnePagerPDFTests {
    static let summary = """
        # 指数活性化ネットワークの夜間検証
        % 開始 2026-11-29 04:30:00 UTC · バッチ `20261129T043000Z-nightly-exp` · 状態 completed
        ## エグゼクティブサマリー
        **結論:** 全18件が目標誤差に到達し、ゲートはすべて通過しました。
        **要点**
        1. **理論との一致:** 理論の収束保証線を全シードで守りました。
        **リスク・注意点**
        - 論文の十分条件 ‖H(0)−H*‖ ≤ λ*/4 を満たしていません。
        **次のアクション**
        - 現行の設定のまま夜間検証を継続する。
        ## ゲート
        |# ゲート | 結果 | 詳細
        |+ `max_final_loss` | 合格 | 0 of 18 runs above 1.0e-04
        @figure loss
        @figure gram_distance
        """

    static func document(_ markup: String) -> OnePagerDocument {
        OnePagerDocument(
            markup: markup, title: "夜間検証", createdAt: Date(timeIntervalSince1970: 1_795_926_600),
            modifiedAt: Date(timeIntervalSince1970: 1_795_926_660), footer: "20261129T043000Z-nightly-exp")
    }

    @Test func aShortSummaryIsOneA4PageWithEmbeddedJapaneseTextAndVectorFigures() throws {
        let folder = TemporaryDirectory(prefix: "expreg-onepager")
        let path = folder.url.appendingPathComponent("report.pdf").path
        let pages = try OnePager.writePDF(
            Self.document(Self.summary), batch: try SampleBatch.make(),
            trend: try SampleBatch.trend(count: 3), to: path)
        #expect(pages == 1)
        let info = try PDFInspection.info(path)
        #expect(info["Pages"] == "1")
        #expect(
            info["Page size"]?.hasPrefix("595.276 x 841.89 pts (A4)") == true, "page size \(info["Page size"] ?? "?")")
        #expect(
            info["CreationDate"]?.contains("2026") == true && info["CreationDate"]?.contains("04:30:00") == true,
            "creation date from the document, not the clock: \(info["CreationDate"] ?? "?")")
        let fonts = try PDFInspection.fonts(path)
        #expect(fonts.contains { $0.name.hasSuffix("+IPAexGothic") && $0.embedded && $0.hasUnicodeMap }, "\(fonts)")
        #expect(fonts.allSatisfy { $0.embedded }, "every font is embedded: \(fonts)")
        let text = PDFInspection.squeezed(try PDFInspection.text(path))
        for words in [
            "結論:全18件が目標誤差に到達し", "理論との一致", "‖H(0)−H*‖≤λ*/4", "次のアクション",
            "max_final_loss", "合格", "損失の推移", "20261129T043000Z-nightly-exp",
        ] {
            #expect(text.contains(PDFInspection.squeezed(words)), "pdftotext lacks '\(words)'")
        }
        // Vectors, not bitmaps: no image XObject in the file.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.range(of: Data("/Subtype /Image".utf8)) == nil)
        // pdftoppm's page 1 is not blank: ink and colour (the series colours of the figures).
        let png = try PDFInspection.renderPage(path, dpi: 40, into: folder.url)
        let image = try RasterImage(pngPath: png)
        let ink = image.pixels.filter { $0 != .white }.count
        #expect(Double(ink) / Double(image.pixels.count) > 0.03, "page 1 is almost blank")
        #expect(image.pixels.contains { $0.blue > 150 && $0.red < 80 }, "no blue series on page 1")
    }

    /// A nightly-sized page: the archived golden summary (two experiments, a previous batch),
    /// three gates and both figures of a 3-width × 2-activation × 3-seed batch fit one page.
    @Test func aNightlySizedSummaryWithThreeGatesFitsOnePage() throws {
        let summary = try String(
            contentsOf: Fixtures.directory.appendingPathComponent("archive/golden/summary.ja.md"),
            encoding: .utf8)
        let markup =
            "# 指数活性化ネットワークの夜間検証\n"
            + "% 開始 2026-11-29 04:30:00 UTC · バッチ `20261129T043000Z-nightly-exp` · 状態 completed · run 18 / 18 件\n"
            + summary + "\n## ゲート\n"
            + "|+ `max_final_loss` | 合格 | 0 of 18 runs above 1.0e-05\n"
            + "|+ `max_diverged` | 合格 | 0 diverged or failed (limit 0)\n"
            + "|! `max_regression` | 不合格 | 2 of 18 runs beyond 2.00x the previous batch\n"
            + "@figure loss\n@figure gram_distance\n"
        let folder = TemporaryDirectory(prefix: "expreg-onepager-nightly")
        let path = folder.url.appendingPathComponent("nightly.pdf").path
        let pages = try OnePager.writePDF(Self.document(markup), batch: try SampleBatch.make(), trend: [], to: path)
        #expect(pages == 1)
        let text = PDFInspection.squeezed(try PDFInspection.text(path))
        for line in summary.split(separator: "\n") {
            var phrase = String(line)
            for prefix in ["## ", "- ", "1. ", "2. ", "3. "] where phrase.hasPrefix(prefix) {
                phrase.removeFirst(prefix.count)
            }
            phrase = PDFInspection.squeezed(
                phrase.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "`", with: ""))
            #expect(text.contains(phrase), "pdftotext lacks: \(phrase)")
        }
        // Below the content area there is only the footer (its words, nothing of the page's content).
        let words = try PDFInspection.words(path)
        let footer = words.filter { $0.yMax > OnePager.pageHeight - OnePager.marginBottom + 1 }
        #expect(!footer.isEmpty)
        #expect(
            Set(footer.map(\.text)).isSubset(of: ["ExpReg", "·", "20261129T043000Z-nightly-exp", "1", "/"]), "\(footer)"
        )
        #expect(
            words.allSatisfy { $0.xMin >= OnePager.marginX - 1 && $0.xMax <= OnePager.pageWidth - OnePager.marginX + 1 }
        )
    }

    @Test func theSameDocumentGivesTheSameBytes() throws {
        let folder = TemporaryDirectory(prefix: "expreg-onepager-twice")
        let a = folder.url.appendingPathComponent("a.pdf").path
        let b = folder.url.appendingPathComponent("b.pdf").path
        let batch = try SampleBatch.make()
        let trend = try SampleBatch.trend(count: 3)
        try OnePager.writePDF(Self.document(Self.summary), batch: batch, trend: trend, to: a)
        try OnePager.writePDF(Self.document(Self.summary), batch: batch, trend: trend, to: b)
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
    }

    @Test func longTextWrapsInsideTheMarginsAndFlowsOntoASecondPage() throws {
        let title = String(repeating: "とても長いマニフェストのタイトル long-title-segment ", count: 8)
        var markup = "# \(title)\n% バッチ `\(String(repeating: "x", count: 180))`\n## 要点\n"
        for i in 1...45 {
            markup += "- 実験 `experiment-\(i)`(指数活性化、幅 256〜16,384)では、‖H(0)−H*‖ の幅に対する傾きが -0.5\(i % 10) で、幅とともに縮んでいます。\n"
        }
        markup +=
            "|# ゲート | 結果 | 詳細\n|! `max_final_loss` | 不合格 | "
            + String(repeating: "7 of 90 runs above 1.0e-04; ", count: 12) + "\n"
        markup += "@figure loss\n@figure gram_distance\n"
        let folder = TemporaryDirectory(prefix: "expreg-onepager-long")
        let path = folder.url.appendingPathComponent("long.pdf").path
        let pages = try OnePager.writePDF(Self.document(markup), batch: try SampleBatch.make(), trend: [], to: path)
        #expect(pages >= 2, "45 long bullets and two figures cannot fit one page")
        #expect(try PDFInspection.info(path)["Pages"] == String(pages))
        let words = try PDFInspection.words(path)
        #expect(words.count > 500)
        let right = OnePager.pageWidth - OnePager.marginX
        let bottom = OnePager.pageHeight - 20
        let outside = words.filter {
            $0.xMin < OnePager.marginX - 1 || $0.xMax > right + 1 || $0.yMax > bottom || $0.yMin < 20
        }
        #expect(outside.isEmpty, "words outside the margins: \(outside.prefix(5))")
        let text = PDFInspection.squeezed(try PDFInspection.text(path))
        #expect(text.contains(PDFInspection.squeezed(title)), "the long title is wrapped, not cut")
        #expect(text.contains("experiment-45"))
    }

    @Test func anUnknownFigureIsAClearError() throws {
        let folder = TemporaryDirectory(prefix: "expreg-onepager-bad")
        #expect(throws: PlotError.self) {
            try OnePager.writePDF(
                Self.document("@figure nosuch"), batch: try SampleBatch.make(), trend: [],
                to: folder.url.appendingPathComponent("x.pdf").path)
        }
        #expect(PlotError.unknownFigure(name: "nosuch").description.contains("gram_distance"))
    }
}
