import SuperlearnerClient
import Supervision

#if canImport(Glibc)
import Glibc
#endif

extension CommandContext {
    /// A short narrated tour for a newcomer, through the daemon like every other command.
    func demo() throws {
        func step(_ text: String) { output.say("\n" + output.paint("▸ " + text, "1")) }
        func run(_ text: String) { output.say(output.paint("  $ superlearner " + text, "2")) }
        step("A daemon hosts the sandboxes. Commands start it when none answers.")
        let status = try api("GET", "/api/v1/daemon")
        output.say("  daemon pid \(status["pid"]?.plain ?? "?") on \(paths.socket)")

        var id = "demo"
        if (try? api("GET", "/api/v1/sandboxes/demo")) != nil { id = "demo-\(getpid())" }
        step("Create a sandbox from the DemoSupervisor template: one_for_one, counter_1 = 0, counter_2 = 100, printer_1.")
        run("sandbox create \(id) DemoSupervisor")
        try api("POST", "/api/v1/sandboxes", body: ["sandbox_id": .string(id), "supervisor_module": "DemoSupervisor"])
        printTree(id)

        step("Give counter_1 some state: three casts, then a call.")
        run("process send \(id)/counter_1 increment --cast   (×3)")
        for _ in 0..<3 {
            try api("POST", "/api/v1/processes/\(segment(id + "/counter_1"))/message", body: ["message": "increment", "type": "cast"])
        }
        let value = try api("POST", "/api/v1/processes/\(segment(id + "/counter_1"))/message", body: ["message": "get_value", "type": "call"])
        run("process send \(id)/counter_1 get_value --call")
        output.say("  reply: \(value["reply"]?.plain ?? "?")")

        step("Kill counter_1. Its supervisor notices the exit and starts a fresh one under a new PID.")
        let before = try api("GET", "/api/v1/processes/\(segment(id + "/counter_1"))/info")["pid"]?.plain ?? "?"
        run("process kill \(id)/counter_1")
        try api("DELETE", "/api/v1/processes/\(segment(id + "/counter_1"))")
        var after = before
        for _ in 0..<200 {
            if let pid = (try? api("GET", "/api/v1/processes/\(segment(id + "/counter_1"))/info"))?["pid"]?.plain, pid != before {
                after = pid
                break
            }
            usleep(10_000)
        }
        output.say("  counter_1 was \(before), is now \(after)")
        let fresh = try api("POST", "/api/v1/processes/\(segment(id + "/counter_1"))/message", body: ["message": "get_value", "type": "call"])
        output.say("  its value starts over: \(fresh["reply"]?.plain ?? "?") — state lives and dies with the process")
        printTree(id)

        step("Telemetry saw it happen.")
        run("events --limit 5")
        let events = try api("GET", "/api/v1/telemetry/events?limit=200").arrayValue ?? []
        for event in events.filter({ ["runtime.process.exit", "runtime.supervisor.restart"].contains($0["name"]?.stringValue ?? "") }).suffix(2) {
            output.say("  " + eventLine(event))
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

    func printTree(_ id: String) {
        guard let info = try? api("GET", "/api/v1/sandboxes/\(segment(id))"), let tree = info["tree"] else { return }
        var lines: [String] = []
        drawTree(tree, prefix: "", isLast: true, isRoot: true, into: &lines)
        for line in lines { output.say("  " + line) }
    }
}
