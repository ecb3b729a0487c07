// swift-tools-version:6.2
// The example projects, one package so they share one build (swift-nio and Hummingbird are built once):
// an executable or test target per example, each in its own folder with a README. `make examples` builds
// them all and runs their tests; the scripts (CrashRecovery, SandboxIsolation, TodoService,
// DistributedCache) are run by the main package's ExampleScriptTests against the real binary.
import PackageDescription

let package = Package(
    name: "Examples",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "superlearner", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // 1. BasicSupervision: a tree of servers, a crash, a restart, printed.
        .executableTarget(
            name: "BasicSupervision", dependencies: [.product(name: "Supervision", package: "superlearner")],
            path: "BasicSupervision/Sources/BasicSupervision"),
        // 4. TodoService: an HTTP service and its store, run as OS-process children of a sandbox.
        .executableTarget(
            name: "todo-service",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "TodoService/Sources/todo-service"),
        // 6. TestingPatterns: an application on the runtime and its tests with Supertester.
        .target(
            name: "Inventory", dependencies: [.product(name: "Supervision", package: "superlearner")],
            path: "TestingPatterns/Sources/Inventory"),
        .testTarget(
            name: "InventoryTests",
            dependencies: [
                "Inventory",
                .product(name: "Supervision", package: "superlearner"),
                .product(name: "Supertester", package: "superlearner"),
                .product(name: "Sandbox", package: "superlearner"),
            ],
            path: "TestingPatterns/Tests/InventoryTests"),
        // PageCheck: a small tool on Playwriter (docs/playwriter.md).
        .target(
            name: "PageCheck", dependencies: [.product(name: "Playwriter", package: "superlearner")],
            path: "PageCheck/Sources/PageCheck"),
        .executableTarget(name: "page-check", dependencies: ["PageCheck"], path: "PageCheck/Sources/page-check"),
        .testTarget(
            name: "PageCheckTests",
            dependencies: ["PageCheck", .product(name: "Playwriter", package: "superlearner")],
            path: "PageCheck/Tests/PageCheckTests"),
    ]
)
