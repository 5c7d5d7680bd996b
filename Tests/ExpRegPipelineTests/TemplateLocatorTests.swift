import ExpRegPipeline
import ExpRegTestSupport
import Foundation
import Testing

@Suite struct TemplateLocatorTests {
    @Test func explicitFolderIsUsedAndAMissingOneIsTheOneInvalidInputError() throws {
        let templates = Fixtures.repositoryRoot.appendingPathComponent("templates")
        #expect(try TemplateLocator.required(environment: ["EXPREG_TEMPLATES": templates.path]).path == templates.path)
        #expect(TemplateLocator.locate(environment: ["EXPREG_TEMPLATES": "/nonexistent/templates"]) == nil)
        #expect {
            try TemplateLocator.required(environment: ["EXPREG_TEMPLATES": "/nonexistent/templates"])
        } throws: { error in
            (error as? PipelineError)?.status == .invalidInput && "\(error)".contains("set EXPREG_TEMPLATES")
        }
    }
}
