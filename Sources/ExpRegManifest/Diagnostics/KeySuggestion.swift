/// "Did you mean …?" suggestions for misspelled keys and values.
enum KeySuggestion {
    /// The candidate closest to `word` by edit distance (case-insensitive), if close enough:
    /// distance ≤ 2, or ≤ 3 for words of 10 or more characters. Ties go to the earlier candidate.
    static func nearest(to word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        let limit = lowered.count >= 10 ? 3 : 2
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased(), limit: limit)
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// `did you mean `x`?` for the nearest candidate, else nil.
    static func didYouMean(_ word: String, among candidates: [String]) -> String? {
        nearest(to: word, among: candidates).map { "did you mean `\($0)`?" }
    }

    /// Levenshtein distance (insertions, deletions, substitutions), giving up early with
    /// `limit + 1` when the strings' lengths already differ by more than `limit`.
    ///
    /// - Complexity: O(a·b) in the lengths of the strings.
    static func editDistance(_ a: String, _ b: String, limit: Int = .max) -> Int {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        if abs(x.count - y.count) > limit { return limit == .max ? limit : limit + 1 }
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
