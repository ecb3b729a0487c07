import Arsenal
import ArsenalHTTP
import Sandbox
import SuperlearnerAPI
import Supervision
import Telemetry
import Testing

@testable import SuperlearnerCLI

/// The client builds its paths from the same route templates the daemon serves: every operation's REST
/// binding is in the daemon's table, and the path the command line builds for it lands on that route.
@Suite struct RouteReachabilityTests {
    static func responder() -> ArsenalResponder {
        let runtime = Runtime()
        let telemetry = Telemetry()
        let context = OperationContext(
            runtime: runtime, sandboxes: SandboxManager(runtime: runtime, telemetry: telemetry), telemetry: telemetry)
        return ArsenalResponder(registry: .builtin(), context: context)
    }

    @Test func everyOperationRouteIsServedAndReachedByTheClientsPath() {
        let routes = Self.responder().routes
        let operations = OperationRegistry.builtin().all.filter { $0.rest != nil }
        #expect(operations.count >= 30)
        for operation in operations {
            let route = operation.rest!.route
            // A child path with a slash stays one segment: the hardest value a {pid} carries.
            let path = route.path(Dictionary(uniqueKeysWithValues: route.pathParameters.map { ($0, "demo/counter_1") }))
            guard case .route(let entry, let captured) = routes.match(method: route.method.rawValue, path: path) else {
                Issue.record("\(operation.name): \(route.method.rawValue) \(path) is not served")
                continue
            }
            #expect(entry.route == route, "\(operation.name) lands on \(entry.route)")
            #expect(captured.values.allSatisfy { $0 == "demo/counter_1" })
        }
    }

    @Test func everyOperationTheCommandLineCallsHasARoute() {
        let routes = Self.responder().routes
        for operation in DaemonOperation.allCases {
            // The route the command line sends to is the one the operation declares.
            let declared = DaemonOperation.registry.operation(named: operation.rawValue)?.rest?.route
            #expect(declared == operation.route, "\(operation.rawValue)")
            let parameters = Dictionary(
                uniqueKeysWithValues: operation.route.pathParameters.map { ($0, Term.string("a b")) })
            let request = operation.request(parameters.merging(["limit": 5]) { $1 })
            let bare = String(request.path.prefix { $0 != "?" })
            guard case .route(let entry, _) = routes.match(method: request.route.method.rawValue, path: bare) else {
                Issue.record("\(operation.rawValue): \(request.route.method.rawValue) \(request.path) is not served")
                continue
            }
            #expect(entry.route == operation.route)
            #expect(
                request.route.method.hasBody == (request.body != nil),
                "\(operation.rawValue): parameters travel by the one rule")
        }
    }

    @Test func theDaemonsOwnRoutesAreNotShadowedByOperations() {
        let routes = Self.responder().routes
        for route in [APIRoutes.arsenalDocs, APIRoutes.arsenalOperations] {
            guard case .route(let entry, _) = routes.match(method: route.method.rawValue, path: route.path()) else {
                Issue.record("\(route) is not served")
                continue
            }
            #expect(entry.route == route)
        }
        let execute = APIRoutes.executeOperation
        guard
            case .route(let entry, let captured) = routes.match(
                method: "POST", path: execute.path(["name": "list_sandboxes"]))
        else {
            Issue.record("\(execute) is not served")
            return
        }
        #expect(entry.route == execute && captured == ["name": "list_sandboxes"])
    }
}
