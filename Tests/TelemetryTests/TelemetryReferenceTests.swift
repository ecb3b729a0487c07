import Foundation
import Testing

@testable import Telemetry

/// docs/telemetry.md is generated from the sources: every event name with its doc comment (read from
/// EventName.swift, the one place both are written) and every metric with its help text (MetricCatalog).
@Suite struct TelemetryReferenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The events declared in EventName.swift: (name, what its doc comment says), in declaration order.
    static func events() throws -> [(name: String, meaning: String)] {
        let source = try String(contentsOfFile: root + "/Sources/Telemetry/EventName.swift", encoding: .utf8)
        var events: [(String, String)] = []
        var comment: [String] = []
        for line in source.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("/// ") {
                comment.append(String(line.dropFirst(4)))
            } else if line.hasPrefix("public static let "), let open = line.firstIndex(of: "\""),
                let close = line.lastIndex(of: "\""), open < close
            {
                events.append((String(line[line.index(after: open)..<close]), comment.joined(separator: " ")))
                comment = []
            } else {
                comment = []
            }
        }
        return events
    }

    static func markdown() throws -> String {
        var out = """
            # Telemetry reference

            Generated from the sources (`make docs`): the events from `Sources/Telemetry/EventName.swift`, the
            metrics from `MetricCatalog`. Events are read with `superlearner events`, `superlearner wait EVENT`,
            `GET /api/v1/events` (server-sent events) and `telemetry export`; metrics with `GET /metrics`
            (Prometheus text), `superlearner telemetry` and the dashboard. Every event carries `name`,
            `sequence`, `time`, `measurements` and `metadata`; the names in parentheses are its metadata keys.
            Metric labels are bounded: never a path, a sandbox id or a PID.

            ## Events

            | Event | When |
            |---|---|

            """
        for event in try events() {
            out += "| `\(event.name)` | \(event.meaning.replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        out += "\n## Metrics\n\n| Metric | What it counts |\n|---|---|\n"
        for (name, help) in MetricCatalog.help.sorted(by: { $0.key < $1.key }) {
            out += "| `\(name)` | \(help) |\n"
        }
        return out
    }

    /// `SUPERLEARNER_WRITE_DOCS=1 swift test --filter TelemetryReferenceTests` rewrites the committed page.
    @Test func theCommittedReferenceMatchesTheSources() throws {
        let path = Self.root + "/docs/telemetry.md"
        let expected = try Self.markdown()
        if ProcessInfo.processInfo.environment["SUPERLEARNER_WRITE_DOCS"] != nil {
            try expected.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(
            (try? String(contentsOfFile: path, encoding: .utf8)) == expected,
            "docs/telemetry.md is stale: run make docs")
    }

    @Test func everyDeclaredEventIsReadWithItsMeaning() throws {
        let events = try Self.events()
        #expect(events.count >= 27)
        #expect(events.allSatisfy { !$0.meaning.isEmpty }, "every event has a doc comment")
        #expect(events.contains { $0.name == EventName.supervisorRestart && $0.meaning.contains("restarted a child") })
        #expect(Set(events.map(\.name)).count == events.count, "no event name is declared twice")
    }
}
