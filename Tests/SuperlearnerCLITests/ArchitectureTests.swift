import Foundation
import Testing

/// docs/architecture.md against Package.swift: its table of modules and their dependencies is generated
/// from `swift package dump-package` (SUPERLEARNER_WRITE_DOCS=1, which `make docs` sets, rewrites it), and
/// every module in `Sources/` has a section.
@Suite("docs/architecture.md matches the package")
struct ArchitectureTests {
    static let root = Repository.root

    struct Module {
        var name: String
        var ours: [String]
        var packages: [String]
    }

    /// The modules in `Sources/`, lowest layer first (then by name), from the package's own description.
    static func modules() throws -> [Module] {
        // A scratch directory of its own: `swift test` holds the lock on .build, and SwiftPM would wait for it.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sl-dump-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "swift", "package", "--package-path", root.path, "--scratch-path", scratch.path, "dump-package",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let package = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let targets = try #require(package["targets"] as? [[String: Any]])
        var modules: [String: Module] = [:]
        for target in targets {
            guard let name = target["name"] as? String, target["type"] as? String != "test",
                target["path"] == nil || target["path"] is NSNull
            else { continue }
            var module = Module(name: name, ours: [], packages: [])
            for dependency in target["dependencies"] as? [[String: Any]] ?? [] {
                if let byName = (dependency["byName"] ?? dependency["target"]) as? [Any],
                    let name = byName.first as? String
                {
                    module.ours.append(name)
                } else if let product = dependency["product"] as? [Any], let name = product.first as? String,
                    let from = product[1] as? String
                {
                    module.packages.append("\(name) (\(from))")
                }
            }
            modules[name] = module
        }
        // A module's layer: one above the highest of its dependencies.
        var layers: [String: Int] = [:]
        func layer(_ name: String) -> Int {
            if let known = layers[name] { return known }
            let value = (modules[name]?.ours.map { layer($0) + 1 }.max()) ?? 0
            layers[name] = value
            return value
        }
        return modules.values.sorted { (layer($0.name), $0.name) < (layer($1.name), $1.name) }
    }

    static func table(_ modules: [Module]) -> String {
        var lines = ["| Module | Depends on (ours) | Packages |", "|---|---|---|"]
        for module in modules {
            let ours = module.ours.sorted().map { "`\($0)`" }.joined(separator: ", ")
            lines.append(
                "| `\(module.name)` | \(ours.isEmpty ? "—" : ours) | \(module.packages.isEmpty ? "—" : module.packages.sorted().joined(separator: ", ")) |"
            )
        }
        return lines.joined(separator: "\n")
    }

    @Test func theModuleTableIsGeneratedFromPackageSwift() throws {
        try Repository.expectGeneratedSection(
            of: "docs/architecture.md", between: "<!-- modules: generated from Package.swift -->",
            and: "<!-- end modules -->", is: Self.table(try Self.modules()))
    }

    @Test func everyModuleInSourcesHasASection() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let folders = try FileManager.default.contentsOfDirectory(
            atPath: Self.root.appendingPathComponent("Sources").path)
        #expect(folders.count > 10)
        for folder in folders.sorted() {
            #expect(text.contains("### `\(folder)`"), "docs/architecture.md has no section on \(folder)")
        }
    }
}
