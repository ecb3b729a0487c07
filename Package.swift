// swift-tools-version:6.2
import PackageDescription

// Every target: Swift 6 language mode (strict concurrency) plus the upcoming features the house style asks for.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "superlearner",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "superlearner", targets: ["superlearner"]),
        .library(name: "Supervision", targets: ["Supervision"]),
        .library(name: "Telemetry", targets: ["Telemetry"]),
        .library(name: "Sandbox", targets: ["Sandbox"]),
        .library(name: "Programs", targets: ["Programs"]),
        .library(name: "Arsenal", targets: ["Arsenal"]),
        .library(name: "Schema", targets: ["Schema"]),
        .library(name: "ArsenalHTTP", targets: ["ArsenalHTTP"]),
        .library(name: "Supertester", targets: ["Supertester"]),
        .library(name: "Playwriter", targets: ["Playwriter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Without its default traits: no swift-configuration, no full Foundation in the binary.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // The runtime: processes, links, monitors, servers, supervisors. Knows nothing above it.
        .target(
            name: "Supervision",
            dependencies: ["CSuperlearner", .product(name: "DequeModule", package: "swift-collections")],
            // Its async functions run on their caller's executor: a process's supervisor, server and start
            // code calls dozens of them per start and stop, and each call to one that may switch executors
            // asked the task for its executor preference under the task's status lock (9% of a sandbox cycle).
            swiftSettings: swiftSettings + [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        // Parameter schemas and their validation: one type for operations and experiments alike.
        .target(name: "Schema", dependencies: ["Supervision"], swiftSettings: swiftSettings),
        .target(
            name: "Telemetry",
            dependencies: [
                "Supervision",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Operating-system programs as children of any tree: launch, exit, probes, logs.
        // YAML documents as values, read by Debian's libyaml with no Foundation (Yams needs all of it).
        .target(name: "YAML", dependencies: ["CYAML"], swiftSettings: swiftSettings),
        .systemLibrary(name: "CYAML", providers: [.apt(["libyaml-dev"])]),
        .target(name: "Programs", dependencies: ["Supervision", "CSuperlearner"], swiftSettings: swiftSettings),
        .target(
            name: "Sandbox",
            dependencies: [
                "Supervision", "Telemetry", "Schema", "Programs", "YAML",
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The API's contract shared by the daemon and its clients: routes and their path templates.
        .target(name: "SuperlearnerAPI", swiftSettings: swiftSettings),
        .target(
            name: "Arsenal",
            dependencies: [
                "Sandbox", "Schema", "Programs", "Supervision", "Telemetry", "SuperlearnerAPI", "Cluster",
                "SuperlearnerClient",
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ArsenalHTTP",
            dependencies: [
                "Arsenal", "Supervision", "SuperlearnerAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SuperlearnerDaemon",
            dependencies: [
                "ArsenalHTTP", "Arsenal", "Sandbox", "Telemetry", "Supervision", "CSQLite", "CSuperlearner",
                "SuperlearnerClient", "SuperlearnerAPI", "Programs", "Cluster",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SuperlearnerClient", dependencies: ["CSuperlearner", "SuperlearnerAPI"], swiftSettings: swiftSettings
        ),
        .target(
            name: "Cluster",
            dependencies: [
                "SuperlearnerClient", "Sandbox", "Telemetry", "Supervision",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // posix_spawn with setsid and closefrom, which glibc does not expose to Swift.
        .target(name: "CSuperlearner"),
        // The system SQLite (libsqlite3-dev); see docs/persistence.md for why not GRDB.
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "SuperlearnerCLI",
            dependencies: [
                "SuperlearnerAPI", "SuperlearnerClient", "SuperlearnerDaemon", "Arsenal", "Schema", "Sandbox",
                "Telemetry", "Cluster",
                "Supervision", "CReadline", "CSuperlearner", "Playwriter", "YAML",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // startup.order is the release link's symbol layout (Makefile, Benchmarks/startup-order), no source.
        .executableTarget(
            name: "superlearner", dependencies: ["SuperlearnerCLI"], exclude: ["startup.order"],
            swiftSettings: swiftSettings),
        .target(
            name: "Supertester", dependencies: ["Supervision", "Sandbox", "Telemetry", "CSuperlearner"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SupertesterTests", dependencies: ["Supertester", "Supervision", "Sandbox", "Telemetry"],
            swiftSettings: swiftSettings),
        // Browser automation: W3C WebDriver to Debian's chromedriver over NIO's HTTP/1.1.
        .target(
            name: "Playwriter",
            dependencies: [
                "Supervision", "CSuperlearner", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        // libFuzzer targets (`make fuzz`); built normally, each replays the inputs it is given (`make test`
        // replays the committed corpus and every crash input kept as a regression).
        .target(name: "FuzzSupport", path: "Fuzz/Sources/FuzzSupport", swiftSettings: swiftSettings),
        .executableTarget(
            name: "FuzzSpecParser", dependencies: ["FuzzSupport", "Sandbox"], path: "Fuzz/Sources/FuzzSpecParser",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "FuzzJSONBody", dependencies: ["FuzzSupport", "Supervision"], path: "Fuzz/Sources/FuzzJSONBody",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "FuzzCommandLine", dependencies: ["FuzzSupport", "SuperlearnerCLI"],
            path: "Fuzz/Sources/FuzzCommandLine",
            swiftSettings: swiftSettings),
        // GNU readline for `superlearner shell` (GPL-3.0: only the executable links it; see README).
        .systemLibrary(name: "CReadline", providers: [.apt(["libreadline-dev"])]),
        .testTarget(
            name: "PlaywriterTests",
            dependencies: [
                "Playwriter", "Supervision", "CSuperlearner", .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ProgramsTests", dependencies: ["Programs", "Supervision"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SupervisionTests", dependencies: ["Supervision", "Supertester"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TelemetryTests",
            dependencies: ["Telemetry", "Supervision", .product(name: "CoreMetrics", package: "swift-metrics")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SandboxTests", dependencies: ["Sandbox", "Telemetry", "Supervision", "Supertester"],
            swiftSettings: swiftSettings),
        // Drives the real `superlearner` binary and its daemon on real sockets in temporary homes.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "SuperlearnerClient", "Supervision", "Arsenal", "Sandbox", "Supertester", "CSuperlearner", "Playwriter",
            ],
            swiftSettings: swiftSettings),
        // The command tree and the client's routes, unit by unit (the binary itself is EndToEndTests').
        .testTarget(
            name: "SuperlearnerCLITests",
            dependencies: [
                "SuperlearnerCLI", "SuperlearnerAPI", "ArsenalHTTP", "Arsenal", "Sandbox", "Telemetry", "Supervision",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ArsenalTests", dependencies: ["Arsenal", "Schema", "Sandbox", "Telemetry", "Supervision"],
            swiftSettings: swiftSettings),
    ]
)
