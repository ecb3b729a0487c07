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
        .library(name: "Arsenal", targets: ["Arsenal"]),
        .library(name: "ArsenalHTTP", targets: ["ArsenalHTTP"]),
        .library(name: "Supertester", targets: ["Supertester"]),
        .library(name: "Playwriter", targets: ["Playwriter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The runtime: processes, links, monitors, servers, supervisors. Knows nothing above it.
        .target(
            name: "Supervision",
            dependencies: [.product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Telemetry",
            dependencies: [
                "Supervision",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Sandbox",
            dependencies: [
                "Supervision", "Telemetry", .product(name: "Yams", package: "Yams"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Arsenal",
            dependencies: ["Sandbox", "Supervision", "Telemetry", .product(name: "CoreMetrics", package: "swift-metrics")],
            swiftSettings: swiftSettings
        ),
        .target(name: "ArsenalHTTP", dependencies: ["Arsenal"], swiftSettings: swiftSettings),
        .target(
            name: "SuperlearnerDaemon",
            dependencies: ["ArsenalHTTP", "Arsenal", "Sandbox", "Telemetry", "Supervision"],
            swiftSettings: swiftSettings
        ),
        .target(name: "SuperlearnerClient", swiftSettings: swiftSettings),
        .target(
            name: "SuperlearnerCLI",
            dependencies: ["SuperlearnerClient", "SuperlearnerDaemon", "Arsenal", "Sandbox", "Telemetry", "Supervision"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "superlearner", dependencies: ["SuperlearnerCLI"], swiftSettings: swiftSettings),
        .target(name: "Supertester", dependencies: ["Supervision", "Sandbox", "Telemetry"], swiftSettings: swiftSettings),
        .target(name: "Playwriter", swiftSettings: swiftSettings),
        // GNU readline for `superlearner shell` (GPL-3.0: only the executable links it; see README).
        .systemLibrary(name: "CReadline", providers: [.apt(["libreadline-dev"])]),
        .testTarget(name: "SupervisionTests", dependencies: ["Supervision"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TelemetryTests",
            dependencies: ["Telemetry", "Supervision", .product(name: "CoreMetrics", package: "swift-metrics")],
            swiftSettings: swiftSettings),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "Telemetry", "Supervision"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ArsenalTests", dependencies: ["Arsenal", "Sandbox", "Telemetry", "Supervision"],
            swiftSettings: swiftSettings),
    ]
)
