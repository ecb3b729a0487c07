// swift-tools-version:6.2
// A small tool on Playwriter: open a page in Chromium, check what it shows, save a full-page screenshot.
import PackageDescription

let package = Package(
    name: "PageCheck",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "superlearner", path: "../..")],
    targets: [
        .target(name: "PageCheck", dependencies: [.product(name: "Playwriter", package: "superlearner")]),
        .executableTarget(name: "page-check", dependencies: ["PageCheck"]),
        .testTarget(
            name: "PageCheckTests",
            dependencies: ["PageCheck", .product(name: "Playwriter", package: "superlearner")]),
    ]
)
