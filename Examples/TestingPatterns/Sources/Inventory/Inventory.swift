import Supervision

/// A stock keeper: cast `["add", n]`, call `"count"`; a negative stock is a bug that crashes it.
public struct Stock: Server {
    /// A stock keeper with nothing in stock.
    public init() {}

    /// Starts at zero.
    public func initialize(_ context: ServerContext) async throws -> Int { 0 }

    /// `["add", n]` adds `n` (which may be negative); going below zero crashes the server.
    public func handleCast(_ message: Term, state: inout Int, context: ServerContext) async throws -> ServerAction {
        if message.command?.name == "add", let amount = message.command?.content?.intValue {
            state += amount
            if state < 0 { throw StockError.negative(state) }
        }
        return .continue
    }

    /// Any call answers the stock.
    public func handleCall(_ request: Term, state: inout Int, context: ServerContext) async throws -> CallReply {
        .reply(.int(state))
    }

    /// The state as `{"stock": n}`.
    public func inspect(_ state: Int) -> Term { ["stock": .int(state)] }
}

enum StockError: Error { case negative(Int) }

/// The application's tree: a stock and an audit log, restarted together.
public func inventorySpec() -> SupervisorSpec {
    SupervisorSpec(
        strategy: .oneForAll, maxRestarts: 5,
        children: [
            ChildSpec(id: "stock", server: Stock()), ChildSpec(id: "audit", server: PrinterWorker()),
            ChildSpec(id: "cache", server: KVWorker()),
        ])
}
