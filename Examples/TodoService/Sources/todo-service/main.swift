// A to-do service in two programs, each an OS-process child of a superlearner sandbox (todo.yaml):
//
//   todo-service store --port 8701 --file todos.txt   keeps the list, one line per item, in a file it syncs
//   todo-service api --port 8700 --store-port 8701    the HTTP API users call; asks the store for everything
//
// Both answer `GET /health`; the API's health includes reaching the store, so its readiness probe holds its
// start until the store answers. Killing the store loses nothing that was acknowledged: an item is written
// and synced before `POST /todos` returns.
import Hummingbird

#if canImport(Glibc)
    import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())

/// The value after `--name` in the arguments, or a usage error.
func option(_ name: String) -> String {
    guard let index = arguments.firstIndex(of: "--" + name), index + 1 < arguments.count else {
        fail("missing --\(name)")
    }
    return arguments[index + 1]
}

func fail(_ message: String) -> Never {
    print(
        "todo-service: \(message)\nusage: todo-service store --port PORT --file FILE | api --port PORT --store-port PORT"
    )
    exit(64)
}

func port(_ name: String) -> Int {
    guard let port = Int(option(name)), (1...65535).contains(port) else { fail("--\(name) must be a port number") }
    return port
}

/// `text` without the blank characters around it.
func trimmed(_ text: String) -> String {
    String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
}

let router = Router()
switch arguments.first {
case "store":
    let list = try await TodoList.load(from: option("file"))
    router.get("health") { _, _ in "ok\n" }
    router.get("todos") { _, _ in await list.text() }
    router.post("todos") { request, context -> Response in
        let text = trimmed(String(buffer: try await request.body.collect(upTo: 4096)))
        guard !text.isEmpty, !text.contains("\n") else {
            return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "one line of text\n")))
        }
        let number = try await list.add(text)
        return Response(status: .created, body: .init(byteBuffer: ByteBuffer(string: "added #\(number): \(text)\n")))
    }
    print("store: \(await list.count) items from \(option("file")), listening on 127.0.0.1:\(port("port"))")
case "api":
    let store = StoreClient(port: port("store-port"))
    // Healthy means able to serve: the store must answer too.
    router.get("health") { _, _ -> Response in
        (try? await store.send(.GET, "/health"))?.status == .ok
            ? Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
            : Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "store unreachable\n")))
    }
    router.get("todos") { _, _ in try await store.forward(.GET, "/todos") }
    router.post("todos") { request, _ in
        try await store.forward(.POST, "/todos", body: try await request.body.collect(upTo: 4096))
    }
    print("api: listening on 127.0.0.1:\(port("port")), store on 127.0.0.1:\(port("store-port"))")
default:
    fail("expected store or api")
}
let app = Application(
    router: router, configuration: .init(address: .hostname("127.0.0.1", port: port("port")), serverName: "todo"))
try await app.runService()
