// swift-tools-version:6.2
// An application on the superlearner runtime, tested with Supertester.
import PackageDescription

let package = Package(
    name: "TestingPatterns",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "superlearner", path: "../..")],
    targets: [
        .target(name: "Inventory", dependencies: [.product(name: "Supervision", package: "superlearner")]),
        .testTarget(
            name: "InventoryTests",
            dependencies: [
                "Inventory",
                .product(name: "Supervision", package: "superlearner"),
                .product(name: "Supertester", package: "superlearner"),
            ]),
    ]
)
