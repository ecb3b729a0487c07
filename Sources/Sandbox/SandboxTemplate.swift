import Supervision

/// A named, described tree users can create a sandbox from (the seed's "supervisor module").
public struct SandboxTemplate: Sendable, Hashable {
    /// The name used on the command line and in the API (`DemoSupervisor`).
    public var name: String
    /// What the template teaches.
    public var description: String
    /// The tree.
    public var spec: SandboxSpec

    /// Every built-in template, in the order `sandbox templates` lists them.
    public static let all: [SandboxTemplate] = [demo, testDemo, nestedTree, crashLoop, pipeline]

    /// The names of `all`, in order, written out: a command's start must not build every template's tree
    /// just to offer their names (it was an eighth of `sandbox list`'s start). A test in
    /// `SandboxManagerTests` keeps the two lists equal.
    public static let names = ["DemoSupervisor", "TestDemoSupervisor", "NestedTree", "CrashLoop", "Pipeline"]

    /// The template named `name`, or `nil`.
    public static func named(_ name: String) -> SandboxTemplate? { all.first { $0.name == name } }

    /// counter_1 = 0, counter_2 = 100, printer_1; one_for_one; 3 restarts in 5 s.
    public static let demo = SandboxTemplate(
        name: "DemoSupervisor",
        description: "one_for_one with counter_1 (0), counter_2 (100) and printer_1: kill one, only it restarts",
        spec: SandboxSpec(
            strategy: .oneForOne, maxRestarts: 3, maxSeconds: 5,
            children: [
                .worker("counter_1", .counter, ["initial": 0]),
                .worker("counter_2", .counter, ["initial": 100]),
                .worker("printer_1", .printer),
            ]))

    /// The same tree as `DemoSupervisor`, for tests that must not disturb a demo.
    public static let testDemo = SandboxTemplate(
        name: "TestDemoSupervisor", description: "the DemoSupervisor tree, kept separate for tests", spec: demo.spec)

    /// A root with a store, and a nested one_for_all group of workers.
    public static let nestedTree = SandboxTemplate(
        name: "NestedTree",
        description: "rest_for_one root with a kv store and a nested one_for_all jobs supervisor: restarts stay local",
        spec: SandboxSpec(
            strategy: .restForOne,
            children: [
                .worker("store", .kv),
                SandboxSpec.Child(
                    id: "jobs",
                    kind: .supervisor(
                        SandboxSpec(
                            strategy: .oneForAll,
                            children: [.worker("tick", .ticker, ["every_ms": 1000]), .worker("counter", .counter)]))),
                .worker("printer", .printer),
            ]))

    /// A worker that crashes every 300 ms under a generous budget, so restarts pile up visibly.
    public static let crashLoop = SandboxTemplate(
        name: "CrashLoop",
        description: "a crasher that dies every 300 ms beside a healthy counter: watch the restart history grow",
        spec: SandboxSpec(
            strategy: .oneForOne, maxRestarts: 100, maxSeconds: 10,
            children: [.worker("crasher", .crasher, ["after_ms": 300]), .worker("counter", .counter)]))

    /// Three stages that only make sense together.
    public static let pipeline = SandboxTemplate(
        name: "Pipeline",
        description: "one_for_all pipeline of source, transform and sink: one failure restarts all three",
        spec: SandboxSpec(
            strategy: .oneForAll,
            children: [
                .worker("source", .ticker, ["every_ms": 500]), .worker("transform", .echo), .worker("sink", .printer),
            ]))
}
