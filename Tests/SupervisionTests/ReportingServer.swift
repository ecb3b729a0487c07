@testable import Supervision

/// A server for tests: reports `["started", id]` and `["terminated", id, reason]` to a probe; exits on
/// cast `["exit", reason]`, crashes on cast `"crash"`; can fail its init, trap exits, and take its time
/// to terminate.
struct ReportingServer: Server {
    var id: String
    var probe: PID?
    var trapExits = false
    var failInit = false
    var terminateDelay: Duration? = nil

    func initialize(_ context: ServerContext) async throws -> Int {
        if failInit { throw WorkerCrash(worker: id, detail: "init refused") }
        if trapExits { context.process.trapsExits = true }
        if let probe { context.process.send(["started", .string(id)], to: probe) }
        return 0
    }

    func handleCast(_ message: Term, state: inout Int, context: ServerContext) async throws -> ServerAction {
        switch message.command?.name {
        case "exit": return .stop(ExitReason(parsing: message.command?.content?.stringValue ?? "normal"))
        case "crash": throw WorkerCrash(worker: id, detail: "crash requested")
        default: return .continue
        }
    }

    func handleCall(_ request: Term, state: inout Int, context: ServerContext) async throws -> CallReply {
        .reply(.string(id))
    }

    func terminate(reason: ExitReason, state: Int, context: ServerContext) async {
        if let terminateDelay {
            // Ignores the shutdown for a while, like a worker stuck in cleanup; a kill cuts this short.
            try? await Task.sleep(for: terminateDelay)
        }
        if let probe { context.process.send(["terminated", .string(id), .string(reason.description)], to: probe) }
    }
}
