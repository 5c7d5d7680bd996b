import ExpRegCore
import ExpRegReport

/// The readable output of `expreg probe` (without `--json`): one table row per probe, then the n-law fits.
enum ProbeTable {
    static func text(records: [ProbeRecord], laws: [ConditionLaw], options: ProbeOptions) -> String {
        let widths = ProbeGrid.widths(upTo: options.maxWidth)
        var lines = [
            "Condition probe: ‖H_m(W0) − H*‖₂ ≤ λ*/4 checked at widths 16·2^(k/4) (4 per octave) up to "
                + "\(ReportFormat.width(widths.last ?? 0)); a probe stops once the condition has held for "
                + "\(options.marginOctaves) octave\(options.marginOctaves == 1 ? "" : "s"); kernels \(options.kernels.rawValue); "
                + "W0 stream \(ProbeStream.version)"
        ]
        let header = [
            "experiment", "activation", "n", "d", "sigma", "seed", "lambda*", "lambda*/4", "crossing m_c", "first",
            "reached", "stop", "seconds",
        ]
        let rows = records.map { record -> [String] in
            let result = record.result
            let missing = ReportFormat.missing
            return [
                record.experiment, record.activation.rawValue, String(record.n), String(record.d),
                ReportFormat.magnitude(record.sigma), String(record.seed),
                result.map { formatScientific($0.lambdaStar, digits: 3) } ?? missing,
                result.map { formatScientific($0.threshold, digits: 3) } ?? missing,
                result?.crossing.width.map(ReportFormat.width) ?? (result == nil ? "error" : "not reached"),
                result?.crossing.firstWidth.map(ReportFormat.width) ?? missing,
                result.map { ReportFormat.width($0.widthReached) } ?? missing,
                result?.stop.rawValue ?? missing,
                record.seconds.map { formatFixed($0, digits: 2) } ?? missing,
            ]
        }
        lines.append(contentsOf: aligned([header] + rows))
        for record in records {
            guard let error = record.error else { continue }
            let probe = "\(record.experiment) \(record.activation.rawValue) n=\(record.n) seed=\(record.seed)"
            lines.append("  \(probe): \(error)")
        }
        if laws.isEmpty {
            lines.append("Fits m_c ≈ c·n^e: none (a fit needs crossings at two or more values of data.n)")
        } else {
            lines.append(
                "Fits m_c ≈ c·n^e (least squares on log m_c against log n; 95 % percentile bootstrap over seeds within "
                    + "each n, \(CrossingLawFit.resamples) resamples):")
        }
        for law in laws {
            let fit = law.fit
            let interval =
                fit.interval.map {
                    "[\(formatFixed($0.lowerBound, digits: 2)), \(formatFixed($0.upperBound, digits: 2))]"
                }
                ?? "(no interval: some n has a single crossing)"
            lines.append(
                "  \(law.experiment) \(law.activation.rawValue) d=\(law.d) σ=\(ReportFormat.magnitude(law.sigma)): "
                    + "exponent \(formatFixed(fit.exponent, digits: 2)) \(interval), c = "
                    + "\(ReportFormat.magnitude(fit.coefficient)); \(fit.points) crossings, \(fit.unreached) unreached")
            for group in fit.perN {
                var text =
                    "    n=\(group.n): m_c "
                    + (group.crossings.isEmpty
                        ? missing : group.crossings.map(ReportFormat.width).joined(separator: " "))
                if group.unreached > 0 { text += " (+\(group.unreached) not reached)" }
                if let lambda = group.lambdaStar { text += ", median λ* \(formatScientific(lambda, digits: 3))" }
                lines.append(text)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static var missing: String { ReportFormat.missing }

    /// Rows padded to column widths, two spaces apart, indented by two.
    private static func aligned(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { $0.count > column ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            "  "
                + row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
        }
    }
}
