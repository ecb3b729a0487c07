// swift-tools-version:6.2
// Benchmarks live in their own package so that CI's build of the product stays lean.
import PackageDescription

let package = Package(
    name: "superlearner-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "superlearner", path: "..")],
    targets: [
        .executableTarget(
            name: "RuntimeBenchmarks",
            dependencies: [
                .product(name: "Supervision", package: "superlearner"),
                .product(name: "Sandbox", package: "superlearner"),
                .product(name: "Arsenal", package: "superlearner"),
                .product(name: "Telemetry", package: "superlearner"),
            ],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        ),
        // A keep-alive HTTP/1.1 load generator for the daemon's Unix socket (wrk speaks TCP only).
        .executableTarget(name: "HTTPLoad", dependencies: ["BenchmarkSupport"]),
        // Two commands run one after the other, pair by pair: a start-up ratio both sides of which saw the same
        // stretches of a noisy machine.
        .executableTarget(name: "Alternate", dependencies: ["BenchmarkSupport"]),
        // One recorded answer served at once on a Unix socket: a command's time without the daemon's share.
        .executableTarget(name: "CannedAnswer", dependencies: ["BenchmarkSupport"]),
        // What the tools above share.
        .target(name: "BenchmarkSupport"),
    ]
)
