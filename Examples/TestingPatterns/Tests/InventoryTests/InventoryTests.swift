import Inventory
import Supertester
import Supervision
import Testing

@Test func stockCountsAndSurvivesABadUpdate() async throws {
    try await withIsolatedRuntime { runtime in
        let supervisor = try await Supervisor.start(
            inventorySpec(), in: runtime, options: SpawnOptions(path: "inventory"))
        let stock = try #require(runtime.resolve("inventory/stock"))
        await castAndSync(stock, ["add", 5], in: runtime)
        await expectState(of: stock, in: runtime, equals: ["stock": 5])
        runtime.cast(stock, ["add", -10])  // the bug: the stock crashes, the tree restarts
        let fresh = try #require(await awaitRestart(of: "inventory/stock", in: runtime, replacing: stock))
        await expectState(of: fresh, in: runtime, equals: ["stock": 0])
        try await supervisor.stop()
    }
}

@Test func theTreeIsOneForAll() async throws {
    try await withIsolatedRuntime { runtime in
        let supervisor = try await Supervisor.start(inventorySpec(), in: runtime)
        await expectStrategy(.oneForAll, of: supervisor)
        try await supervisor.stop()
    }
}
