import Sandbox
import SuperlearnerAPI
import SuperlearnerClient
import SuperlearnerDaemon
import Supervision
import Telemetry

#if canImport(Glibc)
    import Glibc
#endif

/// `superlearner demo`: a short narrated tour for a newcomer, through the daemon like every other command.
struct DemoCommand: Command {
    static let spec = CommandSpec(
        "demo", "a narrated tour: start the daemon, create a sandbox, break it, watch it heal", command: Self.self)

    init(_ input: CommandInput) {}

    func run(_ context: CommandContext) throws {
        let output = context.output
        let paths = context.paths
        func step(_ text: String) { output.say("\n" + output.paint("▸ " + text, "1")) }
        func run(_ text: String) { output.say(output.paint("  $ superlearner " + text, "2")) }
        step("A daemon hosts the sandboxes. Commands start it when none answers.")
        let status = try CommandContext.decode(
            try context.call(APIRoutes.daemonStatus), as: DaemonStatusReport.self,
            from: APIRoutes.daemonStatus.description)
        output.say("  daemon pid \(status.pid) on \(paths.socket)")

        var id = "demo"
        if (try? context.call(.getSandboxInfo, ["sandbox_id": "demo"])) != nil { id = "demo-\(getpid())" }
        step(
            "Create a sandbox from the DemoSupervisor template: one_for_one, counter_1 = 0, counter_2 = 100, printer_1."
        )
        run("sandbox create \(id) DemoSupervisor")
        try context.call(.createSandbox, ["sandbox_id": .string(id), "supervisor_module": "DemoSupervisor"])
        printTree(id, context)
        let counter = Term.string(id + "/counter_1")

        step("Give counter_1 some state: three casts, then a call.")
        run("process send \(id)/counter_1 increment --cast   (×3)")
        for _ in 0..<3 {
            try context.call(.sendMessage, ["pid": counter, "message": "increment", "type": "cast"])
        }
        let value = try context.call(.sendMessage, ["pid": counter, "message": "get_value", "type": "call"])
        run("process send \(id)/counter_1 get_value --call")
        output.say("  reply: \(value["reply"]?.plain ?? "?")")

        step("Kill counter_1. Its supervisor notices the exit and starts a fresh one under a new PID.")
        let before = try context.call(.getProcessInfo, ["pid": counter])["pid"]?.plain ?? "?"
        run("process kill \(id)/counter_1")
        try context.call(.killProcess, ["pid": counter])
        var after = before
        for _ in 0..<200 {
            if let pid = (try? context.call(.getProcessInfo, ["pid": counter]))?["pid"]?.plain, pid != before {
                after = pid
                break
            }
            usleep(10_000)
        }
        output.say("  counter_1 was \(before), is now \(after)")
        let fresh = try context.call(.sendMessage, ["pid": counter, "message": "get_value", "type": "call"])
        output.say("  its value starts over: \(fresh["reply"]?.plain ?? "?") — state lives and dies with the process")
        printTree(id, context)

        step("Telemetry saw it happen.")
        run("events --limit 5")
        let events = try context.call(.listEvents, ["limit": 200], as: [TelemetryEvent].self).value
        for event in events.filter({ [EventName.processExit, EventName.supervisorRestart].contains($0.name) }).suffix(2)
        {
            output.say("  " + EventsCommand.line(event, output))
        }

        step("Next:")
        output.say(
            """
              superlearner sandbox run \(id) crash-storm         # trip the restart intensity and watch it give up
              superlearner wait \(id)/counter_2 --for restarted   # block until something restarts (for CI)
              superlearner process list --sandbox \(id)
              superlearner operation list                       # everything the API can do
              superlearner sandbox destroy \(id)                  # when you are done
            """)
    }

    @MainActor
    func printTree(_ id: String, _ context: CommandContext) {
        guard let term = (try? context.call(.getSandboxInfo, ["sandbox_id": .string(id)]))?["tree"],
            let tree = try? SandboxNode(term: term)
        else { return }
        for line in SandboxCommands.Tree.lines(tree, output: context.output) { context.output.say("  " + line) }
    }
}
