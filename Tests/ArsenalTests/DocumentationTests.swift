import Supervision
import Testing

@testable import Arsenal

#if canImport(Glibc)
    import Glibc
#endif

/// The repository root, from this file's path.
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

func readFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}

func writeFile(_ path: String, _ text: String) {
    guard let file = fopen(path, "w") else { return }
    _ = text.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, file) }
    fclose(file)
}

@Suite("Generated documentation")
struct DocumentationTests {
    static let openAPIText = OpenAPIDocument.generate(from: .builtin()).prettyJSON() + "\n"
    static let markdownText = MarkdownReference.generate(from: .builtin())

    /// `SUPERLEARNER_WRITE_DOCS=1 swift test --filter DocumentationTests` rewrites the committed files.
    @Test(arguments: [("docs/openapi.json", openAPIText), ("docs/operations.md", markdownText)])
    func committedDocsMatchTheRegistry(path: String, expected: String) {
        let full = repositoryRoot + "/" + path
        if getenv("SUPERLEARNER_WRITE_DOCS") != nil { writeFile(full, expected) }
        #expect(readFile(full) == expected, "\(path) is stale: run make docs")
    }

    @Test func theOpenAPIDocumentHasEveryRouteAndParameter() throws {
        let document = OpenAPIDocument.generate(from: .builtin())
        #expect(document["openapi"] == "3.1.0")
        let paths = try #require(document["paths"]?.objectValue)
        #expect(paths["/api/v1/processes/{pid}/info"]?["get"]?["operationId"] == "get_process_info")
        #expect(
            paths["/api/v1/sandboxes"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["required"]
                == ["sandbox_id"])
        #expect(paths["/api/v1/sandboxes"]?["post"]?["responses"]?["201"] != nil)
        #expect(paths["/api/v1/arsenal/operations/{name}/execute"]?["post"] != nil)
        #expect(
            paths["/api/v1/processes/{pid}"]?["delete"]?["parameters"]?.arrayValue?.map { $0["in"] } == [
                "path", "query",
            ])
    }

    /// The document must satisfy an external validator, not only our own code: `make test` installs
    /// the PyPI package openapi-spec-validator before running the tests.
    @Test func theOpenAPIDocumentPassesAnExternalValidator() throws {
        let directory = "/tmp/sl-openapi-\(getpid())"
        mkdir(directory, 0o700)
        let path = directory + "/openapi.json"
        writeFile(path, Self.openAPIText)
        let command = "python3 -m openapi_spec_validator \(path) 2>&1"
        guard let pipe = popen(command, "r") else {
            Issue.record("could not run python3")
            return
        }
        var output = ""
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, 4096, pipe) != nil {
            output += String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let status = pclose(pipe)
        unlink(path)
        rmdir(directory)
        #expect(
            status == 0, "openapi-spec-validator rejected the document (run make test, which installs it): \(output)")
        #expect(output.contains("OK"), "\(output)")
    }
}
