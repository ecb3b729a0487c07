// A bank of two accounts under one supervisor (one_for_one, at most 3 restarts in 5 s). One account is
// sent a withdrawal it cannot cover: it crashes, its supervisor starts it again with its initial balance,
// and the other account keeps its money. Every step is printed; the program exits 1 if anything differs
// from what OTP's rules say.
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// An account: cast `["deposit", n]` or `["withdraw", n]`, call `"balance"`. An overdraft is a bug here, so
/// the account crashes rather than refuse it: its supervisor restarts it from a clean state.
struct Account: Server {
    let opening: Int

    func initialize(_ context: ServerContext) async throws -> Int { opening }

    func handleCast(_ message: Term, state: inout Int, context: ServerContext) async throws -> ServerAction {
        guard let command = message.command, let amount = command.content?.intValue else { return .continue }
        switch command.name {
        case "deposit": state += amount
        case "withdraw":
            guard amount <= state else { throw Overdraft(balance: state, amount: amount) }
            state -= amount
        default: break
        }
        return .continue
    }

    func handleCall(_ request: Term, state: inout Int, context: ServerContext) async throws -> CallReply {
        .reply(.int(state))
    }

    func inspect(_ state: Int) -> Term { ["balance": .int(state)] }
}

struct Overdraft: Error, CustomStringConvertible {
    let balance: Int
    let amount: Int
    var description: String { "overdraft: withdraw \(amount) from \(balance)" }
}

let runtime = Runtime()
// Print the runtime's lifecycle events that matter here: restarts, with the reason.
let restarts = runtime.addObserver { event in
    if case .restarted(_, let childID, let old, let new, let reason, _) = event {
        print("supervisor restarted \(childID): \(old.map(\.description) ?? "-") → \(new) after \(reason)")
    }
}

let spec = SupervisorSpec(
    strategy: .oneForOne, maxRestarts: 3, maxSeconds: .seconds(5),
    children: [
        ChildSpec(id: "alice", server: Account(opening: 100)),
        ChildSpec(id: "bob", server: Account(opening: 50)),
    ])
let bank = try await Supervisor.start(spec, in: runtime)

/// The PID of the child `id`, now.
func pid(_ id: String) async throws -> PID {
    guard let pid = try await bank.whichChildren().first(where: { $0.id == id })?.pid else {
        fatalError("\(id) is not running")
    }
    return pid
}

func balance(_ id: String) async throws -> Int {
    try await runtime.call(try await pid(id), "balance").intValue ?? -1
}

runtime.cast(try await pid("alice"), ["deposit", 20])
print(
    "alice \(try await pid("alice")) has \(try await balance("alice")), bob \(try await pid("bob")) has \(try await balance("bob"))"
)

let before = try await pid("bob")
let restarted = RuntimeWaiter(runtime) { event in
    if case .restarted(_, "bob", _, _, _, _) = event { true } else { false }
}
print("bob is asked to withdraw 80")
runtime.cast(before, ["withdraw", 80])
guard await restarted.wait(timeout: .seconds(5)) != nil else {
    print("bob was not restarted")
    exit(1)
}
let after = try await pid("bob")
let alice = try await balance("alice")
let bob = try await balance("bob")
print("after the crash: alice has \(alice), bob \(after) has \(bob) (his opening balance)")

try await bank.stop()
runtime.removeObserver(restarts)
let ok = before != after && alice == 120 && bob == 50
print(ok ? "one_for_one restarted bob alone, from a clean state" : "unexpected: see above")
exit(ok ? 0 : 1)
