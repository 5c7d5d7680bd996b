import ExpRegCore
import Foundation
import Testing

@Suite("One field list for the diagnostics; one formatter per byte unit")
struct FieldsAndFormatsTests {
    @Test("a run's diagnostics encode under the field names, explicit nulls included, and decode back")
    func diagnosticsCodable() throws {
        var d = TheoryDiagnostics(lambdaStar: 0.5, envelopeViolations: 3, widthConditionMet: true)
        d[.gramDistanceInit] = .real(0.125)
        let data = try JSONEncoder().encode(d)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == Set(DiagnosticField.allCases.map(\.rawValue)))
        #expect(object["lambda_star"] as? Double == 0.5 && object["envelope_violations"] as? Int == 3)
        #expect(object["width_condition_met"] as? Bool == true && object["observed_rate"] is NSNull)
        #expect(try JSONDecoder().decode(TheoryDiagnostics.self, from: data) == d)
        // Setting a value of another kind leaves a field as it was.
        d[.envelopeViolations] = .real(1)
        #expect(d.envelopeViolations == 3)
        #expect(TheoryDiagnostics(lambdaStar: .nan, maxPreactivation: .infinity).finite == TheoryDiagnostics())
    }

    @Test("byte counts: one formatter per unit, and the working-set and file-size rules built on them")
    func byteFormats() {
        #expect(ByteFormat.gibibytes(4_198_498_222) == "3.91 GiB")
        #expect(ByteFormat.mebibytes(32_000_000) == "31 MiB" && ByteFormat.mebibytes(1) == "1 MiB")
        #expect(ByteFormat.memory(1_073_741_824) == "1.00 GiB" && ByteFormat.memory(1_073_741_823) == "1024 MiB")
        #expect(ByteFormat.memory(0) == "1 MiB")
        #expect(ByteFormat.size(812) == "812 B" && ByteFormat.size(-3) == "0 B")
        #expect(ByteFormat.size(4_300) == "4.2 KiB" && ByteFormat.size(2_936_012) == "2.8 MiB")
        #expect(ByteFormat.size(1_395_864_371) == "1.3 GiB")
    }
}
